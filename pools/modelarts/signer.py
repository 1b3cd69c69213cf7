"""Huawei Cloud APIG ``SDK-HMAC-SHA256`` request signing.

A pipeline of small pure steps (canonical URI, query, headers, payload hash, string to sign, signature) that
reproduces ``huaweicloudsdkcore.signer.Signer`` byte for byte, quirks included, so that the gateway and the
official SDK agree with us on every request. The sandbox reuses the same steps to verify what it receives.

No key derivation: the raw SK is the HMAC key, and ``Access`` carries the AK.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import parse_qsl, quote, unquote, urlsplit

ALGORITHM = "SDK-HMAC-SHA256"
DATE_FORMAT = "%Y%m%dT%H%M%SZ"
HEADER_DATE = "X-Sdk-Date"
HEADER_HOST = "Host"
HEADER_AUTHORIZATION = "Authorization"
HEADER_CONTENT_SHA256 = "X-Sdk-Content-Sha256"
UNSIGNED_PAYLOAD = "UNSIGNED-PAYLOAD"
EMPTY_BODY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def encode(value: str) -> str:
    """Percent-encode everything but RFC 3986 unreserved characters (as the SDK's ``_url_encode``)."""
    return quote(value, safe="~")


def canonical_uri(path: str) -> str:
    """Decode the path, re-encode each segment, and always end with ``/``."""
    encoded = "/".join(encode(segment) for segment in unquote(path or "/").split("/"))
    return encoded if encoded.endswith("/") else encoded + "/"


def canonical_query(pairs: Iterable[tuple[str, str]]) -> str:
    """Sort the raw (name, value) pairs by code point, then encode and join them."""
    return "&".join(f"{encode(name)}={encode(value)}" for name, value in sorted(pairs))


def query_pairs(query: str) -> list[tuple[str, str]]:
    """The (name, value) pairs of a URL query, blank values kept, ``+`` read as a space."""
    return parse_qsl(query, keep_blank_values=True)


def header_value(value: object) -> str:
    """A header value as the SDK signs it: text with surrounding white space removed."""
    return str(value).strip()


def signed_header_names(headers: Iterable[str]) -> list[str]:
    """Every header name without ``_``, lower-cased and sorted (duplicates kept, as the SDK keeps them)."""
    return sorted(name.lower() for name in headers if "_" not in name)


def canonical_headers(headers: Mapping[str, object], names: Iterable[str]) -> str:
    """``name:value\\n`` for each signed name; the last header of a name (any case) wins."""
    by_lower_name = {name.lower(): header_value(value) for name, value in headers.items()}
    return "".join(f"{name}:{by_lower_name.get(name, '')}\n" for name in names)


def find_header(headers: Mapping[str, object], name: str) -> str | None:
    """The first header of that name, compared without case, as the SDK looks it up."""
    wanted = name.lower()
    for key, value in headers.items():
        if key.lower() == wanted:
            return str(value)
    return None


def payload_hash(body: bytes, headers: Mapping[str, object]) -> str:
    if not body:
        return EMPTY_BODY_SHA256
    declared = find_header(headers, HEADER_CONTENT_SHA256)
    if declared:
        return declared
    return hashlib.sha256(body).hexdigest()


def canonical_request(
    method: str, path: str, query: str, headers: Mapping[str, object], names: list[str], body: bytes
) -> str:
    """The six canonical parts joined by newlines; ``query`` is already canonical."""
    return "\n".join(
        [
            method.upper(),
            canonical_uri(path),
            query,
            canonical_headers(headers, names),
            ";".join(names),
            payload_hash(body, headers),
        ]
    )


def string_to_sign(sdk_date: str, canonical: str) -> str:
    digest = hashlib.sha256(canonical.encode("utf-8")).hexdigest()
    return f"{ALGORITHM}\n{sdk_date}\n{digest}"


def signature(sk: str, to_sign: str) -> str:
    return hmac.new(sk.encode("utf-8"), to_sign.encode("utf-8"), hashlib.sha256).hexdigest()


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


def _wire_value(value: str) -> str:
    # The SDK re-encodes each header's UTF-8 bytes as ISO-8859-1 text for transmission; `requests` then
    # writes that text back out as the same bytes.
    return value.encode("utf-8").decode("iso-8859-1")


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
    formed). Values are stripped, as the SDK leaves them after signing.
    """
    if not ak or not sk:
        raise ValueError("both an access key and a secret key are needed to sign")
    parts = urlsplit(url)
    body = body.encode("utf-8") if isinstance(body, str) else (body or b"")
    signed = dict(headers)

    content_type = signed.get("Content-Type")  # exact-case lookup, as the SDK does
    if content_type and not content_type.startswith(("application/json", "application/bson")):
        signed[HEADER_CONTENT_SHA256] = UNSIGNED_PAYLOAD

    sdk_date = find_header(signed, HEADER_DATE)
    if sdk_date is None:
        sdk_date = format_date(now)
        signed[HEADER_DATE] = sdk_date
    else:
        sdk_date = format_date(parse_date(sdk_date))

    if find_header(signed, HEADER_HOST) is None:
        signed[HEADER_HOST] = parts.netloc.rpartition("@")[2]

    names = signed_header_names(signed)
    query = canonical_query(query_pairs(parts.query))
    canonical = canonical_request(method, parts.path, query, signed, names, body)
    sig = signature(sk, string_to_sign(sdk_date, canonical))

    result = {name: _wire_value(header_value(value)) for name, value in signed.items()}
    result[HEADER_AUTHORIZATION] = authorization(ak, names, sig)
    return result


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
    text the client signed.
    """
    signed_text = {
        name: value.encode("iso-8859-1", "replace").decode("utf-8", "replace")
        for name, value in headers.items()
    }
    canonical = canonical_request(
        method, path, canonical_query(query_pairs(query)), signed_text, signed_names, body
    )
    return signature(sk, string_to_sign(sdk_date, canonical))


def signatures_match(expected: str, given: str) -> bool:
    return hmac.compare_digest(expected.encode("ascii", "replace"), given.encode("ascii", "replace"))
