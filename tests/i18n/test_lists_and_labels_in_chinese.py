"""Lists and labels that used to read in English or as Python wrote them: an edit's changes since filing, the
events of a notification route, the flavor catalogue's labels and the connection refusals of the client
factory, each read in both languages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from pools import flavors
from pools.change_kinds import change_kind
from pools.core.clients import (
    CONNECTION_DELETED,
    CONNECTION_UNUSABLE,
    client_for_connection,
    usable_client_for,
)
from pools.core.errors import ApplicationError
from pools.models import NotificationRoute
from pools.models.notifications import EVENTS
from tests.i18n.kinds import POOL, assert_chinese, in_both, request_of
from tests.i18n.page_text import every_english_word

RUNNING = {"exists": True, "phase": "Running", "node_count": 3, "nodes_by_state": {"available": 3}}
FILED = {
    **RUNNING,
    "description": "",
    "scope": ["Infer", "Train"],
    "driver": {"gpuVersion": "535.54.03", "updateStrategy": "idle"},
}
NOW = {
    **RUNNING,
    "description": "speech",
    "scope": ["Notebook"],
    "driver": {"gpuVersion": "535.161.08", "updateStrategy": "force"},
}


def test_an_edit_s_changes_since_filing_read_as_words_not_python_values():
    english, chinese = in_both(lambda: change_kind("edit_pool").changes(FILED, NOW))
    assert english == [
        "Description: none → speech.",
        "Job types: Infer, Train → Notebook.",
        "Driver: GPU driver 535.54.03, update strategy idle → GPU driver 535.161.08, update strategy force.",
    ]
    assert chinese == [
        "描述：无 → speech。",
        "作业类型：Infer、Train → Notebook。",
        "驱动：GPU 驱动 535.54.03、升级策略 idle → GPU 驱动 535.161.08、升级策略 force。",
    ]


def test_an_edit_s_summary_lists_its_parts_as_the_language_does():
    body = {"metadata": {"annotations": {"os.modelarts/description": "x"}}, "spec": {"scope": ["Train"]}}
    edit = request_of("edit_pool", POOL, body)
    english, chinese = in_both(lambda: change_kind("edit_pool").summary(edit))
    assert english == f"Edit pool {POOL}: description, job types"
    assert chinese == f"编辑资源池 {POOL}：描述、作业类型"


@pytest.mark.parametrize("kind, key", [("delete_nodes", "deleteNodeNames"), ("reboot_nodes", "nodeNames")])
def test_a_node_request_s_names_are_listed_as_the_language_lists(kind, key):
    nodes = {key: ["node-a", "node-b"]}
    english, chinese = in_both(lambda: change_kind(kind).summary(request_of(kind, POOL, nodes)))
    assert "node-a, node-b" in english
    assert "node-a、node-b" in chinese and ", " not in chinese


def test_nodes_gone_since_filing_are_listed_as_the_language_lists():
    live = {**RUNNING, "nodes": {"node-c": "Available"}}
    filed = request_of("delete_nodes", POOL, {"deleteNodeNames": ["node-a", "node-b"]})
    english, chinese = in_both(lambda: change_kind("delete_nodes").problems(POOL, filed.body, live))
    assert any("node-a, node-b" in problem for problem in english)
    assert any("node-a、node-b" in problem for problem in chinese)


@pytest.mark.django_db
def test_a_route_s_events_are_listed_in_the_language_s_way(client, administrator, connection):
    route = NotificationRoute(
        connection=connection, name="ops", channel="webhook", events=["node_abnormal", "pool_failed"]
    )
    route.target = "https://hooks.example.test/in"
    route.save()
    client.force_login(administrator)
    url = reverse("pools:notification_route_list", args=[connection.pk])
    for language, separator in (("en", "; "), ("zh-hans", "、")):
        page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
        with translation.override(language):
            # In the order EVENTS lists them, whatever order the route stores.
            listed = separator.join([str(EVENTS["pool_failed"]), str(EVENTS["node_abnormal"])])
        assert f"<td>{listed}</td>" in page, language


@pytest.mark.parametrize("flavor", flavors.FLAVORS, ids=lambda flavor: flavor.id)
def test_the_flavor_catalogue_s_labels_read_in_chinese(flavor):
    english, chinese = in_both(lambda: str(flavor.label))
    assert every_english_word(chinese) == [], chinese
    if every_english_word(english):  # words of ours ("bare metal"), not only names and numbers
        assert_chinese(english, chinese)
    with translation.override("zh-hans"):
        offered = dict(flavors.flavor_choices())[flavor.id]
    assert offered.startswith(chinese)


@pytest.mark.django_db
def test_a_deleted_connection_s_refusal_reads_in_chinese(connection):
    connection.retired_at = connection.created_at
    connection.save()

    def refusal() -> str:
        with pytest.raises(ApplicationError) as refused:
            client_for_connection(connection)
        return str(refused.value.message)

    english, chinese = in_both(refusal)
    assert english == CONNECTION_DELETED.format(name=connection.name)
    assert_chinese(english, chinese)


@pytest.mark.django_db
def test_an_unusable_connection_s_refusal_reads_in_chinese(connection):
    connection.project_id = ""  # the client refuses it (the forms never let it through)

    def refusal() -> str:
        with pytest.raises(ApplicationError) as refused:
            usable_client_for(connection)
        return str(refused.value.message)

    english, chinese = in_both(refusal)
    problem = "a project id is needed"  # the client's own words, as ModelArts' are: data
    assert english == CONNECTION_UNUSABLE.format(name=connection.name, problem=problem)
    assert problem in chinese
    assert_chinese(english.replace(problem, ""), chinese.replace(problem, ""))
