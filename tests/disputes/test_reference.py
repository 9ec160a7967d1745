"""Human references: DSP-YYYY-NNNNNN, sequential within a year, distinct under concurrency."""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime

import pytest
from django.db import connection

from core.errors import InvalidInput
from disputes import services
from disputes.models import Dispute
from tests.factories import MembershipFactory, SellerFactory

REFERENCE = re.compile(r"^DSP-(\d{4})-(\d{6})$")
FIELDS = {"sku": "MUG-1", "quantity": 2}


def _file(seller, user) -> str:
    dispute = services.submit_dispute(
        seller=seller, submitted_by=user, claim_type="warehouse_damaged", fields=FIELDS
    )
    return dispute.reference


def _parts(reference: str) -> tuple[int, int]:
    match = REFERENCE.match(reference)
    assert match, reference
    return int(match[1]), int(match[2])


@pytest.mark.django_db
def test_references_are_sequential_within_the_year(seller_a, seller_a_user, time_machine):
    time_machine.move_to(datetime(2026, 5, 4, 10, 0, tzinfo=UTC), tick=False)
    references = [_file(seller_a, seller_a_user) for _ in range(3)]
    parts = [_parts(r) for r in references]
    assert {year for year, _ in parts} == {2026}
    first = parts[0][1]
    assert [number for _, number in parts] == [first, first + 1, first + 2]
    assert references[0] == f"DSP-2026-{first:06d}"


@pytest.mark.django_db
def test_references_restart_at_one_in_a_new_year(seller_a, seller_a_user, time_machine):
    time_machine.move_to(datetime(2030, 12, 31, 23, 59, 58, tzinfo=UTC), tick=False)
    assert _file(seller_a, seller_a_user) == "DSP-2030-000001"
    assert _file(seller_a, seller_a_user) == "DSP-2030-000002"
    time_machine.move_to(datetime(2031, 1, 1, 0, 0, 1, tzinfo=UTC), tick=False)
    assert _file(seller_a, seller_a_user) == "DSP-2031-000001"
    assert _file(seller_a, seller_a_user) == "DSP-2031-000002"


@pytest.mark.django_db
def test_a_refused_submission_burns_no_reference(seller_a, seller_a_user, time_machine):
    time_machine.move_to(datetime(2029, 6, 1, 10, 0, tzinfo=UTC), tick=False)
    assert _file(seller_a, seller_a_user) == "DSP-2029-000001"
    with pytest.raises(InvalidInput):
        services.submit_dispute(
            seller=seller_a,
            submitted_by=seller_a_user,
            claim_type="warehouse_damaged",
            fields={"sku": "MUG-1", "quantity": 0},
        )
    assert _file(seller_a, seller_a_user) == "DSP-2029-000002"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_filings_get_distinct_references():
    workers = 8
    people = []
    for _ in range(workers):
        seller = SellerFactory()
        people.append((seller, MembershipFactory(seller=seller).user))
    barrier = threading.Barrier(workers, timeout=30)
    references: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def file(seller, user) -> None:
        try:
            barrier.wait()
            reference = _file(seller, user)
            with lock:
                references.append(reference)
        except BaseException as exc:  # reported by the main thread
            with lock:
                errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=person) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert len(references) == workers
    assert len(set(references)) == workers
    assert all(REFERENCE.match(r) for r in references)
    assert Dispute.objects.count() == workers
    numbers = sorted(_parts(r)[1] for r in references)
    assert numbers == list(range(numbers[0], numbers[0] + workers))
