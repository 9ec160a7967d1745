"""The Chinese and Japanese catalogs: every string translated, and the compiled files current."""

from __future__ import annotations

import gettext
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
LANGUAGES = ["zh_Hans", "ja"]


def _catalog(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated(language):
    missing = [e.msgid for e in _catalog(language) if not e.obsolete and not e.translated()]
    assert missing == [], f"{len(missing)} strings lack a {language} translation: {missing[:5]}"


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_compiled_catalog_matches_the_source(language):
    """A .po edited without `make messages` would show the old words."""
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as compiled:
        mo = gettext.GNUTranslations(compiled)
    stale = []
    for entry in _catalog(language):
        if entry.obsolete or not entry.translated() or entry.msgid_plural:
            continue
        key = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
        if mo._catalog.get(key) != entry.msgstr:
            stale.append(entry.msgid)
    assert stale == [], f"django.mo is older than django.po for: {stale[:5]}"
