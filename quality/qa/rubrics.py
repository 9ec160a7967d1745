"""The QA rubric's versions: a change is a new version, so that a review keeps what it was
scored with."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import InvalidInput, NotFound
from quality.models import QAReview, QARubric, QARubricItem

User = AbstractBaseUser


@dataclass(frozen=True)
class RubricItemSpec:
    """One item of a new version."""

    code: str
    label: str
    weight: int = 1
    critical: bool = False


def get_active_rubric() -> QARubric:
    """The version new reviews are scored with."""
    rubric = QARubric.objects.filter(active=True).first()
    if rubric is None:
        raise NotFound(
            _("No QA rubric is active: activate one in the administration site."),
            code="no_active_rubric",
        )
    return rubric


def rubric_is_used(rubric: QARubric) -> bool:
    """A version some review was sampled with: it is never edited again."""
    return QAReview.objects.filter(rubric=rubric).exists()


def _check_items(items: list[RubricItemSpec]) -> None:
    errors: dict[str, list[str]] = {}
    codes = [item.code for item in items]
    if not items:
        errors["items"] = [_("A rubric needs at least one item.")]
    elif len(set(codes)) != len(codes):
        errors["items"] = [_("Each item needs a code of its own.")]
    if any(item.weight < 1 for item in items):
        errors["weight"] = [_("Every item weighs at least 1.")]
    if errors:
        raise InvalidInput(_("The rubric is not complete: see the fields."), fields=errors)


@transaction.atomic
def publish_rubric_version(
    *,
    rubric: QARubric,
    by: User | None,
    items: Iterable[RubricItemSpec] | None = None,
    activate: bool = True,
) -> QARubric:
    """A new version of `rubric`'s name with `items` (the old version's items by default),
    active at once unless `activate` is false (a draft to edit first). Earlier versions keep
    their items and their reviews."""
    if items is None:
        items = [
            RubricItemSpec(code=i.code, label=i.label, weight=i.weight, critical=i.critical)
            for i in rubric.items.all()
        ]
    specs = list(items)
    _check_items(specs)
    # The name's versions are serialised by locking them; a concurrent publish waits.
    versions = QARubric.objects.select_for_update().filter(name=rubric.name)
    latest = max(versions.values_list("version", flat=True), default=0)
    if activate:
        QARubric.objects.filter(active=True).update(active=False)
    new = QARubric.objects.create(
        name=rubric.name,
        version=latest + 1,
        active=activate,
        created_at=timezone.now(),
        created_by=by,
    )
    QARubricItem.objects.bulk_create(
        QARubricItem(
            rubric=new,
            code=spec.code,
            label=spec.label,
            weight=spec.weight,
            critical=spec.critical,
            order=order,
        )
        for order, spec in enumerate(specs, start=1)
    )
    return new


@transaction.atomic
def activate_rubric(*, rubric: QARubric) -> QARubric:
    """Score new reviews with this version from now on; reviews already sampled keep theirs."""
    if not rubric.items.exists():
        raise InvalidInput(_("A rubric needs at least one item."), code="rubric_empty")
    QARubric.objects.filter(active=True).exclude(pk=rubric.pk).update(active=False)
    QARubric.objects.filter(pk=rubric.pk).update(active=True)
    rubric.active = True
    return rubric
