"""The create-pool wizard's pages: six server-validated steps whose drafts live in the session.

A step's submitted form data is kept as sent (also when going back; pools/forms/pool_wizard/state.py), and
every step validates the saved steps before it, so a change earlier on is caught before the review. The
review shows the exact CreatePool body and runs on it the check the change-request service runs on every
create body, so a body the service would refuse is never filed from here. Filing makes a change request
whose idempotency key is the wizard id: submitting twice gives one request.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django_htmx.http import HttpResponseClientRefresh

from pools import flavors
from pools.change_kinds.pool_body import build_create_pool_body, create_pool_body_problem
from pools.core.errors import ApplicationError
from pools.core.wording import listed
from pools.forms.pool_wizard import messages as text
from pools.forms.pool_wizard.base import WizardContext, hide_errors
from pools.forms.pool_wizard.billing import review_order_notes
from pools.forms.pool_wizard.resources import edit_rows
from pools.forms.pool_wizard.state import WizardStore, as_form_data, posted_draft, saved_steps
from pools.forms.pool_wizard.steps import STEP_TITLES, STEPS, context_after, step_form, validate_steps
from pools.htmx import HtmxHttpRequest, template_for
from pools.permissions import REQUEST_CHANGE, require
from pools.selectors.connections import connection_list_for, current_connection
from pools.selectors.pool_changes import flavor_offers
from pools.selectors.pool_names import NameCheck, pool_name_check
from pools.services.change_requests import change_request_create


def _step_url(wizard_id: str, step: str, **query) -> str:
    url = reverse("pools:pool_wizard_step", kwargs={"wizard_id": wizard_id, "step": step})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


@dataclass(frozen=True)
class WizardVisit:
    """One request to one step of one wizard, with what the valid steps before it decided."""

    request: HtmxHttpRequest
    store: WizardStore
    wizard_id: str
    step: str
    base: WizardContext  # the user's connections and defaults
    states: dict  # the cleaned state of every step before this one

    @property
    def context(self) -> WizardContext:
        return context_after(self.states, self.base)

    @property
    def wizard(self) -> dict:
        """The wizard as stored now (after this request saved its draft, if it did)."""
        return self.store.get(self.wizard_id)

    def url(self, step: str, **query) -> str:
        return _step_url(self.wizard_id, step, **query)

    def form(self, draft: dict | None):
        """This step's form bound to ``draft`` (unbound when None)."""
        return step_form(self.step, as_form_data(draft), self.context)


@dataclass(frozen=True)
class Review:
    """What the review says before anything is filed: the body, and what would stop filing it."""

    body: dict
    body_problem: str | None  # why the service would refuse this body; None when it would take it
    name_check: NameCheck
    name_problems: list[str]  # who holds the pool name already

    @property
    def blocks_filing(self) -> bool:
        return bool(self.body_problem or self.name_problems)


# --- the views -----------------------------------------------------------------------------------------------


@require(REQUEST_CHANGE)
def pool_wizard_start(request: HtmxHttpRequest):
    wizard_id = WizardStore(request.session).start()
    return redirect(_step_url(wizard_id, STEPS[0]))


@require(REQUEST_CHANGE)
def pool_wizard_step(request: HtmxHttpRequest, wizard_id: str, step: str):
    if step not in STEPS:
        raise Http404("No such step.")
    store = WizardStore(request.session)
    wizard = store.get(wizard_id)
    if wizard is None:
        messages.info(request, text.NOT_IN_SESSION)
        return redirect("pools:pool_wizard_start")
    base = WizardContext.for_user(
        user=request.user,
        connections=tuple(connection_list_for(request.user)),
        current=current_connection(request),
        read_offers=_flavors_on_sale,
    )
    states, blocking = validate_steps(saved_steps(wizard), base, until=step)
    if blocking is not None:
        return redirect(_step_url(wizard_id, blocking, check=1))
    visit = WizardVisit(request, store, wizard_id, step, base, states)
    if request.method != "POST":
        return _show_saved_draft(visit)
    return _handle_post(visit, request.POST.get("action", "next"))


def _flavors_on_sale(connection):
    return flavor_offers(connection=connection)


# --- what a step does with a request -------------------------------------------------------------------------


def _show_saved_draft(visit: WizardVisit):
    form = visit.form(visit.wizard["steps"].get(visit.step))
    # A draft shows its errors only when a later step sent the user back to it (?check=1).
    if form.is_bound and not visit.request.GET.get("check"):
        hide_errors(form)
    return _render_step(visit, form)


def _handle_post(visit: WizardVisit, action: str):
    """Keep the posted draft, then do what the pressed button says."""
    if action == "cancel":
        visit.store.discard(visit.wizard_id)
        messages.info(visit.request, text.CANCELLED)
        return redirect("pools:overview")
    edits_rows = visit.step == "resources" and action.startswith(("add_row", "remove_row"))
    draft = posted_draft(visit.request.POST, visit.step)
    if edits_rows:
        draft = edit_rows(draft, action)
    try:
        visit.store.save_step(visit.wizard_id, visit.step, draft)
    except ApplicationError as refusal:
        return _refuse_draft(visit, draft, refusal)
    if action == "back":
        return redirect(visit.url(STEPS[max(STEPS.index(visit.step) - 1, 0)]))
    if edits_rows:
        return _redraw_part(visit, draft, "flavor-rows")
    if action == "refresh" and visit.step == "billing":
        return _redraw_part(visit, draft, "billing-fields")
    return _submit_step(visit, draft)


def _redraw_part(visit: WizardVisit, draft: dict, partial: str):
    """The part of the page a button changed (rows, the billing mode's fields), without errors: nothing
    was submitted yet. Without htmx, the whole page."""
    form = visit.form(draft)
    hide_errors(form)
    return _render_step(visit, form, partial=partial)


def _submit_step(visit: WizardVisit, draft: dict):
    form = visit.form(draft)
    if form.is_valid() and visit.step == "basics":
        _check_name_at_basics(visit, form)
    if not form.is_valid():
        return _render_step(visit, form)
    if visit.step == "review":
        return _file_request(visit, form)
    return redirect(visit.url(STEPS[STEPS.index(visit.step) + 1]))


def _refuse_draft(visit: WizardVisit, draft: dict, refusal: ApplicationError):
    """The step again with ``refusal`` and nothing kept: the values as posted, with their errors. An htmx
    swap of part of the page reloads the whole page instead, so the refusal has a place to show."""
    if visit.request.htmx:
        messages.error(visit.request, refusal.message)
        return HttpResponseClientRefresh()
    form = visit.form(draft)
    form.is_valid()  # a field that is too long says so next to it
    return _render_step(visit, form, refusal=refusal)


# --- the pool name, the review and filing --------------------------------------------------------------------


def _name_check(visit: WizardVisit, basics: dict) -> tuple[NameCheck, list[str]]:
    """Who holds the wizard's pool name now, and what to tell the user about it."""
    connection = visit.base.connection(basics["connection_id"])
    name, workspace = basics["display_name"], basics["workspace_id"]
    check = pool_name_check(
        connection=connection,
        display_name=name,
        workspace_id=workspace,
        user=visit.request.user,
        wizard_id=visit.wizard_id,
    )
    where = {"name": name, "workspace": workspace, "connection": connection.name}
    problems = [text.NAME_TAKEN_BY_POOL.format(pools=listed(check.pools), **where)] if check.pools else []
    problems += [
        text.NAME_TAKEN_BY_REQUEST.format(pk=taken.pk, status=taken.get_status_display().lower(), **where)
        for taken in check.requests
    ]
    return check, problems


def _check_name_at_basics(visit: WizardVisit, form) -> None:
    """A taken name is an error on the first step; a check that could not reach ModelArts only a warning."""
    check, problems = _name_check(visit, form.to_state())
    for problem in problems:
        form.add_error("display_name", problem)
    if check.unchecked is not None and not problems:
        name = form.cleaned_data["display_name"]
        messages.warning(
            visit.request, text.NAME_UNCHECKED.format(name=name, problem=check.unchecked.message)
        )


def _review(visit: WizardVisit) -> Review:
    """The body the steps make, checked as the service checks every create body, and the name checked again:
    another request or pool may have taken it since the first step."""
    basics = visit.states["basics"]
    body = build_create_pool_body(visit.states)
    problem = create_pool_body_problem(basics["display_name"], body)
    check, name_problems = _name_check(visit, basics)
    body_problem = text.BODY_REFUSED.format(problem=problem) if problem else None
    return Review(body=body, body_problem=body_problem, name_check=check, name_problems=name_problems)


def _file_request(visit: WizardVisit, form):
    basics = visit.states["basics"]
    connection = visit.base.connection(basics["connection_id"])
    if connection is None:
        return redirect(visit.url("basics", check=1))
    review = _review(visit)  # ModelArts is asked once more, live, by change_request_create
    if review.blocks_filing:
        return _render_step(visit, form, review=review)
    try:
        change_request = change_request_create(
            user=visit.request.user,
            connection=connection,
            kind="create_pool",
            target=basics["display_name"],
            body=review.body,
            reason=form.cleaned_data["reason"],
            idempotency_key=visit.wizard_id,
        )
    except ApplicationError as error:
        if error.field != "reason":
            return _render_step(visit, form, refusal=error, review=review)
        form.add_error("reason", error.message)
        return _render_step(visit, form, review=review)
    visit.store.mark_filed(visit.wizard_id, change_request.pk)
    messages.success(visit.request, text.FILED.format(pk=change_request.pk, name=change_request.target))
    return HttpResponseRedirect(reverse("pools:change_request_detail", args=[change_request.pk]))


# --- the page ------------------------------------------------------------------------------------------------


def _render_step(visit: WizardVisit, form, *, partial=None, refusal=None, review: Review | None = None):
    wizard, step = visit.wizard, visit.step
    context = {
        "wizard_id": visit.wizard_id,
        "step": step,
        "step_title": STEP_TITLES[step],
        "steps": _step_links(visit, wizard),
        "step_number": STEPS.index(step) + 1,
        "step_count": len(STEPS),
        "is_first": step == STEPS[0],
        "form": form,
        "action_url": visit.url(step),
        "filed_request": wizard.get("request"),
        "refusal": refusal,
        "flavors": flavors.FLAVORS,
        "gpu_driver_versions": flavors.GPU_DRIVER_VERSIONS,
        "npu_driver_versions": flavors.NPU_DRIVER_VERSIONS,
    }
    if step == "review":
        context.update(_review_context(visit, review or _review(visit)))
    page = f"pools/pool_wizard/{step}.html"
    return render(visit.request, template_for(visit.request, page, partial) if partial else page, context)


def _step_links(visit: WizardVisit, wizard: dict) -> list[dict]:
    """The step list: one may open every valid step and the first one that is not."""
    _, blocking = validate_steps(saved_steps(wizard), visit.base, until=STEPS[-1])
    last_reachable = STEPS.index(blocking) if blocking else len(STEPS) - 1
    return [
        {"name": s, "title": STEP_TITLES[s], "url": visit.url(s), "reachable": i <= last_reachable}
        for i, s in enumerate(STEPS)
    ]


def _review_context(visit: WizardVisit, review: Review) -> dict:
    states = visit.states
    basics = states["basics"]
    return {
        "name_problems": review.name_problems,
        "name_unchecked": review.name_check.unchecked,
        "name_unchecked_note": text.NAME_UNCHECKED_AT_REVIEW.format(name=basics["display_name"]),
        "body_problem": review.body_problem,
        "basics_url": visit.url("basics"),
        "states": states,
        "order_notes": review_order_notes(states.get("billing") or {}),
        "body": review.body,
        "body_json": json.dumps(review.body, indent=2, ensure_ascii=False),
        "connection": visit.base.connection(basics["connection_id"]),
        "rows": [{**row, "flavor_info": flavors.get(row["flavor"])} for row in states["resources"]["rows"]],
    }
