"""Site-wide security middleware: the Content-Security-Policy header, no caching of signed-in pages, and
the sliding session expiry."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils.cache import patch_cache_control


class ContentSecurityPolicyMiddleware:
    """Send ``settings.CONTENT_SECURITY_POLICY`` with every response that does not set its own.

    The policy allows only our own scripts and styles, so templates carry no inline ``<script>``, no
    ``style=""`` and no ``hx-on``; htmx runs with ``allowEval`` off and its indicator styles in app.css.
    """

    header = "Content-Security-Policy"

    def __init__(self, get_response):
        self.get_response = get_response
        self.policy = settings.CONTENT_SECURITY_POLICY

    def __call__(self, request):
        response = self.get_response(request)
        if self.policy and self.header not in response:
            response[self.header] = self.policy
        return response


class PrivatePagesMiddleware:
    """Pages shown to a signed-in user are ``Cache-Control: private, no-store`` unless the view said otherwise.

    Pool, node and change-request pages must not stay in a shared proxy, nor in the browser's cache where the
    back button shows them after log-out.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response


SEEN_AT_KEY = "_activity_seen_at"


class SessionActivityMiddleware:
    """Slide the session's expiry forward while its user is active.

    The session backend stores an expiry of ``SESSION_COOKIE_AGE`` from the last save; saving on every
    request (``SESSION_SAVE_EVERY_REQUEST``) would write the session table on every poll. Instead this
    re-saves a session at most once per ``SESSION_ACTIVITY_REFRESH_SECONDS``, so an idle session ends
    between ``SESSION_COOKIE_AGE - refresh`` and ``SESSION_COOKIE_AGE`` after the last request.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.refresh_seconds = settings.SESSION_ACTIVITY_REFRESH_SECONDS

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # Only a signed-in session slides: saving an anonymous one would create a row for every visitor,
        # and one just logged out has been flushed.
        if session is not None and session.get(SESSION_KEY):
            now = int(time.time())
            seen_at = session.get(SEEN_AT_KEY, 0)
            if not isinstance(seen_at, int) or now - seen_at >= self.refresh_seconds:
                session[SEEN_AT_KEY] = now  # marks the session modified, so SessionMiddleware saves it
        return response
