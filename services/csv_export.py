"""CSV exports that open correctly in a spreadsheet: UTF-8 with a byte order mark (Excel reads the file as UTF-8
only with it), and formula injection neutralised (OWASP): a cell a spreadsheet would take as a formula, one that
starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return, is written with a leading apostrophe, which
the spreadsheet shows as text and does not run. A phone number in E.164 (``+4930…``) is exported as
``'+4930…`` for that reason."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: object) -> str:
    """One value as a spreadsheet cell: text that cannot run as a formula."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value.normalize())
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """The whole file: the byte order mark, the header and every row, CRLF line ends (RFC 4180)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([cell(name) for name in header])
    writer.writerows([cell(value) for value in row] for row in rows)
    return BOM + buffer.getvalue()
