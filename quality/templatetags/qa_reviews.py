"""The QA inbox's navigation badge."""

from __future__ import annotations

from django import template

from quality.selectors.qa import count_due_qa_for

register = template.Library()


@register.simple_tag
def due_qa_reviews(user) -> int:
    """Reviews and calibration scorecards waiting for the user: QA reviewers and team leads
    only (one query; none for others)."""
    return count_due_qa_for(user)
