"""Huawei Cloud APIG ``SDK-HMAC-SHA256`` request signing.

One pipeline of small pure steps, in the order ``sign`` runs them and the official
``huaweicloudsdkcore.signer.Signer`` runs its own, whose result it reproduces byte for byte, quirks included:

1. the headers to sign: the caller's, plus ``X-Sdk-Content-Sha256``, ``X-Sdk-Date`` and ``Host`` as needed;
2. the canonical request: method, canonical URI, canonical query, canonical headers, signed header names
   and payload hash, one per line;
3. the string to sign: algorithm, date and the canonical request's SHA-256;
4. the signature: HMAC-SHA256 of the string to sign under the secret key (the raw SK, no key derivation);
5. the ``Authorization`` header: ``Access`` (the AK), ``SignedHeaders`` and ``Signature``.

The sandbox reuses the same steps to verify what it receives (``expected_signature``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import quote, unquote, unquote_plus, urlsplit

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
HEADER_DATE = "X-Sdk-Date"
HEADER_HOST = "Host"
HEADER_AUTHORIZATION = "Authorization"
HEADER_CONTENT_SHA256 = "X-Sdk-Content-Sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
# Bodies of other content types are not hashed: the SDK declares them UNSIGNED-PAYLOAD.
SIGNED_CONTENT_TYPES = ("application/json", "application/bson")


def sign(
    method: str,
    url: str,
    headers: Mapping[str, object],
    body: bytes | str | None,
    ak: str,
    sk: str,
    *,
    now: datetime | None,
) -> dict[str, str]:
    """Return a new header dict: ``headers`` plus ``X-Sdk-Date``, ``Host`` and ``Authorization``.

    Query parameters come from ``url``. An ``X-Sdk-Date`` already in ``headers`` (in any case) is kept and
    must be well formed; without one, ``now`` is the time signed. Values come back as the SDK leaves them
    for sending (``header_as_sent``).
    """
    if not ak or not sk:
        raise ValueError("both an access key and a secret key are needed to sign")
    host, path, query = split_url(url)
    body = body_bytes(body)

    sdk_date = date_to_sign(find_header(headers, HEADER_DATE), now)
    to_sign = headers_to_sign(headers, host, sdk_date)
    sent = {name: header_as_sent(value) for name, value in to_sign.items()}
    names = signed_header_names(to_sign)

    canonical = canonical_request(
        method, path, canonical_query(query_pairs(query)), to_sign, names, body, payload_headers=sent
    )
    sig = signature(sk, string_to_sign(sdk_date, canonical))
    return {**sent, HEADER_AUTHORIZATION: authorization(ak, names, sig)}


# --- Reading the URL: the one piece kept for speed ------------------------------------------------------
# The official signer is handed a path and query pairs; we are handed a URL. Read with urllib's general
# parsers (urlsplit, parse_qsl), that reading alone made us slower than the official signer on the client's
# requests (docs/performance.md, "Redesign: the signer as one pipeline"). So a plain absolute URL is split
# by one regular expression, and a query by a plain loop. Both give exactly what urlsplit and parse_qsl give
# (property tests in tests/modelarts/test_signer_official.py); any other URL still goes through urlsplit.

# ASCII authority without IPv6 brackets, no white space, no fragment: what urlsplit makes of it is plain.
_PLAIN_URL = re.compile(
    r"[A-Za-z][A-Za-z0-9+.-]*://([A-Za-z0-9.:@_~%!$&'()*+,;=-]*)(/[^?#\s]*)?(?:\?([^#\s]*))?"
)


def split_url(url: str) -> tuple[str, str, str]:
    """(host with any port, path, query) of a URL, as ``urlsplit`` reads them; user information is not
    part of the host."""
    plain = _PLAIN_URL.fullmatch(url)
    if plain:
        netloc, path, query = plain.group(1), plain.group(2) or "", plain.group(3) or ""
    else:
        parts = urlsplit(url)
        netloc, path, query = parts.netloc, parts.path, parts.query
    return netloc.rpartition("@")[2], path, query


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The (name, value) pairs of a URL query, blank values kept, ``+`` read as a space: exactly
    ``parse_qsl(query, keep_blank_values=True)``."""
    pairs = []
    for field in query.split("&"):
        if field:
            name, _, value = field.partition("=")
            pairs.append((unquote_plus(name), unquote_plus(value)))
    return pairs


# --- The body --------------------------------------------------------------------------------------------


def body_bytes(body: bytes | str | None) -> bytes:
    """The body as signed: text as UTF-8 (as the SDK encodes it), nothing as no bytes."""
    if isinstance(body, str):
        return body.encode("utf-8")
    return body or b""


# --- 1. The headers to sign ----------------------------------------------------------------------------


def date_to_sign(given: str | None, now: datetime | None) -> str:
    """The ``X-Sdk-Date`` signed: a given one as the SDK re-formats it after ``strptime`` (which also reads
    e.g. one-digit months and lower-case letters), otherwise ``now``."""
    if given is not None:
        return datetime.strptime(given, DATE_FORMAT).strftime(DATE_FORMAT)
    if now is None:
        raise ValueError("an X-Sdk-Date header or the time to sign at is needed")
    return format_date(now)


def headers_to_sign(headers: Mapping[str, object], host: str, sdk_date: str) -> dict[str, object]:
    """The caller's headers plus, as the SDK adds them: ``X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD`` for a
    body that is not JSON or BSON, ``X-Sdk-Date`` and ``Host`` unless present in some case already."""
    to_sign = dict(headers)
    content_type = to_sign.get("Content-Type")  # the exact name only, as the SDK looks it up
    if content_type and not str(content_type).startswith(SIGNED_CONTENT_TYPES):
        to_sign[HEADER_CONTENT_SHA256] = UNSIGNED_PAYLOAD
    present = {name.lower() for name in to_sign}
    if HEADER_DATE.lower() not in present:
        to_sign[HEADER_DATE] = sdk_date
    if HEADER_HOST.lower() not in present:
        to_sign[HEADER_HOST] = host
    return to_sign


def find_header(headers: Mapping[str, object], name: str) -> str | None:
    """The first header of that name, compared without case, as the SDK looks it up."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value)
    return None


def header_value(value: object) -> str:
    """A header value as the SDK signs it: text with surrounding white space removed."""
    return str(value).strip()


def header_as_sent(value: object) -> str:
    """A header value as the SDK hands it on for sending: its signed text, re-encoded.

    The SDK re-encodes each value's UTF-8 bytes as ISO-8859-1 text; ``requests`` then writes that text back
    out as the same bytes. A server reading the header as ISO-8859-1 therefore sees exactly this text.
    """
    return header_value(value).encode("utf-8").decode("iso-8859-1")


# --- 2. The canonical request --------------------------------------------------------------------------


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


def encode(value: str) -> str:
    """Percent-encode everything but RFC 3986 unreserved characters (as the SDK's ``_url_encode``)."""
    return quote(value, safe="~")


def canonical_uri(path: str) -> str:
    """Decode the path, re-encode each segment, and always end with ``/``."""
    encoded = "/".join([encode(segment) for segment in unquote(path or "/").split("/")])
    return encoded if encoded.endswith("/") else encoded + "/"


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Sort the raw (name, value) pairs by code point, then encode and join them."""
    return "&".join([f"{encode(name)}={encode(value)}" for name, value in sorted(pairs)])


def canonical_headers(headers: Mapping[str, object], names: Iterable[str]) -> str:
    """``name:value\\n`` for each signed name; the last header of a name (any case) wins."""
    by_lower_name = {name.lower(): header_value(value) for name, value in headers.items()}
    return "".join([f"{name}:{by_lower_name.get(name, '')}\n" for name in names])


def signed_header_names(headers: Iterable[str]) -> list[str]:
    """Every header name without ``_``, lower-cased and sorted (duplicates kept, as the SDK keeps them)."""
    return sorted([name.lower() for name in headers if "_" not in name])


def payload_hash(body: bytes, headers: Mapping[str, object]) -> str:
    """The last canonical line: the empty-body hash, a declared ``X-Sdk-Content-Sha256``, or the body's hash.

    ``headers`` are the values as sent (``header_as_sent``): the SDK reads the declared hash only after it
    has stripped and re-encoded every header, so ``"  UNSIGNED-PAYLOAD "`` counts as ``UNSIGNED-PAYLOAD``
    and a blank one as no declaration at all.
    """
    if not body:
        return EMPTY_BODY_SHA256
    declared = find_header(headers, HEADER_CONTENT_SHA256)
    if declared:
        return declared
    return hashlib.sha256(body).hexdigest()


# --- 3 to 5. String to sign, signature, Authorization header ---------------------------------------------


def string_to_sign(sdk_date: str, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature(sk: str, to_sign: str) -> str:
    """HMAC-SHA256 of the string to sign, keyed with the raw secret key, in hex."""
    return hmac.new(sk.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


def authorization(ak: str, names: list[str], sig: str) -> str:
    return f"{ALGORITHM} Access={ak}, SignedHeaders={';'.join(names)}, Signature={sig}"


# --- Dates -----------------------------------------------------------------------------------------------


def format_date(now: datetime) -> str:
    """``YYYYMMDDTHHMMSSZ`` in UTC; a naive datetime is taken to be UTC already."""
    if now.tzinfo is not None:
        now = now.astimezone(UTC)
    return now.strftime(DATE_FORMAT)


def parse_date(value: str) -> datetime:
    """Parse an ``X-Sdk-Date`` value strictly; raises ``ValueError`` when it does not match."""
    return datetime.strptime(value, DATE_FORMAT).replace(tzinfo=UTC)


# --- The server's side: checking a request as received ---------------------------------------------------


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
        canonical_query(query_pairs(query)),
        signed_text,
        signed_names,
        body,
        payload_headers=headers,
    )
    return signature(sk, string_to_sign(sdk_date, canonical))


def signatures_match(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("ascii", "replace"), given.encode("ascii", "replace"))
