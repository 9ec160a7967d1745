"""factory_boy factories: one per model, with realistic defaults."""

from __future__ import annotations

import struct
import zlib
from datetime import date
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from disputes.models import Dispute, Message, Queue
from disputes.status import Status
from sellers.models import Seller, SellerMembership, Sku

PASSWORD = "arbiter-test-pass"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    """A staff user in one role group (`role="Specialist"` by default)."""

    is_staff = True

    @factory.post_generation
    def role(obj, create, extracted, **kwargs):
        if create:
            obj.groups.add(Group.objects.get(name=extracted or "Specialist"))


class SellerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Seller

    seller_id = factory.Sequence(lambda n: f"S{n:07d}")
    name = factory.Sequence(lambda n: f"Seller {n}")
    marketplace = "US"
    default_currency = "USD"
    preferred_language = "en"
    contact_email = factory.LazyAttribute(lambda s: f"{s.seller_id.lower()}@seller.example")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SellerMembership

    user = factory.SubFactory(UserFactory)
    seller = factory.SubFactory(SellerFactory)


class SkuFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Sku

    seller = factory.SubFactory(SellerFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    fnsku = factory.Sequence(lambda n: f"X00{n:07d}")
    title = factory.Sequence(lambda n: f"Product {n}")
    reference_value = Decimal("25.00")
    currency = factory.LazyAttribute(lambda s: s.seller.default_currency)


class DisputeFactory(factory.django.DjangoModelFactory):
    """A dispute created directly in a given status (for reads and transition tables)."""

    class Meta:
        model = Dispute

    reference = factory.Sequence(lambda n: f"DSP-2026-{n + 900000:06d}")
    seller = factory.SubFactory(SellerFactory)
    claim_type = "warehouse_damaged"
    sku = "SKU-00001"
    quantity = 3
    event_date = factory.LazyFunction(lambda: date.today())
    currency = factory.LazyAttribute(lambda d: d.seller.default_currency)
    status = Status.OPEN
    queue = factory.LazyFunction(lambda: Queue.objects.get(slug="inventory"))
    created_by = factory.SubFactory(UserFactory)
    language = "en"


class MessageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Message

    dispute = factory.SubFactory(DisputeFactory)
    side = Message.Side.SELLER
    body = "Please look at this again."


def in_status(status: str, **kwargs) -> Dispute:
    """A dispute sitting in `status` with the fields that status implies."""
    now = timezone.now()
    extra: dict = {}
    if status in (Status.IN_REVIEW, Status.AWAITING_SELLER, Status.ESCALATED):
        extra["assignee"] = kwargs.pop("assignee", None)
    if status == Status.AWAITING_SELLER:
        extra["seller_response_due_at"] = now + timezone.timedelta(days=14)
        extra["sla_paused_at"] = now
    if status in (Status.DECIDED, Status.CLOSED):
        extra.update(
            outcome="denied",
            reason_code="insufficient_evidence",
            decided_at=now,
            appeal_deadline_at=now + timezone.timedelta(days=30),
        )
    if status == Status.APPEALED:
        extra.update(appeal_count=1, outcome="denied", reason_code="insufficient_evidence")
    extra.update(kwargs)
    return DisputeFactory(status=status, **extra)


def png_bytes(seed: int = 0) -> bytes:
    """A real 2x2 PNG; `seed` changes the pixels so files hash differently."""
    raw = b"".join(b"\x00" + bytes([seed % 256, 0, 0] * 2) for _ in range(2))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
