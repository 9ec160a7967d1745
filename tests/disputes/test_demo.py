"""`manage.py seed_demo`: every status and claim type, fixed logins, and idempotent. Seeded here
without the 90 days of history, which test_demo_history.py seeds once and checks."""

import re
from io import StringIO

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse

from core.money import Money
from disputes.claim_types import CLAIM_TYPES
from disputes.models import CaseEvent, Decision, Dispute, Message, Notification, ResponseTemplate
from disputes.models.templates import PLACEHOLDER
from disputes.selectors import signature_of
from disputes.status import Status
from evidence.models import (
    CarrierScan,
    CustomerReturn,
    EvidenceFile,
    LedgerEvent,
    RemovalOrderLine,
    ShipmentLine,
)
from reimbursements.models import PayoutBatch, Reimbursement, Reversal
from sellers.models import HealthState, Seller, SellerMembership, Sku

pytestmark = pytest.mark.django_db

PASSWORD = "arbiter-demo"
STAFF_LOGINS = {
    "admin": "Administrator",
    "lead": "Team Lead",
    "qa": "QA Reviewer",
    "specialist": "Specialist",
    "specialist2": "Specialist",
    "senior": "Senior Specialist",
}
SELLER_LOGINS = {"seller-en": "en", "seller-zh": "zh-hans", "seller-ja": "ja"}
COUNTED = [
    get_user_model(),
    Seller,
    SellerMembership,
    Sku,
    Dispute,
    CaseEvent,
    Message,
    Decision,
    Notification,
    Reimbursement,
    EvidenceFile,
    LedgerEvent,
    ShipmentLine,
    CustomerReturn,
    CarrierScan,
    RemovalOrderLine,
]


@pytest.fixture
def demo_settings(settings):
    settings.DEBUG = True
    # The seed hashes one password; logging in ten users with PBKDF2 would dominate the run.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return settings


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_demo", "--history-days", "0", *args, stdout=out)
    return out.getvalue()


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def test_seeding_twice_leaves_the_same_counts(demo_settings):
    seed()
    first = counts()
    output = seed()
    assert counts() == first
    assert "0 disputes created this run" in output
    assert first["Dispute"] >= 60
    assert first["Seller"] == 3
    assert first["Reimbursement"] > 0


def test_seed_covers_every_status_and_every_claim_type(demo_settings):
    output = seed()
    assert set(Dispute.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Dispute.objects.values_list("claim_type", flat=True)) == set(CLAIM_TYPES)
    for status in Status.values:
        assert status in output


def test_every_demo_dispute_went_through_the_services(demo_settings):
    seed()
    for dispute in Dispute.objects.prefetch_related("events"):
        events = list(dispute.events.all())
        assert events[0].kind == CaseEvent.Kind.SUBMITTED
        moves = [e for e in events if e.to_status]
        # The timeline's last status change is where the dispute stands.
        assert moves[-1].to_status == dispute.status, dispute.reference


def test_fixed_logins_authenticate_with_the_demo_password(demo_settings):
    output = seed()
    for username in [*STAFF_LOGINS, "integration", *SELLER_LOGINS]:
        user = authenticate(username=username, password=PASSWORD)
        assert user is not None, username
        assert username in output
    for username, role in STAFF_LOGINS.items():
        user = get_user_model().objects.get(username=username)
        assert user.is_staff
        assert user.groups.filter(name=role).exists()
    assert get_user_model().objects.get(username="admin").is_superuser
    integration = get_user_model().objects.get(username="integration")
    assert not integration.is_staff
    assert integration.has_perm("evidence.import_records")
    for username, language in SELLER_LOGINS.items():
        user = get_user_model().objects.get(username=username)
        assert not user.is_staff
        membership = user.seller_memberships.select_related("seller").get()
        assert membership.seller.preferred_language == language
        assert membership.seller.contact_email
    assert Seller.objects.filter(health_state=HealthState.AT_RISK).exists()


def test_appeals_are_decided_by_another_specialist(demo_settings):
    seed()
    appealed = Dispute.objects.filter(decisions__on_appeal=True).distinct()
    assert appealed.exists()
    for dispute in appealed:
        first, second = dispute.decisions.order_by("on_appeal")
        assert first.decided_by_id != second.decided_by_id


def test_a_large_reimbursement_waits_for_a_team_lead(demo_settings):
    seed()
    waiting = [
        r
        for r in Reimbursement.objects.filter(
            status=Reimbursement.Status.PENDING_APPROVAL, maker__groups__name="Specialist"
        )
        if Money(r.amount, r.currency).in_usd() > 1000
    ]
    assert waiting


def test_seed_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        seed()
    assert not Dispute.objects.exists()
    assert not get_user_model().objects.filter(username="seller-en").exists()


def test_seed_runs_with_debug_off_when_forced(demo_settings):
    demo_settings.DEBUG = False
    seed("--force")
    assert Dispute.objects.count() >= 60


def test_demo_cases_are_checked_and_none_is_sent_to_fraud_review_by_mistake(demo_settings):
    """The demo's photos are plain colours: alike as pictures, but not reused evidence."""
    seed()
    # Withdrawn or merged while still filed, a case never reached its checks.
    opened = Dispute.objects.exclude(status__in=[Status.SUBMITTED, Status.WITHDRAWN, Status.MERGED])
    assert not opened.filter(latest_check_run__isnull=True).exists()
    assert not opened.filter(queue__slug="fraud-review").exists()


def test_the_demo_shows_money_paid_waiting_and_taken_back(demo_settings):
    seed()
    assert PayoutBatch.objects.filter(status="paid").count() == 2  # USD and CNY
    assert Reimbursement.objects.filter(status="approved", batch__isnull=True).exists()
    assert Reversal.objects.filter(status="pending").count() == 1
    seed()
    assert Reversal.objects.count() == 1


def staff_names() -> set[str]:
    """Every way a staff member of the demo could be named in a text."""
    staff = get_user_model().objects.filter(is_staff=True)
    return {
        name
        for user in staff
        for name in (user.get_full_name(), user.first_name, user.last_name, user.get_username())
        if name
    }


def names_in(text: str, names: set[str]) -> set[str]:
    """The names written in the text as words (Latin letters around them do not count)."""
    return {n for n in names if re.search(rf"(?<![A-Za-z]){re.escape(n)}(?![A-Za-z])", text)}


def test_the_demo_templates_sign_with_the_sender_in_every_language(demo_settings):
    seed()
    templates = list(ResponseTemplate.objects.all())
    assert {t.language for t in templates} == {"en", "zh-hans", "ja"}
    for template in templates:
        assert template.body.endswith("{specialist}"), template
        assert names_in(PLACEHOLDER.sub("", template.body), staff_names()) == set(), template


def test_a_demo_template_fetched_by_two_specialists_is_signed_by_each(client, demo_settings):
    seed()
    users = get_user_model().objects.in_bulk(["specialist", "senior"], field_name="username")
    for language in ("en", "zh-hans", "ja"):
        dispute = Dispute.objects.filter(language=language, status=Status.IN_REVIEW).first()
        template = ResponseTemplate.objects.get(code="records-confirm", language=language)
        url = reverse("workspace:template_text", args=[dispute.reference, template.pk])
        texts = {}
        for username, user in users.items():
            client.force_login(user)
            texts[username] = client.get(url).content.decode()
        assert texts["specialist"].endswith("\n\nLi Na"), texts
        assert texts["senior"].endswith("\n\nMaria Santos"), texts


def test_the_demo_messages_to_sellers_are_signed_by_who_wrote_them(demo_settings):
    seed()
    written = Message.objects.filter(
        side=Message.Side.STAFF, visibility=Message.Visibility.PUBLIC
    ).select_related("author")
    assert {m.author.get_username() for m in written} >= {"specialist", "specialist2", "senior"}
    for message in written:
        author = message.author
        assert message.body.endswith(f"\n\n{signature_of(author)}"), message.body
        own = {signature_of(author), author.first_name, author.last_name, author.get_username()}
        assert names_in(message.body, staff_names() - own) == set(), message.body
