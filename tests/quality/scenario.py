"""A small history of cases made through the services, at chosen moments (time-machine), and
the figures computed directly from its rows, to hold the rollups and dashboards against."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from disputes import services
from disputes.models import CaseEvent, Decision, Dispute, SlaTimer
from disputes.sla.sweep import sweep_sla
from tests.factories import SkuFactory

UTC = ZoneInfo("UTC")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


class Story:
    """Files and works cases for one seller at the moments given."""

    def __init__(self, *, seller, seller_user, time_machine):
        self.seller, self.seller_user, self.clock = seller, seller_user, time_machine
        SkuFactory(seller=seller, sku="MUG-1", reference_value=Decimal("12.50"))

    def file(self, when: str, *, claim_type="warehouse_damaged", **fields) -> Dispute:
        self.clock.move_to(at(when), tick=False)
        dispute = services.submit_dispute(
            seller=self.seller,
            submitted_by=self.seller_user,
            claim_type=claim_type,
            fields={"sku": "MUG-1", "quantity": 4, **fields},
        )
        services.complete_intake(dispute=dispute)  # what the intake task does after commit
        dispute.refresh_from_db()
        return dispute

    def assign(self, dispute, when: str, to) -> None:
        self.clock.move_to(at(when), tick=False)
        services.assign_dispute(dispute=dispute, assignee=to, by=to)

    def ask(self, dispute, when: str, by) -> None:
        self.clock.move_to(at(when), tick=False)
        services.request_information(dispute=dispute, by=by, body="Photos please")

    def answer(self, dispute, when: str) -> None:
        self.clock.move_to(at(when), tick=False)
        services.post_seller_message(dispute=dispute, by=self.seller_user, body="Here they are.")

    def decide(self, dispute, when: str, by, outcome="denied", **extra) -> Decision:
        self.clock.move_to(at(when), tick=False)
        reason = {"denied": "insufficient_evidence"}.get(outcome, "records_confirm_loss")
        if outcome == "partially_approved":
            reason, extra = "records_confirm_part", {"approved_quantity": 2, **extra}
        if outcome == "approved":
            extra = {"approved_quantity": dispute.quantity, **extra}
        return services.decide_dispute(
            dispute=dispute, by=by, outcome=outcome, reason_code=reason, **extra
        )

    def appeal(self, dispute, when: str) -> None:
        self.clock.move_to(at(when), tick=False)
        services.appeal_dispute(dispute=dispute, by=self.seller_user, reason="Please look again.")

    def sweep(self, when: str) -> None:
        self.clock.move_to(at(when), tick=False)
        sweep_sla(now=at(when))


def direct_figures(zone: str = "UTC") -> Counter:
    """The rollups' figures computed straight from the case rows, keyed (figure, day,
    specialist id or 0)."""
    tz = ZoneInfo(zone)
    day = lambda moment: moment.astimezone(tz).date()  # noqa: E731
    figures: Counter = Counter()
    for dispute in Dispute.objects.all():
        figures["filed", day(dispute.created_at), 0] += 1
    for decision in Decision.objects.order_by("decided_at", "pk"):
        key = (day(decision.decided_at), decision.decided_by_id)
        figures[("decided", *key)] += 1
        figures[(decision.outcome, *key)] += 1
        dispute = decision.dispute
        asked = dispute.events.filter(
            kind=CaseEvent.Kind.INFO_REQUESTED, created_at__lte=decision.decided_at
        ).exists()
        if decision.on_appeal:
            figures[("appeal_decided", *key)] += 1
            first = dispute.decisions.filter(on_appeal=False).first()
            if first and first.outcome != decision.outcome:
                figures[("overturned", *key)] += 1
        elif not asked and dispute.appeal_count == 0:
            figures[("first_contact", *key)] += 1
    for event in CaseEvent.objects.filter(kind=CaseEvent.Kind.APPEALED):
        first = event.dispute.decisions.filter(decided_at__lte=event.created_at).last()
        figures["appealed", day(event.created_at), first.decided_by_id] += 1
    for timer in SlaTimer.objects.select_related("dispute"):
        name = {"first_response": "first_response", "resolution": "resolution"}.get(timer.kind)
        if name and timer.breached_at:
            figures[f"{name}_breached", day(timer.breached_at), timer.dispute.assignee_id or 0] += 1
        elif name and timer.met_at:
            figures[f"{name}_met", day(timer.met_at), timer.dispute.assignee_id or 0] += 1
    return +figures
