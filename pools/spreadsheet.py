"""Cells of the CSV files people open in a spreadsheet: text that a spreadsheet would run is made inert.

A spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab or carriage return before
one) as a formula: ``=HYPERLINK("https://…?"&A2, "click")`` in a metric name or an audit detail would send
the neighbouring cells away. Both CSV downloads (the audit export, the monitoring series) write every cell
through ``spreadsheet_cell``, which puts an apostrophe before such text; spreadsheets show it as the text it
is (OWASP, "CSV injection").

Numbers we hold as numbers stay numbers, negative ones too: a cell written from the float ``-3.5`` reads
``-3.5``, which every spreadsheet takes as minus three and a half, never as a formula, and an apostrophe
would make it text that no sum or chart could use. Only a finite ``int``/``float`` counts as a number; text
that merely looks like one (``"-1"`` from upstream) is text, and gets the apostrophe.
"""

from __future__ import annotations

import math

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_cell(value: object) -> object:
    """``value`` as a CSV cell that no spreadsheet runs: a finite number as itself, anything else as text."""
    if _is_number(value):
        return value
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _is_number(value: object) -> bool:
    # bool is an int, but "True" is text; inf and nan are written as text ("-inf" starts with "-").
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
