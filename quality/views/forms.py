"""The QA review page's forms: the scorecard, the specialist's contest, a team lead's verdict.

They only carry input; the QA services check it (a missing mark, a money error that is not an
amount) and their refusals land on these fields by name: an item's field is its rubric code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quality.models import QAReview
from quality.qa import Mark
from quality.qa_status import ItemResult

COMMENT = "note_"  # an item's comment field: COMMENT + the item's code


class ReviewForm(forms.Form):
    """Every rubric item of the review's version (yes / no / not applicable, and a comment), the
    money error in the decision's currency and an overall comment."""

    def __init__(self, review: QAReview, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rubric_items = list(review.rubric.items.all())
        for item in self.rubric_items:
            self.fields[item.code] = forms.ChoiceField(
                label=item.label,
                choices=ItemResult.choices,
                widget=forms.RadioSelect,
                required=False,  # the service says which items are missing, in words
            )
            self.fields[COMMENT + item.code] = forms.CharField(
                label=_("Comment"),
                required=False,
                max_length=2000,
                widget=forms.TextInput(attrs={"placeholder": _("Comment")}),
            )
        self.fields["money_error"] = forms.CharField(
            label=_("Money error (%(currency)s)") % {"currency": review.currency},
            help_text=_("+ the seller was overpaid, − underpaid; empty or 0 when none."),
            required=False,
            max_length=20,
        )
        self.fields["comment"] = forms.CharField(
            label=_("Overall comment"),
            required=False,
            max_length=4000,
            widget=forms.Textarea(attrs={"rows": 3}),
        )

    def rows(self) -> list[dict]:
        """Per item: the item, its radios and its comment, for the template."""
        return [
            {"item": item, "field": self[item.code], "comment": self[COMMENT + item.code]}
            for item in self.rubric_items
        ]

    def arguments(self) -> dict:
        """submit_review's input: the marks given, the money error, the comment."""
        data = self.cleaned_data
        return {
            "items": {
                item.code: Mark(result=data[item.code], comment=data[COMMENT + item.code])
                for item in self.rubric_items
                if data.get(item.code)
            },
            "money_error": data["money_error"].strip() or None,
            "comment": data["comment"],
        }


class ContestForm(forms.Form):
    reason = forms.CharField(
        label=_("Why do you contest this review?"),
        required=False,  # the service refuses an empty reason, in words
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


KEEP = ""


class ResolveForm(forms.Form):
    """Uphold, or amend: the items whose mark changes, the money error, and a note for both."""

    verdict = forms.ChoiceField(
        choices=[("uphold", _("Uphold")), ("amend", _("Amend"))], widget=forms.HiddenInput
    )
    note = forms.CharField(
        label=_("Note for the specialist and the reviewer"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, review: QAReview, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.marks = {row.rubric_item.code: row for row in review.items.all()}
        self.rubric_items = list(review.rubric.items.all())
        for item in self.rubric_items:
            self.fields[item.code] = forms.ChoiceField(
                label=item.label,
                choices=[(KEEP, _("Keep")), *ItemResult.choices],
                required=False,
            )
        self.fields["money_error"] = forms.CharField(
            label=_("Money error (%(currency)s)") % {"currency": review.currency},
            help_text=_("Empty keeps the reviewer's figure."),
            required=False,
            max_length=20,
        )

    def item_fields(self) -> list:
        return [self[item.code] for item in self.rubric_items]

    def arguments(self) -> dict:
        """resolve_contest's input: the changed marks (keeping the reviewer's comments)."""
        data = self.cleaned_data
        items = {}
        for item in self.rubric_items:
            result = data.get(item.code)
            if result:
                row = self.marks.get(item.code)
                items[item.code] = Mark(result=result, comment=row.comment if row else "")
        return {
            "verdict": data["verdict"],
            "note": data["note"],
            "items": items or None,
            "money_error": data["money_error"].strip() or None,
        }
