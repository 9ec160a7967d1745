"""Staff roles as Django groups: the one table of who may do what.

Migrations call `sync_roles` so every database (tests included) has the same groups.
"""

from __future__ import annotations

from django.contrib.auth.management import create_permissions

VIEW_ALL = [
    "sellers.view_seller",
    "sellers.view_sellermembership",
    "sellers.view_sku",
    "disputes.view_dispute",
    "disputes.view_message",
    "disputes.view_caseevent",
    "disputes.view_queue",
    "disputes.view_escalation",
    "disputes.view_decision",
    "evidence.view_evidencefile",
    "evidence.view_ledgerevent",
    "evidence.view_shipmentline",
    "evidence.view_customerreturn",
    "evidence.view_carrierscan",
    "evidence.view_removalorderline",
    "reimbursements.view_reimbursement",
    "reimbursements.view_reimbursementpolicy",
    "reimbursements.view_reversal",
    "reimbursements.view_payoutbatch",
]
SPECIALIST = [*VIEW_ALL, "disputes.work_dispute", "evidence.add_evidencefile"]
SENIOR_SPECIALIST = [*SPECIALIST, "disputes.assign_dispute_to_others"]
TEAM_LEAD = [
    *SENIOR_SPECIALIST,
    "disputes.supervise_dispute",
    "disputes.review_quality",
    "disputes.change_queue",
    "reimbursements.approve_reimbursement",
    "reimbursements.export_reimbursement",
]
QA_REVIEWER = [*VIEW_ALL, "disputes.review_quality"]
# Finance batches approved payouts, marks them paid and exports what was paid; it works no case.
FINANCE = [
    "disputes.view_dispute",
    "sellers.view_seller",
    "reimbursements.view_reimbursement",
    "reimbursements.view_reversal",
    "reimbursements.view_payoutbatch",
    "reimbursements.export_reimbursement",
    "reimbursements.pay_reimbursement",
]

ROLES: dict[str, list[str]] = {
    "Specialist": SPECIALIST,
    "Senior Specialist": SENIOR_SPECIALIST,
    "Team Lead": TEAM_LEAD,
    "QA Reviewer": QA_REVIEWER,
    "Finance": FINANCE,
    # Administrators get every permission of Arbiter's apps and of user management.
    "Administrator": ["*"],
}
ADMIN_APPS = (
    "sellers",
    "disputes",
    "evidence",
    "reimbursements",
    "quality",
    "auth",
    "authtoken",
)


def sync_roles(apps, schema_editor=None) -> None:
    """Create or update the role groups with exactly the permissions in ROLES."""
    # Permissions are normally created after all migrations; roles need them now.
    for app_config in apps.get_app_configs():
        original = getattr(app_config, "models_module", None)
        app_config.models_module = original or True
        try:
            create_permissions(app_config, verbosity=0, apps=apps)
        finally:
            app_config.models_module = original

    group_model = apps.get_model("auth", "Group")
    permission_model = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        if codenames == ["*"]:
            permissions = permission_model.objects.filter(content_type__app_label__in=ADMIN_APPS)
        else:
            permissions = []
            for dotted in codenames:
                app_label, codename = dotted.split(".")
                permission = permission_model.objects.filter(
                    content_type__app_label=app_label, codename=codename
                ).first()
                # Missing only in an early migration, before the model existed: the
                # migration that adds the model syncs the roles again.
                if permission is not None:
                    permissions.append(permission)
        group.permissions.set(permissions)
