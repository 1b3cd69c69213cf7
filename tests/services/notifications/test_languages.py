"""Each route speaks its own language: a route in Simplified Chinese gets every word in Chinese (webhook, e-mail,
the Test button, the conditions the scheduled job reads), an English route the same notices in English, and
the webhook's machine-readable fields are the same in both; people who chose no language are written to in
the site's (test_people_languages.py: people in the language they chose)."""

import re

import pytest
from django.utils import translation

from pools.models import NotificationRoute
from pools.services import change_requests as svc
from pools.services.notifications.notices import SUBJECT_PREFIX
from pools.services.notifications.routes import notification_route_create, notification_route_test
from pools.services.notifications.watch import conditions_watch
from pools.webhooks.signing import verify
from tests.services.change_requests.helpers import request_delete_pool
from tests.services.notifications.conftest import (
    RECEIVER_SECRET,
    data_values,
    english_words,
    events_received,
    words_of,
)

pytestmark = pytest.mark.django_db

FLOW = ["approval_pending", "request_approved", "execution_started", "execution_succeeded"]
REASON = "Team disbanded"
# The fields of the webhook's body that are the same in every language.
MACHINE_FIELDS = ("version", "id", "event", "occurred_at", "connection", "url")


def webhook_route(administrator, connection, receiver, name, language, events=FLOW):
    return notification_route_create(
        user=administrator,
        connection=connection,
        name=name,
        channel="webhook",
        target=f"{receiver.url}/{name}",
        secret=RECEIVER_SECRET,
        events=events,
        language=language,
    )


def received_by(receiver, name) -> list[dict]:
    return [d.payload for d in receiver.deliveries if d.path.endswith(f"/{name}")]


def without_summary(data: dict) -> dict:
    """``data`` but the request's one-line summary, which its change kind writes in the active language."""
    request = {key: value for key, value in data["change_request"].items() if key != "summary"}
    return {**data, "change_request": request}


def test_a_chinese_route_gets_chinese_words_and_an_english_route_english_ones(
    receiver, administrator, operator, approver, cloud_connection, pool
):
    webhook_route(administrator, cloud_connection, receiver, "cn", "zh-hans")
    webhook_route(administrator, cloud_connection, receiver, "en", "en")

    cr = request_delete_pool(operator, cloud_connection, pool, reason=REASON)
    svc.change_request_approve(user=approver, change_request=cr)

    chinese, english = received_by(receiver, "cn"), received_by(receiver, "en")
    assert [p["event"] for p in chinese] == FLOW == [p["event"] for p in english]
    assert all(d.problem == "" for d in receiver.deliveries)
    for delivery in receiver.deliveries:  # the signature covers the Chinese bytes as sent
        assert verify(delivery.body, delivery.headers, RECEIVER_SECRET) == delivery.payload
    for zh, en in zip(chinese, english, strict=True):
        assert zh["language"] == "zh-hans" and en["language"] == "en"
        assert english_words(words_of(zh), data_values(zh, REASON)) == [], zh
        assert {f: zh[f] for f in MACHINE_FIELDS} == {f: en[f] for f in MACHINE_FIELDS}
        assert without_summary(zh["data"]) == without_summary(en["data"])
        assert zh["subject"] != en["subject"] and zh["event_name"] != en["event_name"]
    assert chinese[0]["event_name"] == "有变更申请等待审批"
    assert chinese[0]["subject"].startswith(f"待审批：#{cr.pk} 删除资源池 ")
    assert re.search(r"\n过期时间：\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d UTC$", chinese[0]["text"])
    assert english[0]["event_name"] == "A request awaits approval"
    assert english[0]["subject"].startswith(f"Approval needed: #{cr.pk} delete pool ")
    assert re.search(r"\nExpires: [A-Z][a-z]+\.? \d{1,2}, \d{4} \d\d:\d\d UTC$", english[0]["text"])
    assert english[-1]["subject"].startswith(f"Done: #{cr.pk}")


def test_an_email_route_in_chinese_sends_a_chinese_subject_and_body(
    receiver, administrator, operator, approver, cloud_connection, pool, mailoutbox
):
    notification_route_create(
        user=administrator,
        connection=cloud_connection,
        name="值班邮件",
        channel="email",
        target="oncall-cn@example.test",
        events=["request_rejected"],
        language="zh-hans",
    )
    cr = request_delete_pool(operator, cloud_connection, pool, reason=REASON)
    svc.change_request_reject(user=approver, change_request=cr, comment="Not this week")

    [to_route] = [m for m in mailoutbox if m.to == ["oncall-cn@example.test"]]
    [to_requester] = [m for m in mailoutbox if m.to == [operator.email]]
    assert to_route.subject.startswith(f"{SUBJECT_PREFIX}已驳回：#{cr.pk} 删除资源池 ")
    assert "\n评论：Not this week\n" in to_route.body
    assert to_route.body.endswith(f"打开变更申请 #{cr.pk}：\nhttp://127.0.0.1:8000/requests/{cr.pk}/")
    with translation.override("zh-hans"):
        summary = cr.summary
    data = [cr.connection.name, cr.target, summary, operator.username, approver.username, "Not this week"]
    body = to_route.subject.removeprefix(SUBJECT_PREFIX) + "\n" + to_route.body
    assert english_words(body, [*data, f"http://127.0.0.1:8000/requests/{cr.pk}/"]) == []
    # The requester is written to in the site's language (LANGUAGE_CODE, English here).
    assert to_requester.subject.startswith(f"{SUBJECT_PREFIX}Rejected: #{cr.pk} delete pool ")
    assert "\nComment: Not this week\n" in to_requester.body


def test_people_are_written_to_in_the_sites_language(
    operator, approver, cloud_connection, pool, mailoutbox, settings
):
    settings.LANGUAGE_CODE = "zh-hans"
    cr = request_delete_pool(operator, cloud_connection, pool, reason=REASON)
    [to_approver] = [m for m in mailoutbox if m.to == [approver.email]]
    assert to_approver.subject.startswith(f"{SUBJECT_PREFIX}待审批：#{cr.pk} ")
    assert f"{operator.username} 请求审批变更申请 #{cr.pk}。" in to_approver.body


def test_the_test_button_writes_in_the_routes_language(receiver, administrator, cloud_connection):
    route = webhook_route(administrator, cloud_connection, receiver, "cn", "zh-hans", events=["pool_failed"])

    outcome = notification_route_test(user=administrator, route=route)

    assert outcome.ok and outcome.message == "Test notification sent to “cn”."  # the page's language
    [payload] = received_by(receiver, "cn")
    assert payload["event"] == "test" and payload["event_name"] == "此路由的测试"
    assert payload["subject"] == "路由“cn”的测试"
    assert english_words(words_of(payload), data_values(payload, administrator.username, "cn")) == []


def test_conditions_read_off_modelarts_are_announced_in_chinese(
    seeded_sandbox, receiver, webhook_route, settings
):
    settings.NOTIFICATION_EVENT_MAX_AGE_MINUTES = 10 * 24 * 60  # the demo estate's warnings are days old
    NotificationRoute.objects.filter(pk=webhook_route.pk).update(language="zh-hans")

    conditions_watch()

    received = events_received(receiver)
    assert {"pool_failed", "node_abnormal", "warning_event"} <= set(received)
    for delivery in receiver.deliveries:
        payload = delivery.payload
        assert payload["language"] == "zh-hans"
        assert english_words(words_of(payload), data_values(payload)) == [], payload
    warning = next(d.payload for d in receiver.deliveries if d.payload["event"] == "warning_event")
    assert re.search(r"共 \d+ 次，最近一次在 \d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d UTC。", warning["text"])


def test_a_route_whose_language_is_no_longer_offered_gets_the_sites(
    receiver, administrator, operator, cloud_connection, pool
):
    route = webhook_route(administrator, cloud_connection, receiver, "old", "zh-hans")
    NotificationRoute.objects.filter(pk=route.pk).update(language="fr")

    request_delete_pool(operator, cloud_connection, pool)

    [payload] = received_by(receiver, "old")
    assert payload["language"] == "en" and payload["event_name"] == "A request awaits approval"
