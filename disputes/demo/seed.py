"""The run: create what is missing and drive each new dispute through the services."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import timezone

from core.money import quantize
from disputes import selectors, services
from disputes.claim_types import CLAIM_TYPES
from disputes.demo.data import (
    HISTORY_SHARE,
    PASSWORD,
    SELLERS,
    SERVICE_USER,
    SPECIALISTS_BY_LANGUAGE,
    STAFF,
    asin_for,
    fnsku_for,
)
from disputes.demo.history import HistorySeller, Spike, World, add_history
from disputes.demo.plan import (
    APPROVE_REASON,
    DENY_REASON,
    EMAIL_FILED,
    ESCALATION_TEAM,
    EXTRA_STEPS,
    MERGED_INTO,
    PATHS,
    REJECT_REASON,
    Claim,
    R,
    evidence_upload,
    plan_claims,
)
from disputes.demo.texts import (
    ESCALATIONS,
    INTERNAL_NOTE,
    RESPONSE_TEMPLATES,
    RESTRICTION_REASON,
    SAVED_VIEWS,
    TEXTS,
    signed,
)
from disputes.models import Dispute, Queue, ResponseTemplate, StaffProfile
from disputes.status import Channel, Outcome, Priority, Status
from evidence.services import attach_evidence, import_records
from quality.alerts import detect_trends
from quality.qa.history import review_history
from quality.rollups import rebuild_rollups
from reimbursements.models import Reimbursement
from reimbursements.selectors import list_ready_to_batch
from reimbursements.services import (
    approve_reimbursement,
    create_payout_batch,
    mark_batch_paid,
    reject_reimbursement,
)
from sellers.models import Seller, SellerMembership, Sku

# --- the run -------------------------------------------------------------------------------------

HISTORY_DAYS = 90  # of cases before today, for the dashboards


STAFF_TENURE_DAYS = 400


@dataclass
class SeedResult:
    logins: list[tuple[str, str, str]]
    statuses: dict[str, int]
    claim_types: dict[str, int]
    created: int
    totals: dict[str, int]
    history: int = 0  # of the disputes created, those of the 90 days of history


class Seeder:
    """Creates what is missing; everything keyed by a natural key, so a re-run adds nothing."""

    def __init__(self, *, history_days: int = HISTORY_DAYS) -> None:
        self.history_days = history_days
        self.today = timezone.localdate()
        self.users: dict = {}
        self.sellers: dict[str, Seller] = {}
        self.portal: dict[str, object] = {}
        self.placed: dict[tuple[str, int], Dispute] = {}
        self.password = make_password(PASSWORD)  # hashed once: PBKDF2 per user would be slow

    @transaction.atomic
    def run(self) -> SeedResult:
        self.create_staff()
        self.create_sellers()
        self.create_workspace_settings()
        claims = plan_claims(self.today)
        self.import_records(claims)
        created = sum(self.place(claim) for claim in claims)
        self.settle_money()
        history = add_history(self.history_world()).cases if self.history_days else 0
        if history:  # the nights' QA sampling and the reviewers' scores over the history
            review_history(
                first=self.today - timedelta(days=self.history_days),
                last=self.today - timedelta(days=1),
            )
        if created or history:
            rebuild_rollups()  # the dashboards read the history from the rollups
        if history:
            detect_trends()  # what the hourly task would find: the spike's alert, at once
        return self.result(created + history, history)

    # people and sellers

    def _login(self, username: str, **attrs):
        user, _ = get_user_model().objects.get_or_create(username=username, defaults=attrs)
        for name, value in attrs.items():
            setattr(user, name, value)
        user.password = self.password  # the printed password stays true on every run
        user.is_active = True
        user.save()
        self.users[username] = user
        return user

    def create_staff(self) -> None:
        queues = list(Queue.objects.all())
        for login in STAFF:
            user = self._login(
                login.username,
                first_name=login.first_name,
                last_name=login.last_name,
                email=f"{login.username}@arbiter.example",
                is_staff=True,
                is_superuser=login.superuser,
                # Here since before the history: QA samples a new specialist's work more.
                date_joined=timezone.now() - timedelta(days=STAFF_TENURE_DAYS),
            )
            user.groups.add(*Group.objects.filter(name__in=login.groups))
            if login.languages is not None:
                StaffProfile.objects.get_or_create(
                    user=user, defaults={"languages": list(login.languages)}
                )
                for queue in queues:
                    queue.members.add(user)
        service = self._login(
            SERVICE_USER,
            first_name="Warehouse",
            last_name="Integration",
            email="integration@arbiter.example",
            is_staff=False,
        )
        service.user_permissions.add(
            Permission.objects.get(content_type__app_label="evidence", codename="import_records")
        )

    def create_sellers(self) -> None:
        for s in SELLERS:
            seller, _ = Seller.objects.get_or_create(
                seller_id=s.seller_id,
                defaults={
                    "name": s.name,
                    "marketplace": s.marketplace,
                    "default_currency": s.currency,
                    "preferred_language": s.language,
                    "contact_email": s.email,
                    "health_state": s.health,
                },
            )
            self.sellers[s.code] = seller
            for sku in s.skus:
                length, width, height = (Decimal(v) for v in sku.dims)
                Sku.objects.get_or_create(
                    seller=seller,
                    sku=sku.sku,
                    defaults={
                        "fnsku": fnsku_for(s, sku),
                        "asin": asin_for(s, sku),
                        "title": sku.title,
                        "reference_value": quantize(Decimal(sku.value), s.currency),
                        "currency": s.currency,
                        "length_cm": length,
                        "width_cm": width,
                        "height_cm": height,
                        "weight_g": sku.weight_g,
                    },
                )
            domain = s.email.split("@")[1]
            user = self._login(
                s.username,
                first_name=s.user_name[0],
                last_name=s.user_name[1],
                email=f"{s.username}@{domain}",
                is_staff=False,
            )
            SellerMembership.objects.get_or_create(
                user=user, seller=seller, defaults={"role": SellerMembership.Role.OWNER}
            )
            self.portal[s.code] = user

    def create_workspace_settings(self) -> None:
        for code, translations in RESPONSE_TEMPLATES.items():
            for language, (name, subject, body) in translations.items():
                ResponseTemplate.objects.get_or_create(
                    code=code,
                    language=language,
                    defaults={"name": name, "subject": subject, "body": body},
                )
        for username, views in SAVED_VIEWS.items():
            for name, query in views:
                services.save_view(owner=self.users[username], name=name, query=query)

    def import_records(self, claims: list[Claim]) -> None:
        rows: dict[str, list[dict]] = {}
        for s in SELLERS:
            # Opening stock of every SKU: the ledger the claims' movements are read against.
            for index, sku in enumerate(s.skus):
                rows.setdefault("ledger", []).append(
                    {
                        "record_id": f"{s.seller_id}-RCV-{index:02d}",
                        "seller_id": s.seller_id,
                        "event_date": self.today - timedelta(days=120),
                        "sku": sku.sku,
                        "fnsku": fnsku_for(s, sku),
                        "fulfillment_center": s.fcs[index % len(s.fcs)],
                        "event_type": "received",
                        "quantity": 60,
                        "reference_id": f"FBA{s.code}OPEN{index:02d}",
                    }
                )
        for claim in claims:
            for kind, kind_rows in claim.records.items():
                rows.setdefault(kind, []).extend(kind_rows)
        for kind, kind_rows in rows.items():
            import_records(kind=kind, rows=kind_rows, imported_by=self.users[SERVICE_USER])

    # disputes

    def place(self, claim: Claim) -> bool:
        """File the claim and drive it along its path, unless an earlier run already did."""
        seller = self.sellers[claim.seller.code]
        existing = selectors.find_filed_with_key(seller=seller, key=claim.key)
        if existing is not None:
            self.placed[(claim.seller.code, claim.position)] = existing
            return False
        pool = SPECIALISTS_BY_LANGUAGE[claim.seller.language]
        first = self.users[pool[claim.position % len(pool)]]
        other = self.users[pool[(claim.position + 1) % len(pool)]]
        seller_user = self.portal[claim.seller.code]
        by_email = claim.position == EMAIL_FILED
        filer = first if by_email else seller_user
        channel = Channel.EMAIL if by_email else (Channel.API if claim.position % 5 == 4 else None)
        dispute = services.submit_dispute(
            seller=seller,
            submitted_by=filer,
            claim_type=claim.claim_type,
            fields=claim.fields,
            channel=channel or Channel.PORTAL,
            submission_key=claim.key,
        )
        self.placed[(claim.seller.code, claim.position)] = dispute
        kinds = CLAIM_TYPES[claim.claim_type].evidence_kinds
        if kinds:
            attach_evidence(
                dispute=dispute,
                uploaded_by=filer,
                upload=evidence_upload(dispute, kinds[0]),
                kind=kinds[0],
            )
        texts = TEXTS[claim.seller.language]
        lead = self.users["lead"]
        team = ESCALATION_TEAM[claim.claim_type]
        for step in (*PATHS[claim.path], *EXTRA_STEPS.get((claim.seller.code, claim.position), ())):
            if step == "intake":
                # The on-commit task would do this too; it is idempotent.
                services.complete_intake(dispute=dispute)
            elif step == "prioritize":
                services.change_priority(dispute=dispute, by=lead, priority=Priority.HIGH)
            elif step == "assign":
                services.assign_dispute(dispute=dispute, assignee=first, by=first)
            elif step == "assign_other":
                services.assign_dispute(dispute=dispute, assignee=other, by=other)
            elif step == "note":
                services.add_internal_note(dispute=dispute, by=first, body=INTERNAL_NOTE)
            elif step == "reply":
                body = signed(texts["reply"], by=selectors.signature_of(first))
                services.reply_to_seller(dispute=dispute, by=first, body=body)
            elif step == "request":
                body = signed(texts["request"], by=selectors.signature_of(first))
                services.request_information(dispute=dispute, by=first, body=body)
            elif step == "answer":
                services.post_seller_message(dispute=dispute, by=seller_user, body=texts["answer"])
            elif step == "escalate":
                services.escalate_dispute(
                    dispute=dispute, by=first, team=team, reason=ESCALATIONS[team][0]
                )
            elif step == "resolve":
                services.resolve_escalation(dispute=dispute, by=first, answer=ESCALATIONS[team][1])
            elif step in ("decide", "decide_first"):
                variant = "deny" if step == "decide_first" else claim.final or "approve"
                services.decide_dispute(
                    dispute=dispute, by=dispute.assignee, **self.decision(dispute, variant)
                )
            elif step == "appeal":
                services.appeal_dispute(dispute=dispute, by=seller_user, reason=texts["appeal"])
            elif step == "close":
                self.approve_waiting(dispute)  # closing waits for the money
                services.close_dispute(dispute=dispute, by=lead, reason="appeal_window_ended")
            elif step == "close_silent":
                services.close_dispute(dispute=dispute, by=lead, reason="seller_silent")
            elif step == "withdraw":
                services.withdraw_dispute(dispute=dispute, by=seller_user, reason=texts["withdraw"])
            elif step == "merge":
                target = self.placed[(claim.seller.code, MERGED_INTO)]
                services.merge_dispute(dispute=dispute, into=target, by=lead)
            elif step == "recommend_restriction":
                services.recommend_restriction(dispute=dispute, by=first, reason=RESTRICTION_REASON)
            elif step == "second_approval":
                self.second_approval(claim, dispute)
            else:  # pragma: no cover - a typo in PATHS
                raise ValueError(f"Unknown demo step {step}")
        return True

    def decision(self, dispute: Dispute, variant: str) -> dict:
        """The decide_dispute arguments for an approval, a partial approval or a denial."""
        claim_type = dispute.claim_type
        explanation = TEXTS[dispute.language]["explain"][variant]
        if variant == "deny":
            reason = DENY_REASON.get(claim_type, R.INSUFFICIENT_EVIDENCE)
            return {"outcome": Outcome.DENIED, "reason_code": reason, "explanation": explanation}
        partial = variant == "partial"
        decision: dict = {
            "outcome": Outcome.PARTIALLY_APPROVED if partial else Outcome.APPROVED,
            "reason_code": R.RECORDS_CONFIRM_PART
            if partial
            else APPROVE_REASON.get(claim_type, R.RECORDS_CONFIRM_LOSS),
            "explanation": explanation,
        }
        if claim_type in ("fee_overcharge", "reimbursement_amount"):
            amount = dispute.amount / 2 if partial else dispute.amount
            decision["amount"] = quantize(amount, dispute.currency)
        elif claim_type == "return_damaged" and partial:
            # The return record says the buyer damaged it: the policy pays the reduced rate.
            decision["approved_quantity"] = 1
        elif dispute.quantity and dispute.sku:
            decision["approved_quantity"] = (
                max(1, dispute.quantity - 1) if partial else dispute.quantity
            )
        elif partial:  # nothing to pay in part (a defect, a payout): the claim is upheld
            decision |= {"outcome": Outcome.APPROVED, "reason_code": APPROVE_REASON[claim_type]}
        return decision

    def settle_money(self) -> None:
        """Finance pays the approved US dollar and yuan payouts (the yen ones wait for a batch),
        and one reimbursed loss turns up in the warehouse afterwards: a pending reversal. All
        keyed, so a re-run adds nothing."""
        finance = self.users["finance"]
        for ready in list_ready_to_batch():
            if ready.currency in ("USD", "CNY"):
                batch, _created = create_payout_batch(
                    by=finance, currency=ready.currency, idempotency_key=f"demo-{ready.currency}"
                )
                mark_batch_paid(
                    batch=batch, by=finance, payment_reference=f"ACH-DEMO-{ready.currency}"
                )
        lost = (
            Reimbursement.objects.filter(
                claim_type="warehouse_lost", status__in=("approved", "paid")
            )
            .select_related("seller", "dispute")
            .order_by("id")
            .first()
        )
        if lost is not None:
            import_records(
                kind="ledger",
                rows=[
                    {
                        "record_id": f"{lost.seller.seller_id}-FOUND-DEMO",
                        "seller_id": lost.seller.seller_id,
                        "event_date": self.today - timedelta(days=2),
                        "sku": lost.sku,
                        "fulfillment_center": lost.dispute.fulfillment_center or "PHX7",
                        "event_type": "found",
                        "quantity": 1,
                        "reference_id": "CYCLE-COUNT-DEMO",
                    }
                ],
                imported_by=self.users[SERVICE_USER],
            )

    def approve_waiting(self, dispute: Dispute) -> None:
        """The team lead approves what waits on a case before it closes."""
        for reimbursement in dispute.reimbursements.filter(
            status=Reimbursement.Status.PENDING_APPROVAL
        ):
            approve_reimbursement(reimbursement=reimbursement, by=self.users["lead"])

    def second_approval(self, claim: Claim, dispute: Dispute) -> None:
        """Large claims wait for a team lead: one stays pending, one approved, one rejected."""
        reimbursement = dispute.reimbursements.get()
        lead = self.users["lead"]
        if claim.seller.code == "JP":
            approve_reimbursement(reimbursement=reimbursement, by=lead)
        elif claim.seller.code == "CN":
            reject_reimbursement(reimbursement=reimbursement, by=lead, reason=REJECT_REASON)

    def history_world(self) -> World:
        """Ninety days of the same sellers' cases before today, worked by the same staff, with
        one fulfilment centre filing several times its usual count in the last hours."""
        users = self.users
        return World(
            key="demo-history",
            sellers=[
                HistorySeller(
                    spec=s,
                    pk=self.sellers[s.code].pk,
                    filer=self.portal[s.code].pk,
                    actor=self.portal[s.code].pk,
                    weight=HISTORY_SHARE[s.code],
                )
                for s in SELLERS
            ],
            specialists={
                language: tuple(users[name].pk for name in pool)
                for language, pool in SPECIALISTS_BY_LANGUAGE.items()
            },
            usernames={user.pk: user.get_username() for user in users.values()},
            signatures={user.pk: selectors.signature_of(user) for user in users.values()},
            lead=users["lead"].pk,
            finance=users["finance"].pk,
            days=self.history_days,
            spike=Spike("ONT8"),
        )

    def result(self, created: int, history: int = 0) -> SeedResult:
        logins = [(login.username, login.role, PASSWORD) for login in STAFF]
        logins.append((SERVICE_USER, "Service user (record import, API)", PASSWORD))
        logins += [(s.username, f"Seller portal: {s.name}", PASSWORD) for s in SELLERS]
        demo = Dispute.objects.filter(seller__seller_id__in=[s.seller_id for s in SELLERS])
        statuses = Counter(demo.values_list("status", flat=True))
        claim_types = Counter(demo.values_list("claim_type", flat=True))
        reimbursements = Counter(
            Reimbursement.objects.filter(dispute__in=demo).values_list("status", flat=True)
        )
        return SeedResult(
            logins=logins,
            statuses={status: statuses.get(status, 0) for status in Status.values},
            claim_types={code: claim_types.get(code, 0) for code in CLAIM_TYPES},
            created=created,
            history=history,
            totals={
                "disputes": sum(statuses.values()),
                "reimbursements pending approval": reimbursements.get(
                    Reimbursement.Status.PENDING_APPROVAL, 0
                ),
                "reimbursements": sum(reimbursements.values()),
            },
        )


def seed(*, history_days: int = HISTORY_DAYS) -> SeedResult:
    """Create the demo data that is missing, in one transaction."""
    return Seeder(history_days=history_days).run()
