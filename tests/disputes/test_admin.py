"""The administration site: every model opens, workflow stays read-only, lists are cheap."""

from decimal import Decimal
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse

from disputes import services
from disputes.models import BusinessCalendar, CaseEvent, Dispute, Holiday
from disputes.status import Status
from reimbursements.models import Reimbursement, ReimbursementPolicy
from tests.factories import SkuFactory, StaffFactory, in_status

pytestmark = pytest.mark.django_db

ARBITER_APPS = {"sellers", "disputes", "evidence", "reimbursements"}


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def demo_admin(settings, client):
    """The seeded demo, signed in as its superuser `admin`."""
    settings.DEBUG = True
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", stdout=StringIO())
    Holiday.objects.create(calendar=BusinessCalendar.objects.first(), date="2026-12-25")
    client.force_login(get_user_model().objects.get(username="admin"))
    return client


def test_every_registered_model_lists_and_opens_for_the_superuser(demo_admin):
    checked, failures = 0, []
    for model in admin.site._registry:
        if model._meta.app_label not in ARBITER_APPS:
            continue
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            failures.append(f"{model._meta.label}: no rows to show")
            continue
        listing = demo_admin.get(admin_url(model, "changelist"))
        if listing.status_code != 200 or listing.context["cl"].result_count < 1:
            failures.append(f"{model._meta.label} list: {listing.status_code}")
        page = demo_admin.get(admin_url(model, "change", obj.pk))
        if page.status_code != 200:
            failures.append(f"{model._meta.label} page: {page.status_code}")
        checked += 1
    assert not failures
    assert checked >= 25


def test_the_admin_calls_itself_arbiter_administration(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert "Arbiter administration" in response.content.decode()


@pytest.mark.parametrize("rows", [2, 20])
def test_dispute_list_runs_a_constant_number_of_queries(
    admin_client, django_assert_max_num_queries, specialist, rows
):
    statuses = [Status.OPEN, Status.IN_REVIEW, Status.DECIDED, Status.CLOSED]
    for index in range(rows):
        in_status(statuses[index % len(statuses)], assignee=specialist)
    with django_assert_max_num_queries(8):
        response = admin_client.get(admin_url(Dispute, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == rows


def test_dispute_page_edits_the_claim_but_never_the_workflow(admin_client, specialist):
    dispute = in_status(Status.IN_REVIEW, assignee=specialist, description="Three mugs")
    page = admin_client.get(admin_url(Dispute, "change", dispute.pk))
    form = page.context["adminform"].form
    assert "status" not in form.fields
    assert "assignee" not in form.fields
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data |= {"description": "Three mugs, one chipped", "status": Status.CLOSED}
    for prefix in ("messages", "events", "evidence", "escalations", "decisions"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    response = admin_client.post(admin_url(Dispute, "change", dispute.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    before = dispute.version
    dispute.refresh_from_db()
    assert dispute.description == "Three mugs, one chipped"
    assert dispute.status == Status.IN_REVIEW
    assert dispute.version == before + 1


def test_timeline_and_disputes_cannot_be_added_or_deleted_here(admin_client):
    assert admin_client.get(admin_url(Dispute, "add")).status_code == 403
    assert admin_client.get(admin_url(CaseEvent, "add")).status_code == 403


def test_a_specialist_cannot_open_the_policy_page(client, specialist):
    policy = ReimbursementPolicy.objects.first()
    client.force_login(specialist)
    assert client.get(admin_url(ReimbursementPolicy, "change", policy.pk)).status_code == 403
    assert client.get(admin_url(ReimbursementPolicy, "changelist")).status_code == 403


@pytest.fixture
def large_reimbursement(seller_a, seller_a_user, specialist):
    """1,200 USD proposed by a specialist: waits for a team lead."""
    SkuFactory(seller=seller_a, sku="ESP-1", reference_value=Decimal("600.00"))
    dispute = services.submit_dispute(
        seller=seller_a,
        submitted_by=seller_a_user,
        claim_type="warehouse_damaged",
        fields={"sku": "ESP-1", "quantity": 2},
    )
    services.complete_intake(dispute=dispute)
    services.assign_dispute(dispute=dispute, assignee=specialist, by=specialist)
    services.decide_dispute(
        dispute=dispute,
        by=specialist,
        outcome="approved",
        reason_code="records_confirm_loss",
        approved_quantity=2,
    )
    reimbursement = Reimbursement.objects.get(dispute=dispute)
    assert reimbursement.status == Reimbursement.Status.PENDING_APPROVAL
    return reimbursement


def run_action(client, action: str, reimbursement):
    return client.post(
        admin_url(Reimbursement, "changelist"),
        {"action": action, "_selected_action": [reimbursement.pk]},
        follow=True,
    )


def test_a_team_lead_approves_a_reimbursement_from_the_admin(client, lead, large_reimbursement):
    client.force_login(lead)
    response = run_action(client, "approve", large_reimbursement)
    large_reimbursement.refresh_from_db()
    assert large_reimbursement.status == Reimbursement.Status.APPROVED
    assert large_reimbursement.approver == lead
    assert "1 reimbursement approved." in response.content.decode()


def test_a_team_lead_rejects_a_reimbursement_from_the_admin(client, lead, large_reimbursement):
    client.force_login(lead)
    run_action(client, "reject", large_reimbursement)
    large_reimbursement.refresh_from_db()
    assert large_reimbursement.status == Reimbursement.Status.REJECTED


def test_an_approval_the_services_refuse_shows_their_message(client, large_reimbursement):
    maker = large_reimbursement.maker
    maker.groups.clear()
    maker.groups.add(*StaffFactory(username="lead-x", role="Team Lead").groups.all())
    client.force_login(get_user_model().objects.get(pk=maker.pk))
    response = run_action(client, "approve", large_reimbursement)
    large_reimbursement.refresh_from_db()
    assert large_reimbursement.status == Reimbursement.Status.PENDING_APPROVAL
    assert "another team lead must approve it" in response.content.decode()


def test_a_specialist_is_not_offered_the_approval_actions(client, specialist, large_reimbursement):
    client.force_login(specialist)
    response = client.get(admin_url(Reimbursement, "changelist"))
    assert response.status_code == 200
    assert 'value="approve"' not in response.content.decode()
