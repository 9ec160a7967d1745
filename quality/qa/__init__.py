"""QA reviews of decided cases: the writes. Sampling (nightly and by hand), scoring, the
specialist's contest and a team lead's verdict, the rubric's versions and calibration sessions;
import them from here."""

from quality.qa.calibration import (
    MIN_REVIEWERS,
    close_calibration,
    involved_in,
    start_calibration,
    submit_calibration_score,
)
from quality.qa.reviews import (
    Mark,
    Score,
    contest_review,
    read_marks,
    read_money_error,
    require_a_mark,
    resolve_contest,
    score_of,
    submit_review,
)
from quality.qa.rubrics import (
    RubricItemSpec,
    activate_rubric,
    get_active_rubric,
    publish_rubric_version,
    rubric_is_used,
)
from quality.qa.sampling import (
    SampleRun,
    draw,
    reason_for,
    reassign_review,
    sample_decisions,
    send_to_qa,
)

__all__ = [
    "MIN_REVIEWERS",
    "Mark",
    "RubricItemSpec",
    "SampleRun",
    "Score",
    "activate_rubric",
    "close_calibration",
    "contest_review",
    "draw",
    "get_active_rubric",
    "involved_in",
    "publish_rubric_version",
    "read_marks",
    "read_money_error",
    "reason_for",
    "reassign_review",
    "require_a_mark",
    "resolve_contest",
    "rubric_is_used",
    "sample_decisions",
    "score_of",
    "send_to_qa",
    "start_calibration",
    "submit_calibration_score",
    "submit_review",
]
