"""The create-pool wizard: six server-validated steps whose state lives in the session.

Each wizard has an id in its URL and its own slot in the session, so two tabs never mix. A step's submitted
form data is kept as sent (also when going back), and every step validates the saved steps before it, so a
change earlier on is caught before the review. The last step files a change request whose idempotency key
is the wizard id: submitting twice gives one request.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from django.contrib import messages
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.datastructures import MultiValueDict
from django_htmx.http import HttpResponseClientRefresh

from pools import flavors
from pools.core.errors import ApplicationError
from pools.forms.pool_wizard import (
    NAME_TAKEN_BY_POOL,
    NAME_TAKEN_BY_REQUEST,
    NAME_UNCHECKED,
    NAME_UNCHECKED_AT_REVIEW,
    ORDER_MADE_ON_CREATE,
    ORDER_PAID_AUTOMATICALLY,
    ORDER_PAID_IN_CONSOLE,
    STEP_TITLES,
    STEPS,
    WizardContext,
    context_after,
    declared_fields,
    step_form,
    validate_steps,
)
from pools.htmx import HtmxHttpRequest, template_for
from pools.permissions import REQUEST_CHANGE, require
from pools.selectors.connections import connection_list_for, current_connection
from pools.selectors.pool_names import NameCheck, pool_name_check
from pools.services.change_requests import change_request_create
from pools.services.pool_body import BILLING_YEARLY_MONTHLY, build_create_pool_body

SESSION_KEY = "pool_wizards"
MAX_WIZARDS_PER_SESSION = 10
# What one wizard may keep in the session, measured as the session stores it (JSON, non-ASCII escaped).
# Every field typed to its longest, the free text in the characters JSON escapes most, takes about 34 KiB;
# so the wizards of one session hold at most MAX_WIZARDS_PER_SESSION times this.
MAX_WIZARD_BYTES = 48 * 1024
NOT_IN_SESSION = "That create-pool wizard is no longer in your session; here is a fresh one."
WIZARD_TOO_LARGE = (
    "This step was not kept: with it the wizard would hold {size} KiB of form data, more than the {limit} KiB "
    "a wizard may keep. Shorten the longest fields and try again."
)


def _stored_size(value) -> int:
    """The bytes ``value`` takes in the session (Django's JSONSerializer: compact, ASCII only)."""
    return len(json.dumps(value, separators=(",", ":")))


class WizardStore:
    """The wizards of one browser session, each a dict: saved step data, start time, filed request."""

    def __init__(self, session):
        self.session = session

    def _all(self) -> dict:
        wizards = self.session.get(SESSION_KEY)
        return wizards if isinstance(wizards, dict) else {}

    def _write(self, wizards: dict) -> None:
        self.session[SESSION_KEY] = wizards
        self.session.modified = True

    def start(self) -> str:
        wizards = self._all()
        # Keep the newest few: a session should not grow with every abandoned wizard.
        for old in sorted(wizards, key=lambda k: wizards[k].get("started", ""))[
            : -MAX_WIZARDS_PER_SESSION + 1
        ]:
            del wizards[old]
        wizard_id = uuid.uuid4().hex
        wizards[wizard_id] = {"started": datetime.now(UTC).isoformat(), "steps": {}, "request": None}
        self._write(wizards)
        return wizard_id

    def get(self, wizard_id: str) -> dict | None:
        return self._all().get(wizard_id)

    def save_step(self, wizard_id: str, step: str, data: dict[str, list[str]]) -> None:
        """Keep ``data`` as the step's draft; refused (ApplicationError) when the wizard would grow too big."""
        wizards = self._all()
        wizard = {**wizards[wizard_id], "steps": {**wizards[wizard_id]["steps"], step: data}}
        size = _stored_size(wizard)
        if size > MAX_WIZARD_BYTES:
            raise ApplicationError(
                WIZARD_TOO_LARGE.format(size=-(-size // 1024), limit=MAX_WIZARD_BYTES // 1024)
            )
        wizards[wizard_id] = wizard
        self._write(wizards)

    def mark_filed(self, wizard_id: str, request_pk: int) -> None:
        wizards = self._all()
        wizards[wizard_id]["request"] = request_pk
        self._write(wizards)

    def discard(self, wizard_id: str) -> None:
        wizards = self._all()
        wizards.pop(wizard_id, None)
        self._write(wizards)


def _posted_data(request: HtmxHttpRequest, step: str) -> dict[str, list[str]]:
    """The step's own fields as posted: any other name is dropped, and so are values beyond a field's few."""
    declared = declared_fields(step)
    return {key: values[: declared[key]] for key, values in request.POST.lists() if key in declared}


def _as_form_data(saved: dict[str, list[str]] | None) -> MultiValueDict | None:
    if saved is None:
        return None
    return MultiValueDict(
        {str(k): [str(v) for v in values] for k, values in saved.items() if isinstance(values, list)}
    )


def _quiet(form) -> None:
    """Show a bound form's values without its errors (a saved draft, a row just added)."""
    if hasattr(form, "management_form"):
        for row in form.forms:
            row._errors = ErrorDict()
        form._errors = [ErrorDict() for _ in form.forms]
        form._non_form_errors = form.error_class()
    else:
        form._errors = ErrorDict()


def _rows(data: dict[str, list[str]], prefix: str = "rows") -> list[dict[str, str]]:
    """The flavor rows of the resources step, in order, as posted."""
    try:
        total = min(int((data.get(f"{prefix}-TOTAL_FORMS") or ["0"])[0]), 20)
    except ValueError:
        total = 0
    fields = ("flavor", "count", "max_count", "azs")
    return [
        {name: (data.get(f"{prefix}-{i}-{name}") or [""])[0] for name in fields} for i in range(max(total, 0))
    ]


def _with_rows(data: dict[str, list[str]], rows: list[dict[str, str]], prefix: str = "rows") -> dict:
    kept = {k: v for k, v in data.items() if not k.startswith(f"{prefix}-")}
    kept.update({f"{prefix}-TOTAL_FORMS": [str(len(rows))], f"{prefix}-INITIAL_FORMS": ["0"]})
    for i, row in enumerate(rows):
        kept.update({f"{prefix}-{i}-{name}": [value] for name, value in row.items()})
    return kept


def _edit_rows(data: dict[str, list[str]], action: str, index: str) -> dict[str, list[str]]:
    rows = _rows(data)
    if action == "add_row":
        rows.append({"flavor": "", "count": "1", "max_count": "", "azs": ""})
    elif index.isdigit() and int(index) < len(rows) and len(rows) > 1:
        rows.pop(int(index))
    return _with_rows(data, rows)


def _base_context(request: HtmxHttpRequest) -> WizardContext:
    current = current_connection(request)
    return WizardContext(
        user=request.user,
        connections=tuple(connection_list_for(request.user)),
        default_connection_id=current.pk if current else None,
        default_workspace_id=(current.workspace_id or "0") if current else "0",
    )


def _step_url(wizard_id: str, step: str, **query) -> str:
    url = reverse("pools:pool_wizard_step", kwargs={"wizard_id": wizard_id, "step": step})
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _request_url(change_request) -> str:
    return reverse("pools:change-request-detail", args=[change_request.pk])


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
        messages.info(request, NOT_IN_SESSION)
        return redirect("pools:pool_wizard_start")
    saved = wizard["steps"]
    base = _base_context(request)
    states, blocking = validate_steps({s: _as_form_data(d) for s, d in saved.items()}, base, until=step)
    if blocking is not None:
        return redirect(_step_url(wizard_id, blocking, check=1))
    context = context_after(states, base)
    action = request.POST.get("action", "next") if request.method == "POST" else ""
    partial = None

    if action == "cancel":
        store.discard(wizard_id)
        messages.info(request, "The create-pool wizard was cancelled; nothing was requested.")
        return redirect("pools:overview")
    edits_rows = step == "resources" and action.startswith(("add_row", "remove_row"))
    if request.method == "POST":
        data = _posted_data(request, step)
        if edits_rows:
            name, _, index = action.partition(":")
            data = _edit_rows(data, name, index)
        try:
            store.save_step(wizard_id, step, data)
        except ApplicationError as refusal:
            return _refuse_step(request, base, wizard_id, store, step, data, context, states, refusal)

    if action == "back":
        return redirect(_step_url(wizard_id, STEPS[max(STEPS.index(step) - 1, 0)]))
    if edits_rows:
        form, partial = step_form(step, _as_form_data(data), context), "flavor-rows"
        _quiet(form)
    elif action == "refresh" and step == "billing":
        form, partial = step_form(step, _as_form_data(data), context), "billing-fields"
        _quiet(form)
    elif request.method == "POST":
        form = step_form(step, _as_form_data(data), context)
        if form.is_valid() and step == "basics":
            _check_name_at_basics(request, base, wizard_id, form)
        if form.is_valid():
            if step == "review":
                return _file_request(request, store, wizard_id, base, states, form)
            return redirect(_step_url(wizard_id, STEPS[STEPS.index(step) + 1]))
    else:
        form = step_form(step, _as_form_data(saved.get(step)), context)
        if form.is_bound and not request.GET.get("check"):
            _quiet(form)

    return _render_step(request, base, wizard_id, store.get(wizard_id), step, form, states, partial)


def _refuse_step(request, base, wizard_id, store, step, data, context, states, refusal: ApplicationError):
    """The step again with ``refusal`` and nothing kept: the values as posted, with their errors. An htmx
    swap of part of the page reloads the whole page instead, so the refusal has a place to show."""
    if request.htmx:
        messages.error(request, refusal.message)
        return HttpResponseClientRefresh()
    form = step_form(step, _as_form_data(data), context)
    form.is_valid()  # a field that is too long says so next to it
    return _render_step(
        request, base, wizard_id, store.get(wizard_id), step, form, states, None, refusal=refusal
    )


def _name_check(request, base: WizardContext, wizard_id: str, basics: dict) -> tuple[NameCheck, list[str]]:
    """Who holds the wizard's pool name now, and what to tell the user about it."""
    connection = next(c for c in base.connections if c.pk == basics["connection_id"])
    name, workspace = basics["display_name"], basics["workspace_id"]
    check = pool_name_check(
        connection=connection,
        display_name=name,
        workspace_id=workspace,
        user=request.user,
        wizard_id=wizard_id,
    )
    where = {"name": name, "workspace": workspace, "connection": connection.name}
    problems = [NAME_TAKEN_BY_POOL.format(pools=", ".join(check.pools), **where)] if check.pools else []
    problems += [
        NAME_TAKEN_BY_REQUEST.format(pk=taken.pk, status=taken.get_status_display().lower(), **where)
        for taken in check.requests
    ]
    return check, problems


def _check_name_at_basics(request, base: WizardContext, wizard_id: str, form) -> None:
    """A taken name is an error on the first step; a check that could not reach ModelArts only a warning."""
    check, problems = _name_check(request, base, wizard_id, form.to_state())
    for problem in problems:
        form.add_error("display_name", problem)
    if check.unchecked is not None and not problems:
        name = form.cleaned_data["display_name"]
        messages.warning(request, NAME_UNCHECKED.format(name=name, problem=check.unchecked.message))


def _file_request(request, store: WizardStore, wizard_id: str, base: WizardContext, states: dict, form):
    body = build_create_pool_body(states)
    connection = next((c for c in base.connections if c.pk == states["basics"]["connection_id"]), None)
    if connection is None:
        return redirect(_step_url(wizard_id, "basics", check=1))
    # Checked again: another request or pool may have taken the name since the first step. (ModelArts is
    # asked once more, live, by change_request_create.)
    name_check = _name_check(request, base, wizard_id, states["basics"])
    if name_check[1]:
        return _render_step(
            request,
            base,
            wizard_id,
            store.get(wizard_id),
            "review",
            form,
            states,
            None,
            name_check=name_check,
        )
    try:
        change_request = change_request_create(
            user=request.user,
            connection=connection,
            kind="create_pool",
            target=states["basics"]["display_name"],
            body=body,
            reason=form.cleaned_data["reason"],
            idempotency_key=wizard_id,
        )
    except ApplicationError as error:
        refusal = None
        if error.field == "reason":
            form.add_error("reason", error.message)
        else:
            refusal = error
        return _render_step(
            request, base, wizard_id, store.get(wizard_id), "review", form, states, None, refusal=refusal
        )
    store.mark_filed(wizard_id, change_request.pk)
    messages.success(
        request,
        f"Change request #{change_request.pk} to create pool “{change_request.target}” is waiting for approval.",
    )
    return HttpResponseRedirect(_request_url(change_request))


def _render_step(
    request,
    base: WizardContext,
    wizard_id,
    wizard,
    step,
    form,
    states,
    partial,
    refusal=None,
    name_check=None,
):
    reachable = _reachable_steps(wizard, base)
    context = {
        "wizard_id": wizard_id,
        "step": step,
        "step_title": STEP_TITLES[step],
        "steps": [
            {"name": s, "title": STEP_TITLES[s], "url": _step_url(wizard_id, s), "reachable": s in reachable}
            for s in STEPS
        ],
        "step_number": STEPS.index(step) + 1,
        "step_count": len(STEPS),
        "is_first": step == STEPS[0],
        "form": form,
        "action_url": _step_url(wizard_id, step),
        "filed_request": wizard.get("request"),
        "refusal": refusal,
        "flavors": flavors.FLAVORS,
        "gpu_driver_versions": flavors.GPU_DRIVER_VERSIONS,
        "npu_driver_versions": flavors.NPU_DRIVER_VERSIONS,
    }
    if step == "review":
        body = build_create_pool_body(states)
        check, name_problems = name_check or _name_check(request, base, wizard_id, states["basics"])
        context.update(
            {
                "name_problems": name_problems,
                "name_unchecked": check.unchecked,
                "name_unchecked_note": NAME_UNCHECKED_AT_REVIEW.format(name=states["basics"]["display_name"]),
                "basics_url": _step_url(wizard_id, "basics"),
                "states": states,
                "order_notes": _order_notes(states.get("billing") or {}),
                "body": body,
                "body_json": json.dumps(body, indent=2, ensure_ascii=False),
                "connection": next(
                    (c for c in base.connections if c.pk == states["basics"]["connection_id"]), None
                ),
                "rows": [
                    {**row, "flavor_info": flavors.get(row["flavor"])} for row in states["resources"]["rows"]
                ],
            }
        )
    page = f"pools/pool_wizard/{step}.html"
    return render(request, template_for(request, page, partial) if partial else page, context)


def _order_notes(billing: dict) -> list[str]:
    """Where a subscription's order comes from and who pays it, for the review."""
    if billing.get("mode") != BILLING_YEARLY_MONTHLY:
        return []
    return [
        ORDER_MADE_ON_CREATE,
        ORDER_PAID_AUTOMATICALLY if billing.get("auto_pay") else ORDER_PAID_IN_CONSOLE,
    ]


def _reachable_steps(wizard: dict, base: WizardContext) -> set[str]:
    """The steps one may open from the step list: every valid step and the first one that is not."""
    saved = {s: _as_form_data(d) for s, d in wizard["steps"].items()}
    _, blocking = validate_steps(saved, base, until=STEPS[-1])
    stop = STEPS.index(blocking) if blocking else len(STEPS) - 1
    return set(STEPS[: stop + 1])
