"""E-mails are written in NOTIFICATION_LANGUAGE, whatever the language of the click that sent them."""

import pytest
from django.core import mail
from django.utils import translation

from pools.services import change_requests as svc
from tests.services.change_requests.helpers import request_delete_pool

pytestmark = pytest.mark.django_db


def test_mail_is_in_the_notification_language(settings, operator, approver, cloud_connection, pool):
    settings.NOTIFICATION_LANGUAGE = "zh-hans"
    cr = request_delete_pool(operator, cloud_connection, pool)
    asked = next(message for message in mail.outbox if approver.email in message.to)
    assert asked.subject.startswith("[ModelArts Admin] 需要审批：") and f"#{cr.pk}" in asked.subject
    assert "连接：" in asked.body and "Connection:" not in asked.body

    mail.outbox.clear()
    svc.change_request_reject(user=approver, change_request=cr, comment="不需要")
    assert [m.subject.split("：")[0] for m in mail.outbox] == ["[ModelArts Admin] 已驳回"]
    assert "处理人：" in mail.outbox[0].body


def test_mail_stays_in_english_when_the_click_was_in_chinese(operator, approver, cloud_connection, pool):
    with translation.override("zh-hans"):
        request_delete_pool(operator, cloud_connection, pool)
    assert mail.outbox and all("Approval needed" in message.subject for message in mail.outbox)
    assert all("Connection:" in message.body for message in mail.outbox)
