"""The single sign-on settings: the group → role mapping and the provider's endpoints.

``parse_group_roles`` runs while the settings load (no Django import at module level), so a mapping that
names a role the dashboard does not have stops start-up instead of silently granting nothing.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

import requests

# The roles of pools.permissions, by the lower-case name an administrator may write in OIDC_GROUP_ROLES.
ROLE_NAMES = ("Viewer", "Operator", "Approver", "Auditor", "Administrator")
ASYMMETRIC_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512")
DISCOVERY_CACHE_SECONDS = 3600


class SsoConfigurationError(ValueError):
    """A single sign-on setting that cannot work; raised while the settings load."""


def parse_group_roles(text: str) -> dict[str, tuple[str, ...]]:
    """``"cloud-ops=operator,cloud-approvers=approver;auditor"`` → {group: (role, ...)}.

    Pairs are separated by commas, a group's roles by ``;``; role names are the dashboard's, in any case.
    Group names are kept as written (IdPs compare them exactly).
    """
    by_lower = {name.lower(): name for name in ROLE_NAMES}
    mapping: dict[str, tuple[str, ...]] = {}
    for pair in filter(None, (part.strip() for part in text.split(","))):
        group, sep, roles_text = pair.rpartition("=")
        group = group.strip()
        if not sep or not group:
            raise SsoConfigurationError(f"OIDC_GROUP_ROLES: {pair!r} is not group=role")
        roles = []
        for role in filter(None, (r.strip() for r in roles_text.split(";"))):
            if role.lower() not in by_lower:
                raise SsoConfigurationError(
                    f"OIDC_GROUP_ROLES: {role!r} (for group {group!r}) is not a role; "
                    f"the roles are {', '.join(ROLE_NAMES)}"
                )
            roles.append(by_lower[role.lower()])
        if not roles:
            raise SsoConfigurationError(f"OIDC_GROUP_ROLES: group {group!r} names no role")
        mapping[group] = tuple(dict.fromkeys(mapping.get(group, ()) + tuple(roles)))
    return mapping


def roles_for_groups(groups: object, mapping: dict[str, tuple[str, ...]]) -> list[str]:
    """The roles the mapping gives to ``groups`` (the claim's value); unknown groups give nothing.

    Keycloak writes a group as its path (``/cloud-ops``) unless "full group path" is off: both match.
    """
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, list | tuple):
        return []
    roles: dict[str, None] = {}
    for group in groups:
        if not isinstance(group, str):
            continue
        for name in (group, group.lstrip("/")):
            for role in mapping.get(name, ()):
                roles[role] = None
    return [role for role in ROLE_NAMES if role in roles]


@dataclass(frozen=True)
class Endpoints:
    issuer: str
    authorization: str
    token: str
    userinfo: str
    jwks: str
    end_session: str


_discovered: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


def _discovery_document(issuer: str, timeout: float) -> dict:
    with _lock:
        cached = _discovered.get(issuer)
        if cached and time.monotonic() - cached[0] < DISCOVERY_CACHE_SECONDS:
            return cached[1]
    response = requests.get(f"{issuer.rstrip('/')}/.well-known/openid-configuration", timeout=timeout)
    response.raise_for_status()
    document = response.json()
    if document.get("issuer") != issuer:
        raise SsoConfigurationError(
            f"the discovery document names issuer {document.get('issuer')!r}, not OIDC_OP_ISSUER {issuer!r}"
        )
    with _lock:
        _discovered[issuer] = (time.monotonic(), document)
    return document


def endpoints(settings) -> Endpoints:
    """The provider's endpoints: each one set explicitly wins, the rest come from discovery (cached)."""
    explicit = {
        "authorization": settings.OIDC_OP_AUTHORIZATION_ENDPOINT,
        "token": settings.OIDC_OP_TOKEN_ENDPOINT,
        "userinfo": settings.OIDC_OP_USER_ENDPOINT,
        "jwks": settings.OIDC_OP_JWKS_ENDPOINT,
        "end_session": settings.OIDC_OP_LOGOUT_ENDPOINT,
    }
    if not all(explicit[name] for name in ("authorization", "token", "userinfo", "jwks")):
        document = _discovery_document(settings.OIDC_OP_ISSUER, settings.OIDC_TIMEOUT)
        discovered = {
            "authorization": document.get("authorization_endpoint", ""),
            "token": document.get("token_endpoint", ""),
            "userinfo": document.get("userinfo_endpoint", ""),
            "jwks": document.get("jwks_uri", ""),
            "end_session": document.get("end_session_endpoint", ""),
        }
        explicit = {name: value or discovered[name] for name, value in explicit.items()}
    return Endpoints(issuer=settings.OIDC_OP_ISSUER, **explicit)


def origin(url: str) -> str:
    """``https://idp.example.com:8443/realms/x`` → ``https://idp.example.com:8443`` (for the CSP)."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"
