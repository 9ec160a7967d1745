"""CSV downloads streamed row by row: memory stays flat whatever the number of rows.

Every text cell that a spreadsheet would run as a formula (=, +, -, @, a tab or a carriage
return first) is written with a leading apostrophe, so a seller's `=HYPERLINK(…)` in a SKU or a
description is shown as text in finance's spreadsheet, never run. Numbers are left as they are
(a reversal's -10.00 stays a number), and so is text that is just a number ("-3" in an
uploaded CSV)."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable

from django.http import StreamingHttpResponse

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PLAIN_NUMBER = re.compile(r"[+-]?\d+(?:[.,]\d+)?")


def neutralise(cell):
    if (
        isinstance(cell, str)
        and cell.startswith(FORMULA_START)
        and not PLAIN_NUMBER.fullmatch(cell)
    ):
        return "'" + cell
    return cell


class _Echo:
    """A file whose write() returns the line, so csv.writer yields instead of buffering."""

    def write(self, value: str) -> str:
        return value


def csv_response(rows: Iterable[list], filename: str) -> StreamingHttpResponse:
    writer = csv.writer(_Echo())
    response = StreamingHttpResponse(
        (writer.writerow([neutralise(cell) for cell in row]) for row in rows),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
