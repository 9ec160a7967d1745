"""Imported records are validated row by row, JSON and CSV alike: any input is stored whole or
refused with per-row errors in the error shape, never a server error, never a bad row stored."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evidence.choices import RecordKind
from evidence.models import CarrierScan, LedgerEvent, ShipmentLine
from evidence.records import RECORD_SERIALIZERS
from tests.clients import client_for
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TODAY = date.today().isoformat()


@pytest.fixture
def importer(db):
    user = UserFactory(username="importer")
    user.user_permissions.add(Permission.objects.get(codename="import_records"))
    return client_for(user)


def _ledger(seller, **change):
    return {
        "record_id": "L-1",
        "seller_id": seller.seller_id,
        "event_date": TODAY,
        "sku": "MUG-1",
        "fulfillment_center": "PHX7",
        "event_type": "lost",
        "quantity": 2,
        **change,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"event_date": 12345}, "event_date"),
        ({"event_date": True}, "event_date"),
        ({"event_date": [TODAY]}, "event_date"),
        ({"event_date": {"d": TODAY}}, "event_date"),
        ({"event_date": "9999-12-31"}, "event_date"),
        ({"sku": {"a": 1}}, "sku"),
        ({"sku": "MUG\x00-1"}, "sku"),
        ({"sku": "x" * 65}, "sku"),
        ({"quantity": 1.7}, "quantity"),
        ({"quantity": "1.7"}, "quantity"),
        ({"quantity": True}, "quantity"),
        ({"quantity": 10**12}, "quantity"),
        ({"record_id": "<script>"}, "record_id"),
        ({"seller_id": ["S0001"]}, "seller_id"),
    ],
)
def test_a_bad_ledger_row_is_refused_with_its_field_named(importer, seller_a, change, field):
    response = importer.post("/api/v1/records/ledger/", [_ledger(seller_a, **change)])
    assert response.status_code == 400, response.content
    assert f"rows[0].{field}" in response.json()["error"]["fields"]
    assert not LedgerEvent.objects.exists()


def test_a_lone_surrogate_escaped_in_json_is_refused(importer, seller_a):
    body = json.dumps([_ledger(seller_a, sku="MUG-1")]).replace("MUG-1", "MUG\\ud800")
    response = importer.generic(
        "POST", "/api/v1/records/ledger/", body, content_type="application/json"
    )
    assert response.status_code == 400, response.content
    assert "rows[0].sku" in response.json()["error"]["fields"]


def test_a_scan_far_in_the_future_is_refused_not_stored(importer, seller_a):
    row = {
        "record_id": "S-1",
        "seller_id": seller_a.seller_id,
        "tracking_id": "1Z",
        "carrier": "UPS",
        "event": "delivered",
        "event_time": "9999-12-31T23:59:59-12:00",
    }
    response = importer.post("/api/v1/records/carrier-scans/", [row])
    assert response.status_code == 400
    assert "rows[0].event_time" in response.json()["error"]["fields"]
    row["event_time"] = 5
    assert importer.post("/api/v1/records/carrier-scans/", [row]).status_code == 400
    assert not CarrierScan.objects.exists()


def test_more_received_than_shipped_is_refused(importer, seller_a):
    row = {
        "record_id": "SH-1",
        "seller_id": seller_a.seller_id,
        "shipment_id": "FBA1",
        "sku": "MUG-1",
        "quantity_shipped": 5,
        "quantity_received": 6,
    }
    response = importer.post("/api/v1/records/shipments/", [row])
    assert "rows[0].quantity_received" in response.json()["error"]["fields"]
    assert not ShipmentLine.objects.exists()


@pytest.mark.parametrize(
    "text",
    [
        "record_id,seller_id,surprise\nL-1,S1,x,extra,fields\n",  # unknown column, extra fields
        "record_id,sku\nL-1," + "x" * 140_000 + "\n",  # over the csv module's field limit
        "record_id,sku\nL-1,MU\x00G\n",  # a NUL byte
    ],
)
def test_a_hostile_csv_is_a_400(importer, text):
    upload = io.BytesIO(text.encode())
    upload.name = "ledger.csv"
    response = importer.post("/api/v1/records/ledger/", {"file": upload}, format="multipart")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"error"}


def test_json_nested_too_deep_is_a_400(importer):
    body = "[" * 100_000 + "]" * 100_000
    response = importer.generic(
        "POST", "/api/v1/records/ledger/", body, content_type="application/json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"error"}


def test_dates_within_the_window_and_optional_columns_left_empty_are_stored(importer, seller_a):
    rows = [
        _ledger(seller_a, record_id="L-old", event_date=str(date.today() - timedelta(days=3000))),
        _ledger(seller_a, record_id="L-csv", quantity="-3", fnsku="", reference_id=None),
    ]
    response = importer.post("/api/v1/records/ledger/", rows)
    assert response.status_code == 201, response.content
    assert sorted(LedgerEvent.objects.values_list("quantity", flat=True)) == [-3, 2]


# --- fuzz: any row, any kind -------------------------------------------------------------------

anything = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=5,
)


def _row_strategy(kind: str, seller_id: str):
    fields = [f for f in RECORD_SERIALIZERS[kind]().fields if f not in ("record_id", "seller_id")]
    return st.fixed_dictionaries(
        {"record_id": st.text(min_size=1, max_size=70), "seller_id": st.just(seller_id)},
        optional={name: anything | st.just(TODAY) | st.just("7") for name in fields},
    )


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_import_answers_201_or_400_and_stores_only_valid_rows(importer, seller_a, data):
    kind = data.draw(st.sampled_from(RecordKind.values))
    rows = data.draw(st.lists(_row_strategy(kind, seller_a.seller_id), min_size=1, max_size=3))
    as_csv = data.draw(st.booleans())
    with transaction.atomic():
        if as_csv:
            names = sorted({name for row in rows for name in row})
            lines = [",".join(names)] + [
                ",".join(json.dumps(row.get(n, ""))[:50].replace(",", ";") for n in names)
                for row in rows
            ]
            upload = io.BytesIO("\n".join(lines).encode("utf-8", "surrogatepass"))
            upload.name = "rows.csv"
            response = importer.post(
                f"/api/v1/records/{kind}/", {"file": upload}, format="multipart"
            )
        else:
            response = importer.post(f"/api/v1/records/{kind}/", rows)
        assert response.status_code in (201, 400), response.content
        if response.status_code == 400:
            assert set(response.json()["error"]) == {"code", "message", "fields"}
        transaction.set_rollback(True)
