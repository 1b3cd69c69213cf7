"""The header's language switcher, and a person's language following them from browser to browser.

- ``set_language``: Django's own view (the ``django_language`` cookie, the redirect, and what it refuses or
  ignores), and for a signed-in person the choice is also saved on their profile (``UserPreference.language``)
  when it is one the site offers. A choice made before log-in (the log-in page has the switcher too) waits in
  the session for the log-in.
- ``bring_back_saved_language``, on ``user_logged_in`` (password, single sign-on and the admin's log-in alike):
  the newest choice wins. One made on the log-in page in this visit is saved; otherwise the saved one is put
  in the cookie when the browser's differs; with none saved, a language the cookie holds (picked with the
  switcher on this browser before) is saved.
- ``SavedLanguageMiddleware`` sets that cookie on the log-in's response, which a signal cannot reach.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.views import i18n

from pools.selectors.user_languages import offered, saved_language
from pools.services.user_languages import user_language_choose

CHOSEN_BEFORE_LOG_IN = "pools_language_chosen_before_log_in"
_COOKIE_TO_SET = "_pools_saved_language"


@login_not_required
def set_language(request):
    response = i18n.set_language(request)
    language = request.POST.get(i18n.LANGUAGE_QUERY_PARAMETER, "")
    # Django set the cookie only for a POST of a language it knows; the site offers fewer than Django knows.
    if settings.LANGUAGE_COOKIE_NAME not in response.cookies or not offered(language):
        return response
    if request.user.is_authenticated:
        user_language_choose(user=request.user, language=language)
    else:
        request.session[CHOSEN_BEFORE_LOG_IN] = language
    return response


def bring_back_saved_language(sender, request, user, **kwargs) -> None:
    """``user_logged_in`` handler; see the module's docstring for the order of the rules."""
    if request is None:
        return
    session = getattr(request, "session", None)
    chosen_now = session.pop(CHOSEN_BEFORE_LOG_IN, "") if session is not None else ""
    if chosen_now and user_language_choose(user=user, language=chosen_now):
        return
    saved = saved_language(user)
    in_cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
    if saved and saved != in_cookie:
        setattr(request, _COOKIE_TO_SET, saved)
    elif not saved and offered(in_cookie):
        user_language_choose(user=user, language=in_cookie)


class SavedLanguageMiddleware:
    """Puts the language ``bring_back_saved_language`` chose in the cookie, as Django's set_language does."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        language = getattr(request, _COOKIE_TO_SET, "")
        if language:
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                language,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return response
