"""People are written to in the language they chose with the header's switcher (``UserPreference``), else
in the site's; two approvers of one request may read it in two languages, and a route keeps its own."""

import pytest
from django.utils import translation

from pools.models import UserPreference
from pools.services import change_requests as svc
from pools.services.notifications.notices import SUBJECT_PREFIX
from pools.services.notifications.routes import notification_route_create
from tests.i18n.command_text import english_left
from tests.services.change_requests.helpers import request_delete_pool
from tests.services.notifications.conftest import english_words

pytestmark = pytest.mark.django_db

REASON = "Team disbanded"
COMMENT = "Not this week"


def mail_to(mailoutbox, address: str):
    [message] = [m for m in mailoutbox if m.to == [address]]
    return message


def assert_no_english(message, cr, *typed: str) -> None:
    """No English word in the subject or body once the data (names, ids, typed text, the link) is out."""
    with translation.override("zh-hans"):
        summary = cr.summary
    link = f"http://127.0.0.1:8000/requests/{cr.pk}/"
    data = [cr.connection.name, cr.target, summary, cr.requested_by.username, link, *typed]
    text = message.subject.removeprefix(SUBJECT_PREFIX) + "\n" + message.body
    assert english_words(text, data) == [], text
    for value in sorted(data, key=len, reverse=True):
        text = text.replace(value, " ")
    assert english_left(text) == [], text


def test_a_chinese_approver_gets_chinese_and_an_english_one_english(
    administrator, operator, approver, second_approver, cloud_connection, pool, mailoutbox
):
    UserPreference.objects.create(user=approver, language="zh-hans")
    UserPreference.objects.create(user=second_approver, language="en")
    notification_route_create(
        user=administrator,
        connection=cloud_connection,
        name="on call",
        channel="email",
        target="oncall@example.test",
        events=["approval_pending"],
        language="en",
    )

    cr = request_delete_pool(operator, cloud_connection, pool, reason=REASON)

    chinese, english = mail_to(mailoutbox, approver.email), mail_to(mailoutbox, second_approver.email)
    assert chinese.subject.startswith(f"{SUBJECT_PREFIX}待审批：#{cr.pk} 删除资源池 ")
    assert f"{operator.username} 请求审批变更申请 #{cr.pk}。" in chinese.body
    assert_no_english(chinese, cr, REASON)
    assert english.subject.startswith(f"{SUBJECT_PREFIX}Approval needed: #{cr.pk} delete pool ")
    assert f"{operator.username} asks for approval of change request #{cr.pk}." in english.body
    # The route is written in its own language, whatever the people's.
    assert mail_to(mailoutbox, "oncall@example.test").subject == english.subject


def test_the_requester_hears_of_the_decision_in_their_language(
    operator, approver, cloud_connection, pool, mailoutbox
):
    UserPreference.objects.create(user=operator, language="zh-hans")
    cr = request_delete_pool(operator, cloud_connection, pool, reason=REASON)

    svc.change_request_reject(user=approver, change_request=cr, comment=COMMENT)

    to_requester = mail_to(mailoutbox, operator.email)
    assert to_requester.subject.startswith(f"{SUBJECT_PREFIX}已驳回：#{cr.pk} 删除资源池 ")
    assert f"\n评论：{COMMENT}\n" in to_requester.body
    assert_no_english(to_requester, cr, approver.username, COMMENT)
    assert mail_to(mailoutbox, approver.email).subject.startswith(f"{SUBJECT_PREFIX}Approval needed: ")


def test_someone_who_chose_english_reads_english_on_a_chinese_site(
    operator, approver, second_approver, cloud_connection, pool, mailoutbox, settings
):
    settings.LANGUAGE_CODE = "zh-hans"
    UserPreference.objects.create(user=approver, language="en")

    cr = request_delete_pool(operator, cloud_connection, pool)

    assert mail_to(mailoutbox, approver.email).subject.startswith(
        f"{SUBJECT_PREFIX}Approval needed: #{cr.pk}"
    )
    assert mail_to(mailoutbox, second_approver.email).subject.startswith(f"{SUBJECT_PREFIX}待审批：#{cr.pk}")


def test_a_saved_language_the_site_no_longer_offers_falls_back_to_the_sites(
    operator, approver, cloud_connection, pool, mailoutbox
):
    UserPreference.objects.create(user=approver, language="fr")
    cr = request_delete_pool(operator, cloud_connection, pool)
    assert mail_to(mailoutbox, approver.email).subject.startswith(
        f"{SUBJECT_PREFIX}Approval needed: #{cr.pk}"
    )
