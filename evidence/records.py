"""What an imported record must be: one serializer per record kind, for JSON and CSV alike.

Types are exact (a quantity is a whole number, a date is a date written as text, text is text),
values are bounded (dates within a sane window of today, quantities within what a shipment can
hold, no control characters, the columns' lengths). What a row must say to be true (nothing in
the future, never more received than shipped) is the model's `clean()`, which the import runs on
each row after this. A row that passes both can be stored and read back by every page.

`RecordValidator` runs these same serializers fast enough for batches of tens of thousands of
rows: it asks each field about each distinct value once, and the whole serializer about a row
only when a field refused something (so a refusal says exactly what the serializer says).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers
from rest_framework.fields import empty

from evidence.choices import RecordKind
from evidence.models import CarrierScan, CustomerReturn, LedgerEvent

MAX_QUANTITY = 1_000_000
YEARS_BACK = 10
DAYS_AHEAD = 30
# Control characters, and lone surrogates (JSON can carry them; no database can store them).
CONTROL = re.compile("[\x00-\x1f\x7f\ud800-\udfff]")
RECORD_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/#-]*$")


def _no_control_characters(value: str) -> None:
    if CONTROL.search(value):
        raise serializers.ValidationError(_("Remove control characters (tabs, line breaks, NUL)."))


def _in_window(day) -> None:
    today = timezone.localdate()
    first, last = today - timedelta(days=365 * YEARS_BACK), today + timedelta(days=DAYS_AHEAD)
    if not first <= day <= last:
        raise serializers.ValidationError(
            _("Enter a date between %(first)s and %(last)s.")
            % {"first": first.isoformat(), "last": last.isoformat()}
        )


class Text(serializers.CharField):
    """One line of text: no control characters, never a number, list or object in disguise."""

    def __init__(self, max_length: int, **kwargs):
        kwargs.setdefault("allow_blank", not kwargs.get("required", True))
        super().__init__(max_length=max_length, trim_whitespace=True, **kwargs)
        self.validators.append(_no_control_characters)

    def to_internal_value(self, value):
        if not isinstance(value, str):
            self.fail("invalid")
        return super().to_internal_value(value)


class Day(serializers.DateField):
    """A date written as text (2026-11-01), within the window."""

    def __init__(self, **kwargs):
        super().__init__(input_formats=["iso-8601"], **kwargs)

    def to_internal_value(self, value):
        if isinstance(value, date) and not isinstance(value, datetime):
            day = value  # from Python (the demo data), not from JSON or CSV
        elif isinstance(value, str):
            day = super().to_internal_value(value)
        else:
            self.fail("invalid", format="YYYY-MM-DD")
        _in_window(day)
        return day


class Moment(serializers.DateTimeField):
    """A moment written as ISO text (with its offset), within the window."""

    def to_internal_value(self, value):
        if not isinstance(value, (str, datetime)):
            self.fail("invalid", format="YYYY-MM-DDThh:mm:ss±hh:mm")
        try:
            moment = super().to_internal_value(value)
        except OverflowError:  # 9999-12-31T23:59:59-12:00 is past what a datetime holds
            self.fail("invalid", format="YYYY-MM-DDThh:mm:ss±hh:mm")
        _in_window(timezone.localdate(moment))
        return moment


class Units(serializers.IntegerField):
    """A whole number of units (2 or "2"; never 1.7, true or a list)."""

    def __init__(self, *, min_value: int = 0, **kwargs):
        super().__init__(min_value=min_value, max_value=MAX_QUANTITY, **kwargs)

    def to_internal_value(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            self.fail("invalid")
        if isinstance(value, str) and not re.fullmatch(r"\s*[+-]?\d+\s*", value):
            self.fail("invalid")
        return super().to_internal_value(value)


def _record_id_characters(value: str) -> None:
    # A plain regex: Django's RegexValidator reaches its lazily compiled one through a caught
    # AttributeError on every call, and a batch checks up to 50,000 new ids.
    if not RECORD_ID.search(value):
        raise serializers.ValidationError(_("Use letters, digits and . _ : / # - only."))


class RecordSerializer(serializers.Serializer):
    record_id = Text(64, validators=[_record_id_characters])
    seller_id = Text(32)


class LedgerRecord(RecordSerializer):
    event_date = Day()
    sku = Text(64)
    fnsku = Text(32, required=False)
    fulfillment_center = Text(16)
    event_type = serializers.ChoiceField(choices=LedgerEvent.EventType.choices)
    # Signed: an adjustment may take units away.
    quantity = Units(min_value=-MAX_QUANTITY)
    reference_id = Text(64, required=False)


class ShipmentRecord(RecordSerializer):
    shipment_id = Text(40)
    sku = Text(64)
    quantity_shipped = Units()
    quantity_received = Units()
    closed_date = Day(required=False, allow_null=True)


class ReturnRecord(RecordSerializer):
    order_id = Text(40)
    sku = Text(64)
    quantity = Units(min_value=1)
    refund_date = Day()
    received_date = Day(required=False, allow_null=True)
    disposition = serializers.ChoiceField(
        choices=CustomerReturn.Disposition.choices, required=False, allow_blank=True
    )


class CarrierScanRecord(RecordSerializer):
    tracking_id = Text(64)
    carrier = Text(40)
    event = serializers.ChoiceField(choices=CarrierScan.Event.choices)
    event_time = Moment()
    exception_code = Text(32, required=False)


class RemovalRecord(RecordSerializer):
    removal_order_id = Text(40)
    sku = Text(64)
    quantity_shipped = Units()
    quantity_delivered = Units()
    shipped_date = Day()


RECORD_SERIALIZERS: dict[str, type[RecordSerializer]] = {
    RecordKind.LEDGER: LedgerRecord,
    RecordKind.SHIPMENTS: ShipmentRecord,
    RecordKind.RETURNS: ReturnRecord,
    RecordKind.CARRIER_SCANS: CarrierScanRecord,
    RecordKind.REMOVALS: RemovalRecord,
}


_REFUSED = object()


class RecordValidator:
    """One kind's serializer, for one batch of rows: the same verdicts, each distinct value of a
    column checked once.

    A field's verdict depends on its value alone (and today's date, which one batch takes as one
    day), so the verdict on a `str` or `int` is kept for the batch: a column of 50,000 rows
    holds a handful of dates, SKUs and event types. A row any field refuses, or that carries
    something else (a list, an object), is handed whole to the serializer for its error dict.
    """

    def __init__(self, kind: str):
        self.serializer = RECORD_SERIALIZERS[kind]()
        self.names = frozenset(self.serializer.fields)
        self._columns = [
            (name, field, field.required, {})
            for name, field in self.serializer.fields.items()
            if not field.read_only
        ]
        # A serializer that checks more than each field alone (validate(), its own validators,
        # validate_<field>) is run whole on every row.
        self._fields_decide = not (
            self.serializer.validators
            or type(self.serializer).validate is not serializers.Serializer.validate
            or any(
                hasattr(self.serializer, f"validate_{name}")
                or field.source_attrs != [name]
                or field.default is not empty
                for name, field, _required, _verdicts in self._columns
            )
        )

    def validate(self, row: dict) -> tuple[dict | None, dict | None]:
        """(validated values, None) or (None, the serializer's errors by field)."""
        if not self._fields_decide:
            return self._whole(row)
        values = {}
        for name, field, required, verdicts in self._columns:
            value = row.get(name, empty)
            if value is empty:
                if required:
                    return self._whole(row)
                continue
            if value.__class__ is str or value.__class__ is int:
                key = (value.__class__, value)
                verdict = verdicts.get(key)
                if verdict is None:
                    verdict = verdicts[key] = self._verdict(field, value)
            else:
                verdict = self._verdict(field, value)
            if verdict is _REFUSED:
                return self._whole(row)
            values[name] = verdict
        return values, None

    @staticmethod
    def _verdict(field: serializers.Field, value):
        try:
            return field.run_validation(value)
        except (serializers.ValidationError, DjangoValidationError):
            return _REFUSED

    def _whole(self, row: dict) -> tuple[dict | None, dict | None]:
        try:
            return dict(self.serializer.run_validation(row)), None
        except serializers.ValidationError as exc:
            return None, exc.detail
