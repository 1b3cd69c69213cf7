"""How often one person may call the API: ``API_THROTTLE_USER`` calls per period (``600/min``), counted per
user (all of a person's tokens, and the docs page's session, share one count) in the configured cache, which
all workers share when it is Redis. A call past the limit answers 429 with ``Retry-After`` (errors.py).

Every API route needs a signed-in user, and REST framework checks permissions before throttles, so a call
without a valid token is refused (401) before it is counted: there is no separate limit for anonymous calls.
"""

from __future__ import annotations

from django.conf import settings
from rest_framework.throttling import UserRateThrottle


class PersonRateThrottle(UserRateThrottle):
    """REST framework's per-user throttle with its rate read from the settings at each call (REST framework's
    own ``THROTTLE_RATES`` is frozen when it is imported), so an overridden setting applies at once. An empty
    rate sets no limit."""

    scope = "user"

    def get_rate(self) -> str | None:
        return settings.API_THROTTLE_USER or None
