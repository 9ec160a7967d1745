"""The root-cause checks: each claim against the records, a proposal, a root cause, a route.

rules: the checks · report: a run of them, stored, and the re-check of a case being worked.
"""

from disputes.services.checks.report import (
    Report,
    build_report,
    recheck_dispute,
    store_report,
    summary,
)
from disputes.services.checks.rules import CHECKS, Claim, Finding

__all__ = [
    "CHECKS",
    "Claim",
    "Finding",
    "Report",
    "build_report",
    "recheck_dispute",
    "store_report",
    "summary",
]
