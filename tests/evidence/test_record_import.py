"""Large record imports: rows validated by the kind's serializer in one pass per batch, written
through COPY on PostgreSQL, with the same verdicts, counts and stored values as a small import."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from core.errors import InvalidInput
from disputes import background
from disputes.models import CheckRun
from disputes.status import Status
from evidence import services
from evidence.choices import RecordKind
from evidence.models import LedgerEvent
from evidence.records import RECORD_SERIALIZERS, RecordValidator
from evidence.services import import_records
from tests.clients import client_for
from tests.evidence.test_services import ledger_row
from tests.factories import SkuFactory, UserFactory, in_status

pytestmark = pytest.mark.django_db

COPY_ROWS = services.COPY_MIN_ROWS + 20
TRICKY = 'MUG "quoted, text" 中文 \\N C:\\new'  # quotes, a comma, CJK, backslashes (COPY escapes)


def _copied(queries: CaptureQueriesContext) -> bool:
    return any("CREATE TEMPORARY TABLE" in q["sql"] for q in queries.captured_queries)


def test_a_large_batch_mixing_new_and_known_records_is_copied_with_exact_counts(seller_a):
    first = [ledger_row(seller_a, f"L-{n}", quantity=n % 7) for n in range(COPY_ROWS)]
    assert import_records(kind="ledger", rows=first)["created"] == COPY_ROWS
    known = list(LedgerEvent.objects.order_by("id").values())

    half = COPY_ROWS // 2
    again = [ledger_row(seller_a, f"L-{n}", quantity="99") for n in range(half, COPY_ROWS)]
    new = [
        ledger_row(
            seller_a,
            f"N-{n}",
            sku=TRICKY,
            fnsku="",  # an empty cell: the model's default
            event_date="2025-12-31",
            quantity="-3",
            reference_id=f"REF,{n}",
        )
        for n in range(COPY_ROWS)
    ]
    new[1].pop("fnsku")  # a column left out: the same default
    twice = ledger_row(seller_a, "N-0", quantity="5")  # later in the batch: the first row wins
    with CaptureQueriesContext(connection) as queries:  # the second COPY in one transaction
        result = import_records(kind="ledger", rows=[*again, *new, twice])

    assert _copied(queries)
    assert result == {
        "received": len(again) + COPY_ROWS + 1,
        "created": COPY_ROWS,
        "skipped": len(again) + 1,
    }
    assert list(LedgerEvent.objects.filter(record_id__startswith="L-").order_by("id").values()) == (
        known
    )
    stored = list(LedgerEvent.objects.filter(record_id__startswith="N-").order_by("id"))
    assert [e.record_id for e in stored] == [f"N-{n}" for n in range(COPY_ROWS)]
    assert {
        (e.seller_id, e.event_date, e.sku, e.fnsku, e.fulfillment_center, e.event_type, e.quantity)
        for e in stored
    } == {(seller_a.pk, date(2025, 12, 31), TRICKY, "", "PHX7", "lost", -3)}
    assert [e.reference_id for e in stored] == [f"REF,{n}" for n in range(COPY_ROWS)]
    assert all(e.imported_at is not None for e in stored)


def _row(kind: str, seller_id: str, n: int) -> dict:
    """A row of each kind, every other one with its optional columns left empty."""
    full = n % 2
    rows = {
        "ledger": {
            "event_date": "2026-02-10",
            "sku": TRICKY,
            "fnsku": "X00,1" if full else "",
            "fulfillment_center": "PHX7",
            "event_type": "found",
            "quantity": str(n - 60),
            "reference_id": 'R"1"' if full else None,
        },
        "shipments": {
            "shipment_id": "FBA'1,2",
            "sku": "杯子-1",
            "quantity_shipped": "10",
            "quantity_received": n % 11,
            "closed_date": "2026-01-31" if full else "",
        },
        "returns": {
            "order_id": "111-0000000-0000001",
            "sku": "MUG\\1",
            "quantity": "1",
            "refund_date": "2026-01-05",
            "received_date": "2026-02-01" if full else "",
            "disposition": "customer_damaged" if full else "",
        },
        "carrier-scans": {
            "tracking_id": '1Z"999"',
            "carrier": "顺丰, SF",
            "event": "exception",
            "event_time": "2026-11-30T23:15:00+08:00",
            "exception_code": "E\\7" if full else "",
        },
        "removals": {
            "removal_order_id": "RMV,1",
            "sku": "マグ",
            "quantity_shipped": 5,
            "quantity_delivered": str(n % 6),
            "shipped_date": "2026-11-01",
        },
    }
    return {"record_id": f"{kind}-{n}", "seller_id": seller_id, **rows[kind]}


@pytest.mark.parametrize("kind", RecordKind.values)
def test_copy_and_insert_store_the_same_values(seller_a, kind):
    model = services.RECORD_MODELS[kind]
    rows = [_row(kind, seller_a.seller_id, n) for n in range(COPY_ROWS)]
    with CaptureQueriesContext(connection) as queries:
        import_records(kind=kind, rows=[{**r, "record_id": f"C-{r['record_id']}"} for r in rows])
    assert _copied(queries)
    small = services.COPY_MIN_ROWS // 2
    with CaptureQueriesContext(connection) as queries:
        for start in range(0, COPY_ROWS, small):  # small batches: bulk_create
            batch = [{**r, "record_id": f"B-{r['record_id']}"} for r in rows[start:][:small]]
            import_records(kind=kind, rows=batch)
    assert not _copied(queries)

    columns = ["seller_id", *services.record_fields(kind)]
    stored = model.objects.order_by("id").values(*columns)
    copied = list(stored.filter(record_id__startswith="C-"))
    inserted = list(stored.filter(record_id__startswith="B-"))
    assert len(copied) == COPY_ROWS
    assert copied == inserted
    assert copied[0] != copied[1]  # the empty optional columns and the filled ones both stored
    if kind == "carrier-scans":
        assert copied[0]["event_time"] == datetime(2026, 11, 30, 15, 15, tzinfo=UTC)
    if kind == "shipments":
        assert (copied[0]["closed_date"], copied[1]["closed_date"]) == (None, date(2026, 1, 31))


def test_the_insert_path_stores_only_the_records_not_known(seller_a):
    import_records(kind="ledger", rows=[ledger_row(seller_a, f"L-{n}") for n in range(3)])
    instances = [
        LedgerEvent(
            record_id=f"L-{n}",
            seller_id=seller_a.pk,
            event_date=date(2026, 1, 2),
            sku=TRICKY,
            fulfillment_center="PHX7",
            event_type="lost",
            quantity=n,
        )
        for n in range(COPY_ROWS)
    ]
    new = services._insert_new_records(LedgerEvent, instances)
    assert [i.record_id for i in new] == [f"L-{n}" for n in range(3, COPY_ROWS)]
    assert LedgerEvent.objects.count() == COPY_ROWS
    assert LedgerEvent.objects.get(record_id="L-1").sku == "MUG-1"
    assert LedgerEvent.objects.get(record_id="L-9").sku == TRICKY


def test_one_bad_row_in_a_large_batch_refuses_it_all(seller_a):
    rows = [ledger_row(seller_a, f"L-{n}") for n in range(COPY_ROWS)]
    rows[COPY_ROWS - 3]["quantity"] = "1.5"
    with pytest.raises(InvalidInput) as refused:
        import_records(kind="ledger", rows=rows)
    assert refused.value.fields == {
        f"rows[{COPY_ROWS - 3}].quantity": ["A valid integer is required."]
    }
    assert not LedgerEvent.objects.exists()


def test_an_import_touching_many_cases_sends_one_message_and_each_is_rechecked(
    seller_a, django_capture_on_commit_callbacks
):
    SkuFactory(seller=seller_a, sku="MUG-1", reference_value=Decimal("10.00"))
    touched = [
        in_status(
            Status.IN_REVIEW,
            seller=seller_a,
            claim_type="warehouse_lost",
            sku="MUG-1",
            quantity=1,
            event_date=timezone.localdate() - timedelta(days=10),
        )
        for _ in range(background.RECHECK_SENT_ONE_BY_ONE + 2)
    ]
    row = ledger_row(seller_a, "L-1", event_date=str(timezone.localdate() - timedelta(days=5)))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        import_records(kind="ledger", rows=[row])
    assert len(callbacks) == 1  # one message: the worker finds the cases and rechecks each
    with django_capture_on_commit_callbacks(execute=True):
        import_records(kind="ledger", rows=[{**row, "record_id": "L-2"}])
    reruns = CheckRun.objects.filter(dispute__in=touched, trigger=CheckRun.Trigger.RECORDS)
    assert sorted(reruns.values_list("dispute_id", flat=True)) == sorted(d.pk for d in touched)


@pytest.mark.parametrize("zone", ["Etc/GMT+12", "UTC", "Asia/Shanghai", "Pacific/Kiritimati"])
@pytest.mark.parametrize("hour", [0, 11, 23])
def test_a_record_is_in_the_future_exactly_when_its_day_is_after_today_where_it_is_checked(
    time_machine, zone, hour
):
    time_machine.move_to(datetime(2026, 12, 3, hour, 30, tzinfo=UTC), tick=False)
    with timezone.override(zone):
        today = timezone.localdate()
        for offset in range(-3, 4):
            event = LedgerEvent(event_date=today + timedelta(days=offset))
            try:
                event.clean()
                refused = False
            except ValidationError:
                refused = True
            assert refused is (offset > 0), (zone, hour, offset)


# --- the validator gives the serializer's verdicts -----------------------------------------------

# Values that look alike to a dict (1, True and 1.0 are equal keys), and values each field
# accepts or refuses, drawn again and again so that a batch meets the same value in many rows.
POOL = [
    *(1, True, 1.0, "1", 0, -1, "-3", " 7 ", 10**12, "1.7", None, [], {}, ["lost"], {"a": 1}),
    *("", " ", "x" * 65, "PHX7", " MUG ", "MUG\x00", "MUG\ud800", "中文", "<script>", "L-1", "L 2"),
    *("2026-10-01", "2026-1-5", "20261001", "9999-12-31", "2026-11-30T23:15:00+08:00"),
    *("lost", "found", "exception", "sellable", "S0000001"),
]


def _rows(kind: str):
    names = list(RECORD_SERIALIZERS[kind]().fields)
    value = st.sampled_from(POOL) | st.text(max_size=8) | st.integers()
    row = st.fixed_dictionaries({}, optional={name: value for name in names})
    return st.lists(row, min_size=1, max_size=12)


def _says_what_the_serializer_says(validator: RecordValidator, kind: str, row: dict) -> None:
    one = RECORD_SERIALIZERS[kind](data=row)  # the serializer alone, on this row alone
    values, refused = validator.validate(row)
    if one.is_valid():
        assert (values, refused) == (dict(one.validated_data), None)
    else:
        assert values is None
        assert {k: [str(m) for m in v] for k, v in refused.items()} == {
            k: [str(m) for m in v] for k, v in one.errors.items()
        }


@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_the_batch_validator_says_what_the_serializer_says(data):
    kind = data.draw(st.sampled_from(RecordKind.values))
    validator = RecordValidator(kind)  # one for the batch, as an import uses it
    for row in data.draw(_rows(kind)):
        _says_what_the_serializer_says(validator, kind, row)


@pytest.mark.parametrize("kind", RecordKind.values)
@pytest.mark.parametrize("alike", [(1, True, 1.0, "1"), ("1", 1.0, True, 1), (0, False, -0.0)])
def test_values_a_dict_takes_for_one_each_get_their_own_verdict(kind, alike):
    validator = RecordValidator(kind)
    for name in validator.names:
        for value in alike:
            _says_what_the_serializer_says(validator, kind, {**_row(kind, "S1", 1), name: value})


# --- request limits ---------------------------------------------------------------------------


def test_the_largest_batch_of_the_longest_rows_fits_the_request_limits(settings):
    longest = {
        "record_id": "R" * 64,
        "seller_id": "S" * 32,
        "event_date": "2026-02-10",
        "sku": "K" * 64,
        "fnsku": "F" * 32,
        "fulfillment_center": "C" * 16,
        "event_type": "damaged_warehouse",
        "quantity": -1_000_000,
        "reference_id": "E" * 64,
    }
    assert set(longest) == set(RECORD_SERIALIZERS["ledger"]().fields)
    body = json.dumps([longest] * settings.ARBITER["RECORD_IMPORT_MAX_ROWS"]).encode()
    assert len(body) <= settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert settings.ARBITER["MAX_REQUEST_BYTES"] >= settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_a_request_over_the_row_limit_is_refused(seller_a, settings):
    settings.ARBITER = {**settings.ARBITER, "RECORD_IMPORT_MAX_ROWS": 2}
    user = UserFactory(username="importer")
    user.user_permissions.add(Permission.objects.get(codename="import_records"))
    api = client_for(user)
    rows = [ledger_row(seller_a, f"L-{n}") for n in range(3)]
    response = api.post("/api/v1/records/ledger/", rows, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"body": ["Too many rows."]}
    assert api.post("/api/v1/records/ledger/", rows[:2], format="json").status_code == 201
