"""A staff member's saved case-list filters."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext as _

from core.errors import InvalidInput
from disputes.models import SavedView


@transaction.atomic
def save_view(*, owner: AbstractBaseUser, name: str, query: str) -> SavedView:
    """Save (or overwrite) a named case-list filter for its owner."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput(_("Give the view a name."), fields={"name": [_("Required.")]})
    view, _created = SavedView.objects.update_or_create(
        owner=owner, name=name[:80], defaults={"query": (query or "")[:1000]}
    )
    return view


@transaction.atomic
def delete_saved_view(*, owner: AbstractBaseUser, view_id: int) -> None:
    """Delete one of the owner's saved views (someone else's id deletes nothing)."""
    SavedView.objects.filter(owner=owner, pk=view_id).delete()
