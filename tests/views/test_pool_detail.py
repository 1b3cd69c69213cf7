"""The pool page: every part of the pool, tabs with real links, the raw JSON, banners."""

import pytest
from django.urls import reverse

from pools.models import UserPreference
from tests.fixtures.pool_pages import FAULT_MODES, hx_get
from tests.fixtures.sandbox import PROJECT_ID, pool_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def llm(seeded_sandbox, sandbox_connection):
    name = pool_id(seeded_sandbox, "llm-pretrain")
    return {
        "name": name,
        "detail": reverse("pools:pool_detail", args=[sandbox_connection.pk, name]),
        "nodes": reverse("pools:pool_nodes", args=[sandbox_connection.pk, name]),
        "monitoring": reverse("pools:pool_monitoring", args=[sandbox_connection.pk, name]),
    }


def test_the_page_shows_metadata_spec_status_billing_and_raw_json(browse, llm):
    response = browse.get(llm["detail"])
    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>llm-pretrain" in html and llm["name"] in html
    # metadata, labels, annotations
    assert "Foundation-model pre-training cluster (Ascend)" in html
    assert "os.modelarts/workspace.id" in html and "team" in html and "os.modelarts/billing.mode" in html
    # spec
    assert "Dedicate" in html and "(physical)" in html and "modelarts.bm.npu.arm.8snt9b3.d" in html
    assert "23.0.6" in html and "idle" in html and "network-" in html
    # status: phase, resources per state
    assert '<span class="badge ok">Running</span>' in html
    assert "<td>Available</td>" in html and "<td>Abnormal</td>" in html
    # billing
    assert "Yearly/monthly" in html and "1 year" in html and "CS2501010800LLM01" in html
    assert "Auto-renew</dt><dd>yes" in html
    # the raw answer
    assert "Raw JSON" in html and "&quot;apiVersion&quot;: &quot;v2&quot;" in html


def test_tabs_are_real_links_loaded_with_htmx(browse, llm):
    html = browse.get(llm["detail"]).content.decode()
    for tab in ("detail", "nodes", "monitoring"):
        assert f'href="{llm[tab]}" hx-get="{llm[tab]}" hx-target="#pool-tab"' in html
    assert 'class="active" aria-current="page">Details' in html


def test_the_htmx_request_gets_only_the_tab(browse, llm):
    html = hx_get(browse, llm["detail"]).content.decode()
    assert html.lstrip().startswith('<div id="pool-tab"') and "<html" not in html
    assert "Raw JSON" in html


def test_the_page_carries_no_inline_script(browse, llm):
    html = browse.get(llm["detail"]).content.decode()
    for tag in html.split("<script")[1:]:
        head = tag.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head, head


MISSING_POOL = "no-such-pool-" + "0" * 32


def missing_pool_urls(connection) -> dict[str, tuple[str, dict, dict]]:
    """Every page and partial of one pool: (url, query, headers)."""
    args = [connection.pk, MISSING_POOL]
    htmx = {"HX-Request": "true"}
    nodes = reverse("pools:pool_nodes", args=args)
    return {
        "detail": (reverse("pools:pool_detail", args=args), {}, {}),
        "detail tab": (reverse("pools:pool_detail", args=args), {}, {**htmx, "HX-Target": "pool-tab"}),
        "detail refresh": (reverse("pools:pool_detail", args=args), {"refresh": "1"}, {}),
        "nodes": (nodes, {}, {}),
        "nodes tab": (nodes, {"phase": "Abnormal"}, {**htmx, "HX-Target": "pool-tab"}),
        "nodes load more": (nodes, {"after": "b3Mtbm9kZQ"}, htmx),
        "monitoring": (reverse("pools:pool_monitoring", args=args), {}, {}),
        "monitoring tab": (reverse("pools:pool_monitoring", args=args), {"range": "6h"}, htmx),
        "monitoring csv": (reverse("pools:pool_monitoring_csv", args=args), {}, {}),
    }


@pytest.mark.parametrize(
    "page",
    [
        "detail",
        "detail tab",
        "detail refresh",
        "nodes",
        "nodes tab",
        "nodes load more",
        "monitoring",
        "monitoring tab",
        "monitoring csv",
    ],
)
def test_an_unknown_pool_is_a_404_on_every_page_and_partial(browse, seeded_sandbox, sandbox_connection, page):
    url, query, headers = missing_pool_urls(sandbox_connection)[page]
    response = browse.get(url, query, headers=headers)
    html = response.content.decode()
    assert response.status_code == 404
    assert "Request deletion" not in html and "upstream-error" not in html
    assert seeded_sandbox.calls() > 0, "ModelArts was asked, and said no such pool"


def test_the_404_is_the_projects_own_page_even_for_a_requester(
    browse, operator, seeded_sandbox, sandbox_connection
):
    browse.force_login(operator)  # who would see "Request deletion…" on a pool page
    url, _, _ = missing_pool_urls(sandbox_connection)["detail"]
    response = browse.get(url)
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html and "Request deletion" not in html
    assert [template.name for template in response.templates][:1] == ["404.html"]


def test_a_404_from_the_gateway_is_a_banner_not_a_missing_pool(browse, seeded_sandbox, make_connection):
    from tests.fixtures.sandbox import AK, SK

    # A wrong endpoint path: the gateway answers 404 APIG.0101 ("no such API") for every call.
    wrong_path = make_connection(
        "wrong-path",
        access_key=AK,
        secret_key=SK,
        project_id=PROJECT_ID,
        endpoint=f"{seeded_sandbox.url}/api",
    )
    pool = pool_id(seeded_sandbox, "llm-pretrain")
    response = browse.get(reverse("pools:pool_detail", args=[wrong_path.pk, pool]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "upstream-error" in html and "APIG.0101" in html and "404" in html


@pytest.mark.parametrize("mode", ["server-error-500", "malformed-json", "latency-past-timeout"])
def test_a_failed_refresh_keeps_the_pool_on_screen_marked_stale(browse, seeded_sandbox, llm, mode):
    inject, error_code, text = FAULT_MODES[mode]
    browse.get(llm["detail"])
    inject(seeded_sandbox, "ShowPool")
    response = hx_get(browse, llm["detail"], refresh="1")
    html = response.content.decode()
    assert response.status_code == 200
    assert text in html and error_code in html
    assert "Showing the last good data" in html and "CS2501010800LLM01" in html


def test_the_switcher_marks_the_pages_connection_and_the_saved_choice_stays(
    browse, viewer, llm, sandbox_connection, make_connection
):
    saved = make_connection("aaa saved")  # also the first by name
    UserPreference.objects.create(user=viewer, connection=saved)

    header = browse.get(llm["detail"]).content.decode().split("<main")[0]

    assert f'<option value="{sandbox_connection.pk}" selected>' in header
    assert f'<option value="{saved.pk}" selected>' not in header
    assert UserPreference.objects.get(user=viewer).connection == saved
    elsewhere = browse.get(reverse("pools:my_requests")).content.decode().split("<main")[0]
    assert f'<option value="{saved.pk}" selected>' in elsewhere
