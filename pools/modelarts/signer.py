"""Huawei Cloud APIG ``SDK-HMAC-SHA256`` request signing.

A pipeline of small pure steps (canonical URI, query, headers, payload hash, string to sign, signature) that
reproduces ``huaweicloudsdkcore.signer.Signer`` byte for byte, quirks included, so that the gateway and the
official SDK agree with us on every request. The sandbox reuses the same steps to verify what it receives.

No key derivation: the raw SK is the HMAC key, and ``Access`` carries the AK.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from operator import itemgetter
from urllib.parse import unquote, unquote_to_bytes, urlsplit

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
HEADER_DATE = "X-Sdk-Date"
HEADER_HOST = "Host"
HEADER_AUTHORIZATION = "Authorization"
HEADER_CONTENT_SHA256 = "X-Sdk-Content-Sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

_DATE_LOWER = HEADER_DATE.lower()
_HOST_LOWER = HEADER_HOST.lower()
_CONTENT_SHA256_LOWER = HEADER_CONTENT_SHA256.lower()
_SIGNED_CONTENT_TYPES = ("application/json", "application/bson")

# A client signs the same few strings over and over (path segments, query names, URLs, dates), so the pure
# steps that turn them into canonical text are memoised. Bounded: a flood of distinct values only evicts.
_CACHE_SIZE = 4096


_UNRESERVED_ONLY = re.compile(r"[A-Za-z0-9_.~-]*").fullmatch
_UNRESERVED_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~")
# Every byte (as the code point of the same number) that is not unreserved, to its percent escape.
_PERCENT_ESCAPES = {byte: f"%{byte:02X}" for byte in range(256) if byte not in _UNRESERVED_BYTES}


@lru_cache(maxsize=_CACHE_SIZE)
def encode(value: str) -> str:
    """Percent-encode everything but RFC 3986 unreserved characters (as the SDK's ``_url_encode``).

    ``quote(value, safe="~")`` exactly, done by ``str.translate`` over the UTF-8 bytes read as Latin-1 (one
    code point per byte) instead of ``quote``'s loop in Python. Lone surrogates fail to encode in both.
    """
    if _UNRESERVED_ONLY(value):
        return value
    return value.encode("utf-8").decode("latin-1").translate(_PERCENT_ESCAPES)


@lru_cache(maxsize=_CACHE_SIZE)
def canonical_uri(path: str) -> str:
    """Decode the path, re-encode each segment, and always end with ``/``."""
    encoded = "/".join(map(encode, unquote(path or "/").split("/")))
    return encoded if encoded.endswith("/") else encoded + "/"


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Sort the raw (name, value) pairs by code point, then encode and join them."""
    ordered = sorted(pairs)
    if not ordered:
        return ""
    names, values = zip(*ordered, strict=True)
    return "&".join(map("=".join, zip(map(encode, names), map(encode, values), strict=True)))


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The (name, value) pairs of a URL query, blank values kept, ``+`` read as a space.

    Exactly ``urllib.parse.parse_qsl(query, keep_blank_values=True)``, minus its generality (bytes input,
    field limits, strict mode), which costs more than the parsing itself on short queries.
    """
    pairs = []
    for piece in query.split("&"):
        if piece:
            name, _, value = piece.partition("=")
            pairs.append((_unquote_plus(name), _unquote_plus(value)))
    return pairs


def _unquote_plus(text: str) -> str:
    if "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    # What ``unquote`` does with an ASCII string, without its search for non-ASCII runs.
    return unquote_to_bytes(text).decode("utf-8", "replace") if text.isascii() else unquote(text)


@lru_cache(maxsize=_CACHE_SIZE)
def canonical_query_of(query: str) -> str:
    """The canonical form of a raw URL query string."""
    return canonical_query(query_pairs(query)) if query else ""


def header_value(value: object) -> str:
    """A header value as the SDK signs it: text with surrounding white space removed."""
    return str(value).strip()


def wire_value(text: str) -> str:
    """A signed header value as the SDK hands it on for sending.

    The SDK re-encodes each value's UTF-8 bytes as ISO-8859-1 text; ``requests`` then writes that text back
    out as the same bytes. A server reading the header as ISO-8859-1 therefore sees exactly this text.
    """
    return text if text.isascii() else text.encode("utf-8").decode("iso-8859-1")


def signed_header_names(headers: Iterable[str]) -> list[str]:
    """Every header name without ``_``, lower-cased and sorted (duplicates kept, as the SDK keeps them)."""
    return sorted([name.lower() for name in headers if "_" not in name])


def canonical_headers(headers: Mapping[str, object], names: Iterable[str]) -> str:
    """``name:value\\n`` for each signed name; the last header of a name (any case) wins."""
    by_lower_name = {name.lower(): header_value(value) for name, value in headers.items()}
    return "".join([f"{name}:{by_lower_name.get(name, '')}\n" for name in names])


def find_header(headers: Mapping[str, object], name: str) -> str | None:
    """The first header of that name, compared without case, as the SDK looks it up."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value)
    return None


def payload_hash(body: bytes, headers: Mapping[str, object]) -> str:
    """The last canonical line: the empty-body hash, a declared ``X-Sdk-Content-Sha256``, or the body's hash.

    ``headers`` are the values as sent (see ``wire_value``): the SDK reads the declared hash only after it
    has stripped and re-encoded every header, so ``"  UNSIGNED-PAYLOAD "`` counts as ``UNSIGNED-PAYLOAD``
    and a blank one as no declaration at all.
    """
    if not body:
        return EMPTY_BODY_SHA256
    declared = find_header(headers, HEADER_CONTENT_SHA256)
    if declared:
        return declared
    return hashlib.sha256(body).hexdigest()


def canonical_request(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, object],
    names: list[str],
    body: bytes,
    *,
    payload_headers: Mapping[str, object] | None = None,
) -> str:
    """The six canonical parts joined by newlines; ``query`` is already canonical.

    ``headers`` are the signed text values; ``payload_headers`` the values as sent, where the declared
    payload hash is looked up (the same mapping when omitted).
    """
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            query,
            canonical_headers(headers, names),
            ";".join(names),
            payload_hash(body, headers if payload_headers is None else payload_headers),
        ]
    )


def string_to_sign(sdk_date: str, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature(sk: str, to_sign: str) -> str:
    """HMAC-SHA256 of ``to_sign`` under ``sk``, in hex (``hmac.new(...).hexdigest()``, computed faster)."""
    inner, outer = _hmac_pads(sk)
    inner = inner.copy()
    inner.update(to_sign.encode("utf-8"))
    outer = outer.copy()
    outer.update(inner.digest())
    return outer.hexdigest()


@lru_cache(maxsize=64)
def _hmac_pads(sk: str):
    # RFC 2104 with the key's inner and outer pads hashed once per key: a fresh HMAC object re-derives
    # them on every call, which costs more than hashing the short string to sign. Held only while the
    # process signs with that key, as the key itself is; bounded by the number of connections in use.
    key = sk.encode("utf-8")
    if len(key) > _SHA256_BLOCK:
        key = hashlib.sha256(key).digest()
    key = key.ljust(_SHA256_BLOCK, b"\0")
    return (
        hashlib.sha256(key.translate(_INNER_PAD)),
        hashlib.sha256(key.translate(_OUTER_PAD)),
    )


_SHA256_BLOCK = 64
_INNER_PAD = bytes(x ^ 0x36 for x in range(256))
_OUTER_PAD = bytes(x ^ 0x5C for x in range(256))


def authorization(ak: str, names: list[str], sig: str) -> str:
    return f"{ALGORITHM} Access={ak}, SignedHeaders={';'.join(names)}, Signature={sig}"


def format_date(now: datetime) -> str:
    """``YYYYMMDDTHHMMSSZ`` in UTC; a naive datetime is taken to be UTC already."""
    if now.tzinfo is not None:
        now = now.astimezone(UTC)
    return now.strftime(DATE_FORMAT)


def parse_date(value: str) -> datetime:
    """Parse an ``X-Sdk-Date`` value strictly; raises ``ValueError`` when it does not match."""
    return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=UTC)


# Years before 1000 are left to strptime and strftime, which writes them unpadded ("10101T…" for 0001).
_CANONICAL_DATE = re.compile(r"[1-9][0-9]{7}T[0-9]{6}Z").fullmatch


@lru_cache(maxsize=_CACHE_SIZE)
def _date_to_sign(value: str) -> str:
    # The SDK parses a given X-Sdk-Date and signs it re-formatted (strptime accepts e.g. one-digit months).
    if _CANONICAL_DATE(value) and value[9:11] < "24":
        # Eight and six digits leave strptime one reading, field by field, and the value is then its own
        # formatting; only whether that moment exists is left to check, which the C parser of ISO basic
        # format does at a tenth of strptime's cost (hour 24, which newer ones accept, is refused above).
        datetime.fromisoformat(value)
        return value
    return format_date(parse_date(value))


# A plain absolute URL: ASCII authority without IPv6 brackets, no white space, no fragment. What `urlsplit`
# makes of it is plain to see, so it is split directly; anything else goes through `urlsplit` and its
# clean-ups and checks (it refuses malformed IPv6 hosts, for one).
_PLAIN_URL = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*://([A-Za-z0-9.:@_~%!$&'()*+,;=-]*)(/[^?#\s]*)?(?:\?([^#\s]*))?"
)


def split_url(url: str) -> tuple[str, str, str]:
    """(netloc, path, query) of a URL, as ``urllib.parse.urlsplit`` gives them."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain:
        return plain.group(1), plain.group(2) or "", plain.group(3) or ""
    parts = urlsplit(url)
    return parts.netloc, parts.path, parts.query


@lru_cache(maxsize=_CACHE_SIZE)
def _url_parts(url: str) -> tuple[str, str, str]:
    """(host with any port, canonical URI, canonical query) of a URL."""
    netloc, path, query = split_url(url)
    return netloc.rpartition("@")[2], canonical_uri(path), canonical_query_of(query)


def sign(
    method: str,
    url: str,
    headers: Mapping[str, str],
    body: bytes,
    ak: str,
    sk: str,
    *,
    now: datetime,
) -> dict[str, str]:
    """Return a new header dict: ``headers`` plus ``X-Sdk-Date``, ``Host`` and ``Authorization``.

    Query parameters come from ``url``. An ``X-Sdk-Date`` already in ``headers`` is kept (and must be well
    formed). Values are stripped and re-encoded as the SDK leaves them after signing (``wire_value``).
    """
    if not ak or not sk:
        raise ValueError("both an access key and a secret key are needed to sign")
    host, uri, query = _url_parts(url)
    body = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    date_text = None if HEADER_DATE in headers or now is None else _now_text(now)
    items = tuple(headers.items())
    try:
        # A client sends the same headers again and again (the date changes once a second), so their part
        # of the signing is memoised. Text values only: 1, 1.0 and True are one key but differ as text.
        block = _header_block(items, host, date_text) if _all_text(headers.values()) else None
    except TypeError:  # an unhashable value
        block = None
    if block is None:
        block = _header_block.__wrapped__(
            tuple([(name, str(value)) for name, value in items]), host, date_text
        )
    sent, header_lines, signed_names, declared_hash, sdk_date = block

    if not body:
        body_hash = EMPTY_BODY_SHA256
    elif declared_hash:
        body_hash = declared_hash
    else:
        body_hash = hashlib.sha256(body).hexdigest()
    canonical = f"{method.upper()}\n{uri}\n{query}\n{header_lines}\n{signed_names}\n{body_hash}"
    # string_to_sign and signature, inline (two calls fewer per signature).
    inner, outer = _hmac_pads(sk)
    inner = inner.copy()
    inner.update(f"{ALGORITHM}\n{sdk_date}\n{hashlib.sha256(canonical.encode()).hexdigest()}".encode())
    outer = outer.copy()
    outer.update(inner.digest())
    sig = outer.hexdigest()

    result = sent.copy()
    result[HEADER_AUTHORIZATION] = f"{ALGORITHM} Access={ak}, SignedHeaders={signed_names}, Signature={sig}"
    return result


_ONE_SECOND = timedelta(seconds=1)
# The second last written: its first instant, the first instant after it, and its text.
_last_second: tuple[datetime, datetime, str] | None = None


def _now_text(now: datetime) -> str:
    """``format_date(now)``, formatted once a second for aware datetimes (the client's clock is one).

    The second is compared as instants, exactly: a float timestamp would round some moments late in a
    second into the next one.
    """
    global _last_second
    if now.tzinfo is None:
        return format_date(now)
    last = _last_second  # one tuple, read and replaced whole: safe across threads
    if last is not None and last[0] <= now < last[1]:
        return last[2]
    start = now.astimezone(UTC).replace(microsecond=0)
    text = format_date(start)
    try:
        _last_second = (start, start + _ONE_SECOND, text)
    except OverflowError:  # the last second of year 9999
        pass
    return text


def _all_text(values: Iterable[object]) -> bool:
    return set(map(type, values)) <= _TEXT_ONLY


_TEXT_ONLY = frozenset({str})
_first = itemgetter(0)


@lru_cache(maxsize=_CACHE_SIZE)
def _header_block(
    items: tuple[tuple[str, str], ...], host: str, date_text: str | None
) -> tuple[dict[str, str], str, str, str | None, str]:
    """The headers' share of a signature: (headers as sent, canonical header lines, signed header names,
    the first declared payload hash, the date signed). ``date_text`` is the date to add when the headers
    carry none (``None`` when they carry one under its exact name). Callers copy the dict they get."""
    signed = dict(items)
    content_type = signed.get("Content-Type")  # exact-case lookup, as the SDK does
    if content_type and not content_type.startswith(_SIGNED_CONTENT_TYPES):
        signed[HEADER_CONTENT_SHA256] = UNSIGNED_PAYLOAD

    # Built-ins mapped over the names and values rather than comprehensions: on Python 3.11 each
    # comprehension is a function call of its own, and a new header set makes half a dozen of them.
    lowers = list(map(str.lower, signed))
    if _DATE_LOWER in lowers:  # the first of that name, whatever its case, as the SDK looks it up
        sdk_date = _date_to_sign(list(signed.values())[lowers.index(_DATE_LOWER)])
    elif date_text is None:
        raise ValueError("an X-Sdk-Date header or the time to sign at is needed")
    else:
        sdk_date = signed[HEADER_DATE] = date_text
        lowers.append(_DATE_LOWER)
    if _HOST_LOWER not in lowers:
        signed[HEADER_HOST] = host
        lowers.append(_HOST_LOWER)

    given = list(signed.values())
    texts = list(map(str.strip, given))
    if texts == given and "".join(texts).isascii():
        sent, values = signed, texts  # already as they will be sent
    else:
        values = [text if text.isascii() else wire_value(text) for text in texts]
        sent = dict(zip(signed, values, strict=True))
    declared_hash = values[lowers.index(_CONTENT_SHA256_LOWER)] if _CONTENT_SHA256_LOWER in lowers else None

    if len(set(lowers)) == len(lowers):
        lines = zip(lowers, texts, strict=True)
    else:  # one name in several cases: each is signed, all with the last one's value, as the SDK does
        text_by_lower = dict(zip(lowers, texts, strict=True))
        lines = [(lower, text_by_lower[lower]) for lower in lowers]
    if "_" in "".join(lowers):  # names with "_" are not signed
        lines = [line for line in lines if "_" not in line[0]]
    lines = sorted(lines)  # never empty: Host is always there
    header_lines = "\n".join(map(":".join, lines)) + "\n"
    signed_names = ";".join(map(_first, lines))
    return sent, header_lines, signed_names, declared_hash, sdk_date


@dataclass(frozen=True)
class AuthorizationHeader:
    access_key: str
    signed_headers: list[str]
    signature: str


def parse_authorization(value: str) -> AuthorizationHeader:
    """Parse ``SDK-HMAC-SHA256 Access=…, SignedHeaders=…, Signature=…``; ``ValueError`` when malformed."""
    algorithm, _, rest = (value or "").partition(" ")
    if algorithm != ALGORITHM:
        raise ValueError("unsupported signing algorithm")
    fields: dict[str, str] = {}
    for part in rest.split(","):
        key, sep, field_value = part.strip().partition("=")
        if not sep:
            raise ValueError("malformed Authorization header")
        fields[key] = field_value
    try:
        names = fields["SignedHeaders"].split(";")
        parsed = AuthorizationHeader(fields["Access"], names, fields["Signature"])
    except KeyError as missing:
        raise ValueError(f"Authorization header lacks {missing.args[0]}") from None
    if not parsed.access_key or not parsed.signature or not all(names):
        raise ValueError("malformed Authorization header")
    return parsed


def expected_signature(
    method: str,
    path: str,
    query: str,
    headers: Mapping[str, str],
    body: bytes,
    sk: str,
    signed_names: list[str],
    sdk_date: str,
) -> str:
    """What a request as received should carry, recomputed on the server side.

    ``headers`` are as a server reads them off the wire (ISO-8859-1 text); they are turned back into the
    text the client signed, while a declared payload hash is taken as received, as the SDK takes it.
    """
    signed_text = {
        name: value.encode("iso-8859-1", "replace").decode("utf-8", "replace")
        for name, value in headers.items()
    }
    canonical = canonical_request(
        method,
        path,
        canonical_query_of(query),
        signed_text,
        signed_names,
        body,
        payload_headers=headers,
    )
    return signature(sk, string_to_sign(sdk_date, canonical))


def signatures_match(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("ascii", "replace"), given.encode("ascii", "replace"))
