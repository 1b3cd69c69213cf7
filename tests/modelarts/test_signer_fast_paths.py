"""The signer's shortcuts give what the plain computations give, and its memos never mix requests up.

Each shortcut (HMAC pads kept per key, percent-encoding by ``str.translate``, given dates checked without
strptime, the date written once a second, the headers' share memoised) is compared with the standard-library
computation it replaces, or with the official signer, on generated inputs.
"""

import hashlib
import hmac
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

import pytest
from huaweicloudsdkcore.auth.credentials import BasicCredentials
from huaweicloudsdkcore.sdk_request import SdkRequest
from huaweicloudsdkcore.signer.signer import Signer
from hypothesis import given, settings
from hypothesis import strategies as st

from pools.modelarts import signer

AK = "AKFASTPATH0000000001"
SK = "SKFASTPATH00000000000000000000000000001"
URL = "https://modelarts.example.com/v2/p/pools?limit=5"
NOW = datetime(2025, 1, 1, 8, 0, 0, tzinfo=UTC)
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))


@settings(max_examples=300, deadline=None)
@given(key=TEXT.filter(bool), message=TEXT)
def test_signature_is_hmac_sha256_for_keys_of_any_length(key, message):
    expected = hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()

    assert signer.signature(key, message) == expected


@pytest.mark.parametrize("length", [1, 63, 64, 65, 200])
def test_signature_around_the_block_size(length):
    key = "k" * length

    assert signer.signature(key, "to sign") == hmac.new(key.encode(), b"to sign", hashlib.sha256).hexdigest()


@settings(max_examples=500, deadline=None)
@given(value=TEXT)
def test_encode_is_quote_with_only_tilde_safe(value):
    signer.encode.cache_clear()

    assert signer.encode(value) == quote(value, safe="~")


def test_encode_refuses_a_lone_surrogate_as_quote_does():
    with pytest.raises(UnicodeEncodeError):
        quote("a\ud800", safe="~")
    with pytest.raises(UnicodeEncodeError):
        signer.encode("a\ud800")


def _strptime_reading(value):
    try:
        return signer.format_date(signer.parse_date(value))
    except ValueError:
        return ValueError


def _our_reading(value):
    signer._date_to_sign.cache_clear()
    try:
        return signer._date_to_sign(value)
    except ValueError:
        return ValueError


DIGITS = st.text(alphabet="0123456789", min_size=2, max_size=2)


@settings(max_examples=1000, deadline=None)
@given(
    year=st.sampled_from(["0000", "0001", "0999", "1000", "1970", "2025", "2100", "9999"]),
    month=DIGITS,
    day=DIGITS,
    hour=DIGITS,
    minute=DIGITS,
    second=DIGITS,
)
def test_a_given_date_in_basic_form_is_read_as_strptime_reads_it(year, month, day, hour, minute, second):
    value = f"{year}{month}{day}T{hour}{minute}{second}Z"

    assert _our_reading(value) == _strptime_reading(value)


@pytest.mark.parametrize(
    "value",
    [
        "20240229T235959Z",  # a leap day
        "20250229T000000Z",  # not a leap year
        "20250101T240000Z",  # hour 24: refused by strptime, accepted by newer ISO parsers
        "20250101T000060Z",
        "20250101t080000z",  # strptime ignores case, and the SDK signs it upper-cased
        "2025111T080000Z",  # one-digit month
        "00010101T000000Z",  # strftime writes year 1 unpadded
        " 20250101T080000Z",
        "20250101T080000Z ",
        "٢٠٢٥٠١٠١T080000Z",  # digits strptime's \d also reads
        "",
    ],
)
def test_odd_given_dates_are_read_as_strptime_reads_them(value):
    assert _our_reading(value) == _strptime_reading(value)


def official_authorization(headers):
    request = SdkRequest(
        method="GET",
        schema="https",
        host="modelarts.example.com",
        resource_path="/v2/p/pools",
        query_params=[("limit", "5")],
        header_params=dict(headers),
    )
    return Signer(BasicCredentials(AK, SK)).sign(request).header_params


@pytest.mark.parametrize(
    "date", ["20240229T235959Z", "20250101t080000z", "2025111T080000Z", "00010101T000000Z"]
)
def test_given_dates_sign_as_the_official_signer_signs_them(date):
    headers = {"Content-Type": "application/json", "X-Sdk-Date": date}

    ours = signer.sign("GET", URL, headers, b"", AK, SK, now=NOW)

    assert ours == official_authorization(headers)


def test_an_impossible_given_date_is_refused_by_both():
    headers = {"X-Sdk-Date": "20250230T080000Z"}

    with pytest.raises(ValueError):
        official_authorization(headers)
    with pytest.raises(ValueError):
        signer.sign("GET", URL, headers, b"", AK, SK, now=NOW)


ZONES = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))])


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(min_value=datetime(1000, 1, 2), max_value=datetime(9999, 12, 30)),
    steps=st.lists(st.integers(min_value=-2_000_000, max_value=2_000_000), max_size=8),
    zone=ZONES,
)
def test_the_date_written_once_a_second_is_always_the_current_one(start, steps, zone):
    moment = start.replace(tzinfo=zone)
    for step in [0, *steps]:
        moment += timedelta(microseconds=step)

        assert signer._now_text(moment) == signer.format_date(moment)


@pytest.mark.parametrize(
    "moment",
    [
        datetime(3200, 8, 10, 0, 24, 32, 999_999, tzinfo=UTC),  # a float timestamp rounds it up a second
        datetime(9999, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),  # no instant after its second
        datetime(9999, 12, 31, 23, 59, 59, tzinfo=UTC),
        datetime(1, 1, 1, 0, 0, 0, 1, tzinfo=UTC),
        datetime(2025, 1, 1, 7, 59, 59, 999_999, tzinfo=timezone(timedelta(microseconds=1))),
    ],
)
def test_the_date_written_at_the_edges_of_a_second_and_of_time(moment):
    for offset in [timedelta(0), timedelta(microseconds=-1), timedelta(0)]:
        assert signer._now_text(moment + offset) == signer.format_date(moment + offset)


def test_a_naive_now_is_taken_as_utc():
    assert signer._now_text(datetime(2025, 1, 1, 8, 0, 0, 999_999)) == "20250101T080000Z"


def test_each_signature_carries_its_own_second():
    first = signer.sign("GET", URL, {}, b"", AK, SK, now=NOW)
    later = signer.sign("GET", URL, {}, b"", AK, SK, now=NOW + timedelta(seconds=1))
    again = signer.sign("GET", URL, {}, b"", AK, SK, now=NOW + timedelta(microseconds=999_999))

    assert (first["X-Sdk-Date"], later["X-Sdk-Date"]) == ("20250101T080000Z", "20250101T080001Z")
    assert again == first
    assert later["Authorization"] != first["Authorization"]


@pytest.mark.parametrize("value", [True, 1, 1.0, "1", "True", " 1 ", ["a"], None])
def test_header_values_that_compare_equal_are_signed_as_their_own_text(value):
    """1, 1.0 and True are one dictionary key; a memo keyed on them would sign one as another."""
    for other in [True, 1, 1.0, "1"]:
        signer.sign("GET", URL, {"X-Value": other}, b"", AK, SK, now=NOW)

    signed = signer.sign("GET", URL, {"X-Value": value}, b"", AK, SK, now=NOW)

    assert signed["X-Value"] == str(value).strip()
    assert signed == official_authorization({"X-Value": str(value), "X-Sdk-Date": "20250101T080000Z"}) | {
        "X-Value": str(value).strip()
    }


def test_the_headers_returned_are_the_callers_own():
    headers = {"Content-Type": "application/json", "X-Project-Id": "p"}
    first = signer.sign("GET", URL, headers, b"", AK, SK, now=NOW)
    first["X-Project-Id"] = "changed"
    first.pop("Authorization")

    second = signer.sign("GET", URL, headers, b"", AK, SK, now=NOW)

    assert second["X-Project-Id"] == "p"
    assert "Authorization" in second
    assert headers == {"Content-Type": "application/json", "X-Project-Id": "p"}


def test_the_same_headers_under_other_hosts_and_keys_sign_apart():
    headers = {"Content-Type": "application/json"}
    here = signer.sign("GET", URL, headers, b"", AK, SK, now=NOW)
    elsewhere = signer.sign("GET", URL.replace("example.com", "example.org"), headers, b"", AK, SK, now=NOW)
    other_key = signer.sign("GET", URL, headers, b"", AK, SK + "x", now=NOW)

    assert elsewhere["Host"] == "modelarts.example.org"
    assert len({here["Authorization"], elsewhere["Authorization"], other_key["Authorization"]}) == 3


def test_a_given_date_in_any_case_needs_no_clock_and_none_at_all_is_refused():
    signed = signer.sign("GET", URL, {"x-sdk-date": "20250101T080000Z"}, b"", AK, SK, now=None)

    assert signed["x-sdk-date"] == "20250101T080000Z" and "X-Sdk-Date" not in signed
    with pytest.raises(ValueError, match="X-Sdk-Date"):
        signer.sign("GET", URL, {}, b"", AK, SK, now=None)
