"""The QA pages' forms: the scorecard (of a review or a calibration), the specialist's contest,
a team lead's verdict, and a team lead starting a calibration.

They only carry input; the QA services check it (a missing mark, a money error that is not an
amount, too few reviewers) and their refusals land on these fields by name: an item's field is
its rubric code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from quality.models import QACalibration, QAReview, QARubric
from quality.qa import Mark
from quality.qa_status import ItemResult

COMMENT = "note_"  # an item's comment field: COMMENT + the item's code


class ScorecardForm(forms.Form):
    """Every item of a rubric version (yes / no / not applicable, and a comment), the money
    error in the decision's currency and an overall comment."""

    def __init__(self, *args, rubric: QARubric, currency: str, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.rubric_items = list(rubric.items.all())
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
            label=_("Money error (%(currency)s)") % {"currency": currency},
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
        """The scoring service's input: the marks given, the money error, the comment."""
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


class ReviewForm(ScorecardForm):
    """A QA review's scorecard: its rubric version, its decision's currency."""

    def __init__(self, review: QAReview, *args, **kwargs) -> None:
        super().__init__(*args, rubric=review.rubric, currency=review.currency, **kwargs)


class CalibrationScoreForm(ScorecardForm):
    """A participant's scorecard in a calibration: its rubric version and currency."""

    def __init__(self, calibration: QACalibration, *args, **kwargs) -> None:
        super().__init__(*args, rubric=calibration.rubric, currency=calibration.currency, **kwargs)


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


class StartCalibrationForm(forms.Form):
    """A decided case by its reference, the reviewers who score it beside the lead, an optional
    due date and a note for them."""

    case = forms.CharField(
        label=_("Case reference"),
        max_length=32,
        widget=forms.TextInput(attrs={"placeholder": "DSP-2026-000123", "autocomplete": "off"}),
    )
    reviewers = forms.ModelMultipleChoiceField(
        label=_("Reviewers"),
        help_text=_("At least two besides you; you score the case too, as the reference."),
        queryset=None,
        required=False,  # the service says how many, in words
        widget=forms.CheckboxSelectMultiple,
    )
    due_on = forms.DateField(
        label=_("Due date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(
        label=_("Note for the reviewers"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, candidates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["reviewers"].queryset = candidates
        self.fields["reviewers"].label_from_instance = lambda user: user.get_username()


class ReassignForm(forms.Form):
    """A team lead gives a due review to another QA reviewer or team lead."""

    reviewer = forms.ModelChoiceField(
        label=_("Give to"), queryset=None, empty_label=_("Choose a reviewer")
    )

    def __init__(self, review: QAReview, *args, candidates, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # The decider and the reviewer who has it are never offered; the service says why an
        # approver cannot take it.
        self.fields["reviewer"].queryset = candidates.exclude(
            pk__in=[pk for pk in (review.specialist_id, review.reviewer_id) if pk]
        )
