"""The team's clocks on a case: business-time deadlines (clocks), where they stand (state) and
the periodic sweep that warns and records breaches (sweep)."""

from disputes.sla.clocks import (
    pause,
    policy_for,
    record_first_response,
    resolve,
    restart_resolution,
    resume,
    seller_wrote,
    start_clocks,
    stop,
)
from disputes.sla.state import DUE_SOON, SLA_STATES, sla_state, sla_state_q

__all__ = [
    "DUE_SOON",
    "SLA_STATES",
    "pause",
    "policy_for",
    "record_first_response",
    "resolve",
    "restart_resolution",
    "resume",
    "seller_wrote",
    "sla_state",
    "sla_state_q",
    "start_clocks",
    "stop",
]
