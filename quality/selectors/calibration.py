"""What calibration reads: a participant's calibrations, the scorecards waiting in their QA
inbox, the people who may take part, and one calibration's page with its results: per rubric
item the spread of marks and the agreement, per participant the score and its deviation from the
lead's. Blind: another participant's scorecard leaves this module only once
can_see_calibration_scores allows it. Every function runs a fixed number of queries."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.pagination import KeysetPage, paginate_keyset
from disputes.selectors import CasePage, get_case_page
from quality.models import QACalibration, QACalibrationMark, QACalibrationScore, QARubricItem
from quality.permissions import can_review_qa, can_see_calibration_scores
from quality.qa_status import CalibrationStatus, ItemResult

CALIBRATIONS_ORDERING = ("-created_at", "-id")
PAGE_SIZE = 25
HUNDRED = Decimal(100)
CENT = Decimal("0.01")


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def waiting_scorecards(user: AbstractBaseUser) -> QuerySet[QACalibrationScore]:
    """The user's scorecards not yet submitted in open calibrations (index
    qa_calibration_participant)."""
    return QACalibrationScore.objects.filter(
        reviewer_id=user.pk,
        submitted_at__isnull=True,
        calibration__status=CalibrationStatus.OPEN,
    )


def list_waiting_calibrations_for(
    *, user: AbstractBaseUser, limit: int = PAGE_SIZE
) -> list[QACalibrationScore]:
    """The user's scorecards still to score, oldest calibration first, for the QA inbox: one
    query (none for people who are not reviewers)."""
    if not can_review_qa(user):
        return []
    return list(
        waiting_scorecards(user)
        .select_related("calibration__dispute", "calibration__created_by")
        .order_by("calibration__created_at", "calibration_id")[:limit]
    )


def page_calibrations_for(
    *, user: AbstractBaseUser, cursor: str | None = None, page_size: int = PAGE_SIZE
) -> KeysetPage:
    """One keyset page of the calibrations the user takes part in (as the lead or a reviewer),
    open and closed, newest first, with how many took part and scored and whether the user's own
    scorecard still waits: one query whatever the page. A cursor changed by hand raises
    InvalidInput."""
    rows = QACalibration.objects.none()
    if can_review_qa(user):
        mine = QACalibrationScore.objects.filter(reviewer_id=user.pk)
        rows = (
            QACalibration.objects.filter(pk__in=mine.values("calibration_id"))
            .select_related("dispute", "created_by")
            .annotate(
                participants=Count("scores"),
                scored=Count("scores", filter=Q(scores__submitted_at__isnull=False)),
                waiting_for_me=Exists(
                    mine.filter(calibration_id=OuterRef("pk"), submitted_at__isnull=True)
                ),
            )
        )
    return paginate_keyset(rows, ordering=CALIBRATIONS_ORDERING, cursor=cursor, page_size=page_size)


def list_calibration_candidates(*, exclude: AbstractBaseUser | None = None) -> QuerySet:
    """Who may score a calibration: active QA reviewers and team leads (staff holding
    disputes.review_quality through a role or on their own), by name; one query."""
    holds = Q(
        groups__permissions__codename="review_quality",
        groups__permissions__content_type__app_label="disputes",
    ) | Q(
        user_permissions__codename="review_quality",
        user_permissions__content_type__app_label="disputes",
    )
    people = get_user_model().objects.filter(holds, is_active=True, is_staff=True)
    if exclude is not None:
        people = people.exclude(pk=exclude.pk)
    # A subquery rather than .distinct(): the form's choices keep their ordering by name.
    return get_user_model().objects.filter(pk__in=people.values("pk")).order_by("username")


# --- one calibration ----------------------------------------------------------------------------


@dataclass
class Participant:
    """Who takes part and whether they have scored; never their figures (blind)."""

    user: AbstractBaseUser
    is_lead: bool
    submitted: bool
    is_me: bool


@dataclass
class Scorecard:
    """A submitted or pending scorecard the viewer may see, with its marks by rubric item id."""

    score: QACalibrationScore
    is_lead: bool
    marks: dict[int, QACalibrationMark] = field(default_factory=dict)

    @property
    def reviewer(self) -> AbstractBaseUser:
        return self.score.reviewer


@dataclass
class MarkCell:
    """One participant's mark on one item; `agrees` compares it with the lead's mark."""

    result: str
    label: str
    comment: str
    agrees: bool
    is_lead: bool


@dataclass
class ItemSpread:
    """One rubric item across the participants who scored: how many marked it each way, the
    agreement (the share holding the most common mark, in percent) and each participant's mark
    in the results' column order."""

    item: QARubricItem
    passed: int
    failed: int
    not_applicable: int
    agreement: Decimal
    lead_result: str
    cells: list[MarkCell]

    @property
    def agreeing_with_lead(self) -> int:
        """Reviewers (the lead left out) whose mark is the lead's."""
        return sum(1 for cell in self.cells if cell.agrees and not cell.is_lead)


@dataclass
class ParticipantResult:
    """One participant's score and money error, and how far each is from the lead's
    (participant − lead: + scored higher / found more overpaid than the lead)."""

    scorecard: QACalibrationScore
    is_lead: bool
    score: Decimal
    failed: bool
    money_error: Decimal
    score_deviation: Decimal
    money_deviation: Decimal
    items_agreeing: int

    @property
    def reviewer(self) -> AbstractBaseUser:
        return self.scorecard.reviewer


@dataclass
class CalibrationResults:
    """The results table: items × participants (the lead first), the spread per item and per
    participant, and the overall spread of the scores: max − min and the (population) standard
    deviation, both in points; `average_deviation` is the reviewers' mean distance from the
    lead's score."""

    columns: list[ParticipantResult]
    items: list[ItemSpread]
    not_scored: list[AbstractBaseUser]
    spread: Decimal
    standard_deviation: Decimal
    average_score: Decimal
    average_deviation: Decimal | None
    currency: str

    @property
    def lead(self) -> ParticipantResult:
        return self.columns[0]


def calibration_results(
    *, items: list[QARubricItem], scorecards: list[Scorecard], currency: str
) -> CalibrationResults:
    """The spread of the submitted `scorecards` (the lead's among them) over `items`: pure
    arithmetic, no query."""
    scored = [card for card in scorecards if card.score.submitted_at is not None]
    lead = next(card for card in scored if card.is_lead)
    others = sorted(
        (card for card in scored if not card.is_lead),
        key=lambda card: (card.reviewer.get_username(), card.score.pk),
    )
    ordered = [lead, *others]
    labels = dict(ItemResult.choices)

    spreads = []
    agreeing: Counter[int] = Counter()
    for item in items:
        lead_result = lead.marks[item.pk].result
        cells = []
        for card in ordered:
            mark = card.marks[item.pk]
            agrees = mark.result == lead_result
            agreeing[card.score.pk] += agrees
            cells.append(
                MarkCell(
                    result=mark.result,
                    label=str(labels[mark.result]),
                    comment=mark.comment,
                    agrees=agrees,
                    is_lead=card.is_lead,
                )
            )
        counts = Counter(cell.result for cell in cells)
        spreads.append(
            ItemSpread(
                item=item,
                passed=counts[ItemResult.PASSED],
                failed=counts[ItemResult.FAILED],
                not_applicable=counts[ItemResult.NOT_APPLICABLE],
                agreement=_cents(HUNDRED * max(counts.values()) / len(cells)),
                lead_result=lead_result,
                cells=cells,
            )
        )

    columns = [
        ParticipantResult(
            scorecard=card.score,
            is_lead=card.is_lead,
            score=card.score.score,
            failed=card.score.failed,
            money_error=card.score.money_error,
            score_deviation=card.score.score - lead.score.score,
            money_deviation=card.score.money_error - lead.score.money_error,
            items_agreeing=agreeing[card.score.pk],
        )
        for card in ordered
    ]
    scores = [column.score for column in columns]
    mean = sum(scores) / len(scores)
    variance = sum((score - mean) ** 2 for score in scores) / len(scores)
    deviations = [abs(column.score_deviation) for column in columns[1:]]
    return CalibrationResults(
        columns=columns,
        items=spreads,
        not_scored=[
            card.reviewer
            for card in sorted(scorecards, key=lambda card: card.reviewer.get_username())
            if card.score.submitted_at is None
        ],
        spread=max(scores) - min(scores),
        standard_deviation=_cents(variance.sqrt()),
        average_score=_cents(mean),
        average_deviation=_cents(sum(deviations) / len(deviations)) if deviations else None,
        currency=currency,
    )


@dataclass
class CalibrationPage:
    """The calibration page: the session, who takes part, the viewer's own scorecard, the
    others' once the blind phase is over for the viewer (`results`), and the case read-only."""

    calibration: QACalibration
    items: list[QARubricItem]
    participants: list[Participant]
    mine: Scorecard
    results: CalibrationResults | None
    case: CasePage

    @property
    def is_lead(self) -> bool:
        return self.mine.is_lead

    @property
    def is_open(self) -> bool:
        return self.calibration.status == CalibrationStatus.OPEN

    @property
    def scored(self) -> int:
        return sum(1 for person in self.participants if person.submitted)


def get_calibration_for(*, user: AbstractBaseUser, calibration_id: int) -> QACalibration:
    """A calibration the user takes part in (one query); NotFound for anyone else."""
    calibration = (
        QACalibration.objects.filter(pk=calibration_id, scores__reviewer_id=user.pk)
        .select_related("dispute", "rubric", "created_by")
        .first()
    )
    if calibration is None or not can_review_qa(user):
        raise NotFound(_("No such calibration."), code="calibration_not_found")
    return calibration


def get_calibration_page_for(*, user: AbstractBaseUser, calibration_id: int) -> CalibrationPage:
    """A calibration the user takes part in, with its rubric items, its participants, the
    user's own scorecard and, when can_see_calibration_scores allows, everyone's scorecards and
    the results; beside it the case's page, read-only. NotFound for anyone who does not take
    part (another reviewer, a team lead who is not in it)."""
    calibration = (
        QACalibration.objects.filter(pk=calibration_id)
        .select_related("dispute", "decision__decided_by", "rubric", "created_by")
        .first()
    )
    if calibration is None or not can_review_qa(user):
        raise NotFound(_("No such calibration."), code="calibration_not_found")
    rows = list(
        QACalibrationScore.objects.filter(calibration=calibration).select_related("reviewer")
    )
    own = next((row for row in rows if row.reviewer_id == user.pk), None)
    if own is None:
        raise NotFound(_("No such calibration."), code="calibration_not_found")
    lead_id = calibration.created_by_id
    participants = sorted(
        (
            Participant(
                user=row.reviewer,
                is_lead=row.reviewer_id == lead_id,
                submitted=row.submitted_at is not None,
                is_me=row is own,
            )
            for row in rows
        ),
        key=lambda person: (not person.is_lead, person.user.get_username()),
    )
    items = list(calibration.rubric.items.all())
    sees_all = can_see_calibration_scores(user, calibration, own)
    visible = rows if sees_all else [own]
    cards = {row.pk: Scorecard(score=row, is_lead=row.reviewer_id == lead_id) for row in visible}
    for mark in QACalibrationMark.objects.filter(score_id__in=list(cards)):
        cards[mark.score_id].marks[mark.rubric_item_id] = mark
    results = None
    if sees_all:
        results = calibration_results(
            items=items, scorecards=list(cards.values()), currency=calibration.currency
        )
    return CalibrationPage(
        calibration=calibration,
        items=items,
        participants=participants,
        mine=cards[own.pk],
        results=results,
        case=get_case_page(user=user, reference=calibration.dispute.reference),
    )
