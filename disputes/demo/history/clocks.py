"""The team's clocks of a played case, as disputes.sla.clocks keeps them, and what the SLA sweep
and the seller reminders did at their ticks: warnings, breaches and the priority they raise."""

from __future__ import annotations

from datetime import datetime

from core.business_time import add_business_time, business_seconds_between
from disputes.demo.history.base import Kind, Timer
from disputes.models import Escalation, SlaPolicy, SlaTimer
from disputes.status import ACTIVE, Priority, Status


class Clocks:
    """SlaTimer rows and the sweep, for a Case."""

    def _policy(self) -> SlaPolicy:
        return self.rules.policy(self.plan.queue_id, self.dispute.priority)

    def _start(self, kind: str) -> None:
        policy = self._policy()
        calendar = self.rules.calendar(policy)
        target = policy.target_minutes(kind) * 60
        self.timers[kind] = SlaTimer(
            dispute=self.dispute,
            kind=kind,
            policy=policy,
            started_at=self.clock,
            due_at=add_business_time(calendar, self.clock, target),
            warn_at=add_business_time(calendar, self.clock, target * float(policy.warning_ratio)),
        )

    def _mirror(self) -> dict:
        def due(kind):
            timer = self.timers.get(kind)
            return timer.due_at if timer and timer.running else None

        fields = {
            "first_response_due_at": due(Timer.FIRST_RESPONSE),
            "next_response_due_at": due(Timer.NEXT_RESPONSE),
            "resolution_due_at": due(Timer.RESOLUTION),
        }
        running = [d for d in fields.values() if d is not None]
        fields["sla_next_deadline_at"] = min(running) if running else None
        return fields

    def _first_response(self) -> dict:
        first = self.dispute.first_responded_at or self.clock
        for kind in (Timer.FIRST_RESPONSE, Timer.NEXT_RESPONSE):
            timer = self.timers.get(kind)
            if timer and timer.met_at is None and timer.stopped_at is None:
                timer.met_at = self.clock
        return {**self._mirror(), "first_responded_at": first}

    def _pause(self) -> dict:
        for timer in self.timers.values():
            if timer.running:
                calendar = self.rules.calendar(timer.policy)
                timer.paused_remaining_seconds = max(
                    0.0, business_seconds_between(calendar, self.clock, timer.due_at)
                )
        return {"sla_paused_at": self.clock, "sla_next_deadline_at": None}

    def _resume(self) -> dict:
        for timer in self.timers.values():
            if timer.running and timer.paused_remaining_seconds is not None:
                calendar = self.rules.calendar(timer.policy)
                left = timer.paused_remaining_seconds
                target = timer.policy.target_minutes(timer.kind) * 60
                warn_left = left - target * (1 - float(timer.policy.warning_ratio))
                timer.due_at = add_business_time(calendar, self.clock, left)
                timer.warn_at = add_business_time(calendar, self.clock, max(0.0, warn_left))
                timer.paused_remaining_seconds = None
        return {**self._mirror(), "sla_paused_at": None}

    def _resolve(self) -> dict:
        """sla.resolve: the decision answers and resolves the case, meeting every deadline still
        running (a breached one stays breached), then no clock runs."""
        first = self.dispute.first_responded_at or self.clock
        for timer in self.timers.values():
            if timer.met_at is None and timer.stopped_at is None:
                timer.met_at = self.clock
        return {**self._stop(), "first_responded_at": first}

    def _stop(self) -> dict:
        for timer in self.timers.values():
            if timer.met_at is None and timer.stopped_at is None:
                timer.stopped_at = self.clock
        return {"sla_next_deadline_at": None, "sla_paused_at": None}

    def _due_checks(self) -> list[tuple[datetime, SlaTimer]]:
        d = self.dispute
        if d.status not in ACTIVE or d.sla_paused_at is not None:
            return []
        checks = []
        for timer in self.timers.values():
            if not timer.running:
                continue
            if timer.warned_at is None and timer.warn_at is not None:
                checks.append((timer.warn_at, timer))
            elif timer.breached_at is None:
                checks.append((timer.due_at, timer))
        return sorted(checks, key=lambda check: check[0])

    def _sweep(self, until: datetime) -> None:
        """What sweep_sla and remind_sellers did between the clock and `until`."""
        d = self.dispute
        while True:
            checks = self._due_checks()
            reminder = d.seller_reminder_at if d.status == Status.AWAITING_SELLER else None
            moments = [moment for moment, _ in checks[:1]] + ([reminder] if reminder else [])
            if not moments or min(moments) > until:
                return
            if reminder is not None and reminder == min(moments):
                seen = self.tick(reminder, 300)  # remind_sellers runs every 5 minutes
                if seen > until:
                    return
                self.clock = seen
                self.touch(
                    Kind.SELLER_REMINDED,
                    actor=None,
                    data={"due": d.seller_response_due_at.isoformat()},
                    seller_reminder_at=None,
                )
                continue
            seen = self.tick(checks[0][0])
            if seen > until:
                return  # the work came before the sweep did
            self.clock = seen
            for _moment, timer in self._due_checks():
                if timer.warned_at is None and timer.warn_at and timer.warn_at <= seen:
                    timer.warned_at = seen
                    self.event(
                        Kind.SLA_WARNING,
                        actor=None,
                        data={"deadline": timer.kind, "due_at": timer.due_at.isoformat()},
                    )
                if timer.breached_at is None and timer.due_at <= seen:
                    timer.breached_at = seen
                    self._breach(timer)

    def _breach(self, timer: SlaTimer) -> None:
        d = self.dispute
        action = timer.policy.breach_action
        self.event(
            Kind.SLA_BREACHED,
            actor=None,
            data={"deadline": timer.kind, "due_at": timer.due_at.isoformat(), "action": action},
        )
        raised = min(d.priority + 1, Priority.URGENT)
        change = {"before": {"priority": d.priority}, "after": {"priority": raised}}
        change["reason"] = "sla_breached"
        if action == SlaPolicy.BreachAction.ESCALATE and d.status == Status.IN_REVIEW:
            self.move(
                Status.ESCALATED,
                Kind.ESCALATED,
                actor=None,
                data={"team": "team_lead", "reason": "sla_breached", **change},
                priority=raised,
            )
            self.escalations.append(
                Escalation(
                    dispute=d,
                    team="team_lead",
                    reason=f"SLA breached: {timer.get_kind_display()}",
                    requested_at=self.clock,
                )
            )
        elif raised != d.priority:
            self.touch(Kind.PRIORITY_CHANGED, actor=None, data=change, priority=raised)
