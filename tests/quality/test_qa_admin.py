"""The QA rubric in the administration site: a version with reviews is read-only, "publish a
new version" copies it into the next one, "activate" switches new reviews to a version."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from quality.models import QARubric
from quality.qa import get_active_rubric
from tests.quality.qa_cases import Cases, due_review

pytestmark = pytest.mark.django_db


def url(view: str, *args) -> str:
    return reverse(f"admin:quality_qarubric_{view}", args=args)


def test_an_unused_version_is_editable_and_a_used_one_is_read_only(admin_client, specialist, qa):
    rubric = get_active_rubric()
    page = admin_client.get(url("change", rubric.pk))
    assert page.status_code == 200
    assert "name" in page.context["adminform"].form.fields
    assert page.context["inline_admin_formsets"][0].has_change_permission

    (decision,) = Cases().decide([(specialist, datetime(2026, 11, 2, 9, tzinfo=UTC))])
    due_review(decision, reviewer=qa)
    page = admin_client.get(url("change", rubric.pk))
    assert "name" not in page.context["adminform"].form.fields
    inline = page.context["inline_admin_formsets"][0]
    assert not (inline.has_change_permission or inline.has_add_permission)
    assert not inline.has_delete_permission


def test_publish_copies_a_version_and_activate_switches_to_it(admin_client):
    v1 = get_active_rubric()
    response = admin_client.post(
        url("changelist"), {"action": "publish_new_version", "_selected_action": [v1.pk]}
    )
    assert response.status_code == 302
    v2 = QARubric.objects.get(name=v1.name, version=2)
    assert v2.active is False
    assert list(v2.items.values_list("code", "weight", "critical")) == list(
        v1.items.values_list("code", "weight", "critical")
    )
    assert get_active_rubric() == v1
    admin_client.post(url("changelist"), {"action": "activate", "_selected_action": [v2.pk]})
    assert get_active_rubric() == v2
    assert QARubric.objects.get(pk=v1.pk).active is False


def test_administrators_may_edit_the_rubric():
    codes = set(
        Group.objects.get(name="Administrator").permissions.values_list("codename", flat=True)
    )
    assert {"change_qarubric", "add_qarubricitem", "view_qareview"} <= codes
