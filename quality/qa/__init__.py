"""QA reviews of decided cases: the writes. Sampling (nightly and by hand), scoring, the
specialist's contest and a team lead's verdict, and the rubric's versions; import them from
here."""

from quality.qa.reviews import (
    Mark,
    Score,
    contest_review,
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
from quality.qa.sampling import SampleRun, draw, reason_for, sample_decisions, send_to_qa

__all__ = [
    "Mark",
    "RubricItemSpec",
    "SampleRun",
    "Score",
    "activate_rubric",
    "contest_review",
    "draw",
    "get_active_rubric",
    "publish_rubric_version",
    "reason_for",
    "resolve_contest",
    "rubric_is_used",
    "sample_decisions",
    "score_of",
    "send_to_qa",
    "submit_review",
]
