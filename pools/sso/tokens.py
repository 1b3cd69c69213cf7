"""What an ID token must be before anyone is signed in with it.

mozilla-django-oidc checks the signature and the nonce but not the audience or the issuer, and an expired
token surfaces as an uncaught exception. Here every check of OpenID Connect Core §3.1.3.7 that applies to
the code flow is made, and each failure is one ``InvalidIdToken`` with a reason for the log.
"""

from __future__ import annotations

import time

import jwt


class InvalidIdToken(Exception):
    """The ID token may not sign anyone in; the message says why (for the log, never for the page)."""


REQUIRED_CLAIMS = ["iss", "sub", "aud", "exp", "iat"]


def validated_claims(
    token: str,
    *,
    key,
    algorithm: str,
    issuer: str,
    client_id: str,
    nonce: str | None,
    leeway: int,
) -> dict:
    """The ID token's claims once its signature, issuer, audience, times and nonce are right."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as error:
        raise InvalidIdToken(f"not a JWT: {error}") from None
    if header.get("alg") != algorithm:
        raise InvalidIdToken(f"signed with {header.get('alg')!r}, not {algorithm}")
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=[algorithm],
            audience=client_id,
            issuer=issuer,
            leeway=leeway,
            options={"require": REQUIRED_CLAIMS},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidIdToken("expired") from None
    except jwt.InvalidAudienceError:
        raise InvalidIdToken("issued for another audience") from None
    except jwt.InvalidIssuerError:
        raise InvalidIdToken("issued by another issuer") from None
    except jwt.InvalidSignatureError:
        raise InvalidIdToken("bad signature") from None
    except jwt.InvalidTokenError as error:
        raise InvalidIdToken(str(error)) from None
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != client_id:
        raise InvalidIdToken("several audiences and we are not the authorized party")
    if claims["iat"] > time.time() + leeway:
        raise InvalidIdToken("issued in the future")
    if nonce is None or claims.get("nonce") != nonce:
        raise InvalidIdToken("the nonce is not the one this browser's sign-in sent")
    auth_time = claims.get("auth_time")
    if auth_time is not None and (not isinstance(auth_time, int | float) or auth_time > time.time() + leeway):
        raise InvalidIdToken("auth_time is not a time in the past")
    return claims
