import json

import pytest
from django.urls import reverse

from pools.change_kinds.pool_body import build_create_pool_body
from pools.forms.pool_wizard import messages, resources, state, steps
from pools.models import ChangeRequest
from pools.views import pool_wizard as views
from tests.fixtures.sandbox import PROJECT_ID
from tests.fixtures.wizard import WizardWalker, flavor_rows

pytestmark = pytest.mark.django_db

T4 = "modelarts.vm.gpu.t4u8"
NPU = "modelarts.bm.npu.arm.8snt9b3.d"
NETWORK = f"network-a1b2-{PROJECT_ID}"


def basics(connection, **extra):
    return {
        "connection": str(connection.pk),
        "display_name": "pool-vision",
        "description": "Vision team",
        **extra,
    }


def walk_to_review(
    walker, connection, *, billing=None, basics_extra=None, rows=None, network=None, kind=None
):
    walker.next_ok("basics", basics(connection, **(basics_extra or {})))
    walker.next_ok("type", kind or {"type": "Dedicate", "scope": ["Train", "Infer"]})
    walker.next_ok("resources", flavor_rows(*(rows or [{"flavor": T4, "count": "2"}])))
    walker.next_ok(
        "network",
        network or {"network_name": NETWORK, "gpu_version": "535.161.08", "update_strategy": "idle"},
    )
    return walker.next_ok("billing", billing or {"mode": "0"})


def field_errors(response, field):
    form = response.context["form"]
    return form.errors.get(field, [])


# --- access --------------------------------------------------------------------------------------------------


def test_viewer_gets_403_everywhere(viewer_client, sandbox_connection):
    assert viewer_client.get(reverse("pools:pool_wizard_start")).status_code == 403
    url = reverse("pools:pool_wizard_step", kwargs={"wizard_id": "0" * 32, "step": "basics"})
    assert viewer_client.get(url).status_code == 403
    assert viewer_client.post(url, {"action": "next"}).status_code == 403


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("pools:pool_wizard_start"))
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_unknown_wizard_id_starts_a_fresh_wizard(operator_client, sandbox_connection):
    url = reverse("pools:pool_wizard_step", kwargs={"wizard_id": "f" * 32, "step": "type"})
    response = operator_client.get(url)
    assert response.status_code == 302 and response.url == reverse("pools:pool_wizard_start")
    url = reverse("pools:pool_wizard_step", kwargs={"wizard_id": "f" * 32, "step": "nonsense"})
    assert operator_client.get(url).status_code == 404


# --- the whole way through, against the sandbox ---------------------------------------------------------------


def test_pay_per_use_request_end_to_end(walker, sandbox_connection, operator, sandbox):
    assert walk_to_review(walker, sandbox_connection).endswith("/review/")
    review = walker.get("review")
    html = review.content.decode()
    expected = {
        "apiVersion": "v2",
        "kind": "Pool",
        "metadata": {
            "labels": {"os.modelarts/name": "pool-vision", "os.modelarts/workspace.id": "0"},
            "annotations": {"os.modelarts/description": "Vision team", "os.modelarts/billing.mode": "0"},
        },
        "spec": {
            "type": "Dedicate",
            "scope": ["Train", "Infer"],
            "resources": [{"flavor": T4, "count": 2, "maxCount": 2}],
            "network": {"name": NETWORK},
            "driver": {"gpuVersion": "535.161.08", "updateStrategy": "idle"},
        },
    }
    assert review.context["body"] == expected
    assert json.dumps(expected, indent=2) in html.replace("&quot;", '"')
    assert "Pay-per-use" in html and "GPU T4" in html

    response = walker.post("review", {"reason": "The vision team needs T4s for a month."})
    change_request = ChangeRequest.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("pools:change_request_detail", args=[change_request.pk])
    assert change_request.kind == "create_pool"
    assert change_request.target == "pool-vision"
    assert change_request.body == expected
    assert change_request.connection == sandbox_connection
    assert change_request.requested_by == operator
    assert change_request.idempotency_key == walker.wizard_id
    assert change_request.status == "pending"
    assert sandbox.calls("CreatePool") == 0  # nothing is created before approval


def test_submitting_twice_files_one_request(walker, sandbox_connection):
    walk_to_review(walker, sandbox_connection)
    first = walker.post("review", {"reason": "Needed."})
    second = walker.post("review", {"reason": "Needed."})
    assert first.status_code == second.status_code == 302
    assert first.url == second.url
    assert ChangeRequest.objects.count() == 1
    assert "already filed" in walker.get("review").content.decode()


@pytest.mark.parametrize(
    ("billing", "annotations", "payment"),
    [
        (
            {"mode": "1", "period_type": "2", "period_num": "6", "auto_renew": "on"},
            {
                "os.modelarts/description": "Vision team",
                "os.modelarts/billing.mode": "1",
                "os.modelarts/period.num": "6",
                "os.modelarts/period.type": "2",
                "os.modelarts/auto.renew": "1",
                "os.modelarts/auto.pay": "false",
            },
            messages.ORDER_PAID_IN_CONSOLE,
        ),
        (
            {
                "mode": "1",
                "period_type": "3",
                "period_num": "2",
                "auto_pay": "on",
                "promotion_info": "spring-10",
                "console_url": "https://console.example.test/done",
            },
            {
                "os.modelarts/description": "Vision team",
                "os.modelarts/billing.mode": "1",
                "os.modelarts/period.num": "2",
                "os.modelarts/period.type": "3",
                "os.modelarts/auto.renew": "0",
                "os.modelarts/auto.pay": "true",
                "os.modelarts/promotion.info": "spring-10",
                "os.modelarts/service.console.url": "https://console.example.test/done",
            },
            messages.ORDER_PAID_AUTOMATICALLY,
        ),
    ],
    ids=["monthly", "yearly"],
)
def test_subscriptions_reach_the_request_body(walker, sandbox_connection, billing, annotations, payment):
    walk_to_review(walker, sandbox_connection, billing=billing)
    notes = walker.get("review").context["order_notes"]
    assert notes == [messages.ORDER_MADE_ON_CREATE, payment]  # where the order comes from, who pays it
    walker.post("review", {"reason": "Reserved capacity."})
    assert ChangeRequest.objects.get().body["metadata"]["annotations"] == annotations  # no order id


def test_the_billing_step_and_the_review_say_where_the_order_comes_from(walker, sandbox_connection):
    walk_to_review(walker, sandbox_connection)
    yearly = walker.post("billing", {"mode": "1"}, action="refresh", headers={"HX-Request": "true"})
    html = yearly.content.decode().replace("&#x27;", "'")
    assert 'name="order_id"' not in html  # nothing to enter: ModelArts makes the order on create
    assert messages.ORDER_MADE_ON_CREATE in html and messages.ORDER_PAID_IN_CONSOLE in html
    walker.next_ok("billing", {"mode": "1", "period_type": "2", "period_num": "1"})
    review = walker.get("review").content.decode().replace("&#x27;", "'")
    assert messages.ORDER_MADE_ON_CREATE in review and messages.ORDER_PAID_IN_CONSOLE in review
    walker.next_ok("billing", {"mode": "0"})
    assert "ModelArts makes the order" not in walker.get("review").content.decode()


def test_logical_npu_pool_with_labels_and_az_spread(walker, sandbox_connection):
    walk_to_review(
        walker,
        sandbox_connection,
        basics_extra={"node_prefix": "npu", "labels": "team=llm", "workspace_id": ""},
        kind={"type": "Logical", "scope": ["Train"]},
        # The NPU flavor is sold out in the sandbox's zone b: zones a and c are picked.
        rows=[{"flavor": NPU, "count": "2", "max_count": "4", "zone_0": "1", "zone_2": "1"}],
        network={"update_strategy": "idle", "job_flavors": "train.npu"},
    )
    body = walker.get("review").context["body"]
    assert body["metadata"]["labels"] == {
        "os.modelarts/name": "pool-vision",
        "os.modelarts/workspace.id": "0",
        "os.modelarts/node.prefix": "npu",
        "team": "llm",
    }
    assert body["spec"] == {
        "type": "Logical",
        "scope": ["Train"],
        "resources": [
            {
                "flavor": NPU,
                "count": 2,
                "maxCount": 4,
                "azs": [{"az": "cn-north-4a", "count": 1}, {"az": "cn-north-4c", "count": 1}],
            }
        ],
        "jobFlavors": ["train.npu"],
    }


def test_a_logical_pool_passes_the_network_step_as_a_browser_posts_it(walker, sandbox_connection):
    """The step shows no field for a logical pool, so the browser posts none of them."""
    walker.next_ok("basics", basics(sandbox_connection))
    walker.next_ok("type", {"type": "Logical", "scope": ["Train"]})
    walker.next_ok("resources", flavor_rows({"flavor": T4, "count": "1"}))
    assert walker.next_ok("network", {}).endswith("/billing/")


def test_review_body_is_what_build_create_pool_body_makes(walker, sandbox_connection):
    walk_to_review(walker, sandbox_connection)
    review = walker.get("review")
    assert review.context["body"] == build_create_pool_body(review.context["states"])


def test_a_refusal_from_the_service_is_shown_on_the_review(walker, sandbox_connection, sandbox):
    walk_to_review(walker, sandbox_connection)
    sandbox.faults.error(503, count=10)
    response = walker.post("review", {"reason": "Needed."})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reading the live state of pool-vision failed" in html
    assert "<dt>HTTP status</dt><dd>503</dd>" in html and "<dt>Request id</dt>" in html
    assert ChangeRequest.objects.count() == 0
    sandbox.faults.clear()
    assert walker.post("review", {"reason": "Needed."}).status_code == 302  # the same wizard, once it works


def test_a_body_the_service_would_refuse_is_shown_on_the_review_and_never_filed(
    walker, sandbox_connection, monkeypatch
):
    def without_resources(states):
        body = build_create_pool_body(states)
        body["spec"]["resources"] = []
        return body

    def never(**_):
        raise AssertionError("a body the service refuses was sent to it")

    monkeypatch.setattr(views, "build_create_pool_body", without_resources)
    monkeypatch.setattr(views, "change_request_create", never)
    walk_to_review(walker, sandbox_connection)
    refused = messages.BODY_REFUSED.format(problem="spec.resources must list at least one flavor")
    assert refused in walker.get("review").content.decode()
    response = walker.post("review", {"reason": "Needed."})
    assert response.status_code == 200 and refused in response.content.decode()
    assert ChangeRequest.objects.count() == 0


# --- a pool name that is taken ------------------------------------------------------------------------------


def name_taken_by_pool(connection, pool_id):
    return messages.NAME_TAKEN_BY_POOL.format(
        connection=connection.name, name="pool-vision", workspace="0", pools=pool_id
    )


def test_a_name_a_pool_has_is_refused_on_the_first_step(walker, sandbox_connection, running_pool):
    pool_id = running_pool("pool-vision")
    response = walker.post("basics", basics(sandbox_connection))
    assert response.status_code == 200
    assert field_errors(response, "display_name") == [name_taken_by_pool(sandbox_connection, pool_id)]
    assert walker.next_ok("basics", basics(sandbox_connection, display_name="pool-vision-2")).endswith(
        "/type/"
    )


def test_a_name_an_open_request_asks_for_is_refused_on_the_first_step(operator_client, sandbox_connection):
    first = WizardWalker(operator_client)
    walk_to_review(first, sandbox_connection)
    first.post("review", {"reason": "Needed."})
    filed = ChangeRequest.objects.get()

    second = WizardWalker(operator_client)
    response = second.post("basics", basics(sandbox_connection))
    assert field_errors(response, "display_name") == [
        messages.NAME_TAKEN_BY_REQUEST.format(
            pk=filed.pk, status="pending approval", name="pool-vision", workspace="0", connection="sandbox"
        )
    ]
    # A request that was rejected (or cancelled, expired, done) no longer holds the name.
    ChangeRequest.objects.filter(pk=filed.pk).update(status=ChangeRequest.Status.REJECTED)
    assert second.next_ok("basics", basics(sandbox_connection)).endswith("/type/")


def test_an_upstream_failure_at_the_name_check_does_not_block_and_says_so(
    walker, sandbox_connection, sandbox
):
    sandbox.faults.error(503, operation="ListPools")
    response = walker.post("basics", basics(sandbox_connection))
    assert response.status_code == 302 and response.url.endswith("/type/")
    page = walker.client.get(response.url).content.decode().replace("&#x27;", "'")
    assert "Whether a pool named pool-vision already exists could not be checked: Listing the pools" in page
    assert "the name is checked again on the review and when the request is filed" in page
    walk_to_review(walker, sandbox_connection)
    review = walker.get("review").content.decode()
    assert "could not be checked now; it is checked again when the request is filed" in review
    assert "<dt>HTTP status</dt><dd>503</dd>" in review
    sandbox.faults.clear()
    assert walker.post("review", {"reason": "Needed."}).status_code == 302


def test_the_name_is_checked_again_on_the_review_and_when_filing(walker, sandbox_connection, running_pool):
    walk_to_review(walker, sandbox_connection)
    assert walker.get("review").context["name_problems"] == []
    pool_id = running_pool("pool-vision")  # made by someone else meanwhile
    taken = name_taken_by_pool(sandbox_connection, pool_id)
    assert taken in walker.get("review").content.decode().replace("&#x27;", "'")
    response = walker.post("review", {"reason": "Needed."})
    assert response.status_code == 200 and taken in response.content.decode().replace("&#x27;", "'")
    assert ChangeRequest.objects.count() == 0


# --- validation at each step ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("step", "data", "field", "message"),
    [
        ("basics", {"display_name": "Pool!"}, "display_name", messages.DISPLAY_NAME_INVALID),
        ("basics", {"display_name": "abc"}, "display_name", messages.DISPLAY_NAME_INVALID),
        ("basics", {"labels": "os.modelarts/name=x"}, "labels", None),
        ("basics", {"connection": "999999"}, "connection", messages.CONNECTION_INVALID),
    ],
)
def test_basics_errors(walker, sandbox_connection, step, data, field, message):
    response = walker.post(step, {**basics(sandbox_connection), **data})
    assert response.status_code == 200
    errors = field_errors(response, field)
    assert errors and (message is None or errors == [message])


def test_an_invisible_character_is_refused_on_the_page_and_never_reaches_the_review(
    walker, sandbox_connection
):
    # "Vision team" written so that it shows as "Vision maet" after an override: approvers must see it.
    response = walker.post("basics", basics(sandbox_connection, description="Vision \u202eteam"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Remove the invisible character U+202E (RIGHT-TO-LEFT OVERRIDE)" in html
    assert walker.get("review").url.endswith("/basics/?check=1")


def test_type_needs_a_scope(walker, sandbox_connection):
    walker.next_ok("basics", basics(sandbox_connection))
    response = walker.post("type", {"type": "Dedicate"})
    assert field_errors(response, "scope") == [messages.SCOPE_REQUIRED]


def test_resources_errors_per_row(walker, sandbox_connection):
    walker.next_ok("basics", basics(sandbox_connection))
    walker.next_ok("type", {"type": "Dedicate", "scope": ["Train"]})
    response = walker.post("resources", flavor_rows({"flavor": T4, "count": "2", "max_count": "3"}))
    assert response.status_code == 200
    assert response.context["form"].forms[0].errors["max_count"] == [messages.MAX_COUNT_NOT_EQUAL]
    assert messages.MAX_COUNT_NOT_EQUAL in response.content.decode().replace("&#x27;", "'")


def test_network_is_required_for_a_physical_pool(walker, sandbox_connection):
    walker.next_ok("basics", basics(sandbox_connection))
    walker.next_ok("type", {"type": "Dedicate", "scope": ["Train"]})
    walker.next_ok("resources", flavor_rows({"flavor": T4, "count": "1"}))
    response = walker.post("network", {"update_strategy": "idle"})
    assert field_errors(response, "network_name") == [messages.NETWORK_REQUIRED]


@pytest.mark.parametrize(
    ("billing", "field", "message"),
    [
        ({"mode": "1", "period_num": "2"}, "period_type", messages.PERIOD_TYPE_REQUIRED),
        ({"mode": "1", "period_type": "2"}, "period_num", messages.PERIOD_NUM_REQUIRED),
        (
            {"mode": "1", "period_type": "2", "period_num": "12"},
            "period_num",
            messages.PERIOD_MONTHS_RANGE,
        ),
        (
            {"mode": "1", "period_type": "3", "period_num": "5"},
            "period_num",
            messages.PERIOD_YEARS_RANGE,
        ),
    ],
)
def test_billing_errors(walker, sandbox_connection, billing, field, message):
    walker.next_ok("basics", basics(sandbox_connection))
    walker.next_ok("type", {"type": "Dedicate", "scope": ["Train"]})
    walker.next_ok("resources", flavor_rows({"flavor": T4, "count": "1"}))
    walker.next_ok("network", {"network_name": NETWORK, "update_strategy": "idle"})
    response = walker.post("billing", billing)
    assert response.status_code == 200
    assert field_errors(response, field) == [message]


def test_review_needs_a_reason(walker, sandbox_connection):
    walk_to_review(walker, sandbox_connection)
    response = walker.post("review", {"reason": ""})
    assert field_errors(response, "reason") == [messages.REASON_REQUIRED]
    assert ChangeRequest.objects.count() == 0


@pytest.mark.parametrize("step", steps.STEPS)
def test_garbage_is_never_a_500(walker, sandbox_connection, step):
    walk_to_review(walker, sandbox_connection)
    garbage = {
        "connection": "1; DROP TABLE",
        "display_name": "x" * 10000,
        "scope": ["Train", "<script>"],
        "type": ["Dedicate", "Logical"],
        "rows-TOTAL_FORMS": "-5",
        "rows-0-count": "1e9",
        "mode": "\x00",
        "period_num": "99999999999999999999999",
        "reason": "",
    }
    for action in ("next", "back", "add_row", "remove_row:abc", "refresh", "unknown"):
        response = walker.post(step, garbage, action=action)
        assert response.status_code in (200, 302), (action, response.status_code)


# --- navigation and state ------------------------------------------------------------------------------------


def test_back_and_forward_keep_the_values(walker, sandbox_connection):
    walker.next_ok("basics", basics(sandbox_connection, labels="team=vision"))
    # Going back keeps what was typed on this step, even if it is not valid yet.
    response = walker.post("type", {"type": "Logical"}, action="back")
    assert response.status_code == 302 and response.url.endswith("/basics/")
    basics_page = walker.get("basics").content.decode()
    assert 'value="pool-vision"' in basics_page and "team=vision" in basics_page
    type_page = walker.get("type")
    assert type_page.context["form"]["type"].value() == "Logical"
    assert not type_page.context["form"].errors  # a saved draft shows no errors until submitted
    walker.next_ok("type", {"type": "Logical", "scope": ["Infer"]})
    assert walker.get("type").context["form"]["scope"].value() == ["Infer"]


def test_steps_cannot_be_skipped(walker, sandbox_connection):
    response = walker.get("billing")
    assert response.status_code == 302 and response.url.endswith("/basics/?check=1")
    walker.next_ok("basics", basics(sandbox_connection))
    assert walker.get("resources").url.endswith("/type/?check=1")


def test_changing_an_earlier_step_sends_you_back_to_the_step_it_breaks(walker, sandbox_connection):
    walk_to_review(
        walker,
        sandbox_connection,
        kind={"type": "Logical", "scope": ["Train"]},
        network={"update_strategy": "idle"},
    )
    walker.next_ok("type", {"type": "Dedicate", "scope": ["Train"]})  # now a network is needed
    response = walker.get("review")
    assert response.status_code == 302 and response.url.endswith("/network/?check=1")
    checked = walker.client.get(response.url)
    assert field_errors(checked, "network_name") == [messages.NETWORK_REQUIRED]


def test_two_wizards_in_two_tabs_do_not_mix(operator_client, sandbox_connection):
    first, second = WizardWalker(operator_client), WizardWalker(operator_client)
    assert first.wizard_id != second.wizard_id
    first.next_ok("basics", basics(sandbox_connection, display_name="pool-first"))
    second.next_ok("basics", basics(sandbox_connection, display_name="pool-second"))
    for walker in (first, second):
        walker.next_ok("type", {"type": "Dedicate", "scope": ["Train"]})
    first.next_ok("resources", flavor_rows({"flavor": T4, "count": "1"}))
    second.next_ok("resources", flavor_rows({"flavor": NPU, "count": "3"}))
    for walker in (first, second):
        walker.next_ok("network", {"network_name": NETWORK, "update_strategy": "idle"})
        walker.next_ok("billing", {"mode": "0"})
    first_body, second_body = first.get("review").context["body"], second.get("review").context["body"]
    assert first_body["metadata"]["labels"]["os.modelarts/name"] == "pool-first"
    assert second_body["metadata"]["labels"]["os.modelarts/name"] == "pool-second"
    assert first_body["spec"]["resources"] == [{"flavor": T4, "count": 1, "maxCount": 1}]
    assert second_body["spec"]["resources"] == [{"flavor": NPU, "count": 3, "maxCount": 3}]
    first.post("review", {"reason": "First."})
    second.post("review", {"reason": "Second."})
    assert sorted(ChangeRequest.objects.values_list("target", flat=True)) == ["pool-first", "pool-second"]


def test_cancel_forgets_the_wizard(walker, sandbox_connection):
    walker.next_ok("basics", basics(sandbox_connection))
    response = walker.post("type", {}, action="cancel")
    assert response.status_code == 302
    assert walker.get("basics").url == reverse("pools:pool_wizard_start")


# --- htmx enhancements and their plain-form twins ------------------------------------------------------------


def test_rows_are_added_and_removed_with_htmx(walker, sandbox_connection):
    walker.next_ok("basics", basics(sandbox_connection))
    walker.next_ok("type", {"type": "Dedicate", "scope": ["Train"]})
    htmx = {"headers": {"HX-Request": "true"}}
    added = walker.post("resources", flavor_rows({"flavor": T4, "count": "2"}), action="add_row", **htmx)
    html = added.content.decode()
    assert html.lstrip().startswith('<div id="flavor-rows">')
    assert 'name="rows-TOTAL_FORMS" value="2"' in html
    assert "errorlist" not in html  # a new empty row is not an error yet
    data = flavor_rows({"flavor": T4, "count": "2"}, {"flavor": NPU, "count": "4"})
    removed = walker.post("resources", data, action="remove_row:0", **htmx).content.decode()
    assert 'name="rows-TOTAL_FORMS" value="1"' in removed
    assert f'<option value="{NPU}" selected>' in removed
    # Without JavaScript the same buttons return the whole page.
    plain = walker.post("resources", flavor_rows({"flavor": T4, "count": "2"}), action="add_row")
    assert "<html" in plain.content.decode()
    assert len(walker.get("resources").context["form"].forms) == 2  # and the rows were kept


def test_billing_fields_follow_the_mode(walker, sandbox_connection):
    walk_to_review(walker, sandbox_connection)
    htmx = {"headers": {"HX-Request": "true"}}
    yearly = walker.post("billing", {"mode": "1"}, action="refresh", **htmx).content.decode()
    assert yearly.lstrip().startswith('<div id="billing-fields">')
    assert 'name="period_type"' in yearly and 'name="period_num"' in yearly
    assert "errorlist" not in yearly
    per_use = walker.post("billing", {"mode": "0"}, action="refresh", **htmx).content.decode()
    assert 'name="period_num"' not in per_use
    page = walker.get("billing").content.decode()
    assert "hx-post" in page and 'value="refresh"' in page  # the htmx swap and the no-JavaScript button


def test_only_the_steps_own_fields_are_kept(walker, sandbox_connection, operator_client):
    posted = {
        **basics(sandbox_connection),
        "description": ["Vision team", "second value", "third value"],
        **{f"extra{i}": "x" * 1000 for i in range(500)},  # Django itself refuses more than 1000 fields
        "reason": "a field of another step",
    }
    walker.next_ok("basics", posted)
    saved = operator_client.session["pool_wizards"][walker.wizard_id]["steps"]["basics"]
    assert set(saved) <= set(steps.declared_fields("basics"))
    assert saved["description"] == ["Vision team"]
    walker.next_ok("type", {"type": "Dedicate", "scope": ["Train", "Infer", "Train", "Infer"], "extra": "x"})
    assert operator_client.session["pool_wizards"][walker.wizard_id]["steps"]["type"] == {
        "type": ["Dedicate"],
        "scope": ["Train", "Infer", "Train"],  # as many values as there are job types, no more
    }


@pytest.mark.parametrize("action", ["next", "back"])
def test_a_step_that_would_bloat_the_session_is_refused(walker, sandbox_connection, operator_client, action):
    walker.next_ok("basics", basics(sandbox_connection))
    huge = {**basics(sandbox_connection), "description": "x" * 100_000, "labels": "a=b\n" * 20_000}
    response = walker.post("basics", huge, action=action)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This step was not kept" in html and f"{state.MAX_WIZARD_BYTES // 1024} KiB" in html
    assert field_errors(response, "description")  # the field that is too long says so too
    stored = operator_client.session["pool_wizards"][walker.wizard_id]
    assert stored["steps"]["basics"]["description"] == ["Vision team"]  # the draft from before is kept
    assert len(json.dumps(operator_client.session["pool_wizards"])) < state.MAX_WIZARD_BYTES


def test_an_htmx_swap_that_would_bloat_the_session_reloads_the_page_with_the_refusal(
    walker, sandbox_connection, operator_client
):
    walker.next_ok("basics", basics(sandbox_connection))
    walker.next_ok("type", {"type": "Dedicate", "scope": ["Train"]})
    rows = flavor_rows(*({"flavor": T4, "count": "1", "max_count": "x" * 5000} for _ in range(20)))
    response = walker.post("resources", rows, action="add_row", headers={"HX-Request": "true"})
    assert response.status_code == 200 and response.headers["HX-Refresh"] == "true"
    assert "resources" not in operator_client.session["pool_wizards"][walker.wizard_id]["steps"]
    assert "This step was not kept" in walker.get("resources").content.decode()  # as a message


# --- no step re-renders without saying why -------------------------------------------------------------------

CPU = "modelarts.vm.cpu.8ud"


def steps_data(connection, pool_type, flavor, mode):
    """Valid data for every step, as a browser posts it (no value for a field the step does not show)."""
    if pool_type == "Dedicate":
        network = {"network_name": NETWORK, **({"gpu_version": "535.161.08"} if flavor == T4 else {})}
    else:
        network = {}
    return {
        "basics": basics(connection),
        "type": {"type": pool_type, "scope": ["Train"]},
        "resources": flavor_rows({"flavor": flavor, "count": "2"}),
        "network": network,
        "billing": {"mode": "1", "period_type": "2", "period_num": "3"} if mode == "1" else {"mode": "0"},
        "review": {"reason": "Needed."},
    }


def fields_of(step) -> list:
    form_class = resources.FlavorRowForm if step == "resources" else steps.STEP_FORMS[step]
    return [*form_class.base_fields, None]  # None: an error of the form (or of a row) as a whole


def force_error(monkeypatch, step, field, message):
    """Make the view's form of ``step`` fail with ``message`` on ``field`` (of the first row, for rows)."""
    real = views.step_form

    def with_error(name, data, context):
        form = real(name, data, context)
        if name == step and data is not None:
            clean = form.full_clean

            def full_clean():
                clean()
                (form.forms[0] if hasattr(form, "forms") else form).add_error(field, message)

            form.full_clean = full_clean
        return form

    monkeypatch.setattr(views, "step_form", with_error)


@pytest.mark.parametrize(
    ("pool_type", "flavor", "mode"),
    [("Dedicate", T4, "0"), ("Dedicate", CPU, "1"), ("Logical", T4, "0"), ("Logical", NPU, "1")],
)
def test_every_error_of_every_step_is_shown(walker, sandbox_connection, monkeypatch, pool_type, flavor, mode):
    data = steps_data(sandbox_connection, pool_type, flavor, mode)
    for step in steps.STEPS:
        for field in fields_of(step):
            message = f"Forced error on {step}.{field or 'all'}"
            with monkeypatch.context() as patch:
                force_error(patch, step, field, message)
                response = walker.post(step, data[step])
            assert response.status_code == 200, (step, field)
            assert message in response.content.decode(), f"{step}: an error on {field} is not shown"
        if step != "review":
            walker.next_ok(step, data[step])
