"""The API tokens page: a person makes and revokes their own tokens; administrators see and revoke anyone's.

A new token is shown once, on the answer to the form that made it, and never again (only its digest is kept).
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from pools.core.errors import ApplicationError
from pools.forms.api_tokens import ApiTokenForm
from pools.htmx import HtmxHttpRequest
from pools.permissions import MANAGE_API_TOKENS, require
from pools.selectors.api_tokens import api_token_get, api_token_list, api_token_list_all
from pools.services import api_tokens

PAGE = "pools/api_token_list.html"
ADMIN_PAGE = "pools/api_token_admin.html"
REVOKED = _("Token “{name}” is revoked: it no longer opens the API.")


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def api_token_list_view(request: HtmxHttpRequest):
    """The signed-in person's tokens, and the form that makes one (whose answer shows the new token once)."""
    form = ApiTokenForm(request.POST or None, user=request.user, request=request)
    created = None
    if request.method == "POST" and form.is_valid():
        try:
            token, text = api_tokens.api_token_create(
                user=request.user,
                name=form.cleaned_data["name"],
                scopes=form.cleaned_data["scopes"],
                expires_in_days=form.expiry_days(),
            )
        except ApplicationError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            created, form = {"token": token, "text": text}, ApiTokenForm(user=request.user)
    context = {"form": form, "created": created, "tokens": api_token_list(user=request.user)}
    return render(request, PAGE, context, status=400 if form.errors else 200)


@require_POST
def api_token_revoke_view(request: HtmxHttpRequest, pk: int):
    """Revoke a token: one's own, or (MANAGE_API_TOKENS) anyone's; back to the page it was revoked from."""
    token = api_token_get(pk=pk, user=request.user)
    try:
        api_tokens.api_token_revoke(user=request.user, token=token)
    except ApplicationError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, REVOKED.format(name=token.name))
    own = token.user_id == request.user.pk
    return redirect("pools:api_token_list" if own else "pools:api_token_admin")


@require_safe
@require(MANAGE_API_TOKENS)
def api_token_admin(request: HtmxHttpRequest):
    """Every token still active or expired but not revoked, with its owner: to revoke a leaked one."""
    return render(request, ADMIN_PAGE, {"tokens": api_token_list_all()})
