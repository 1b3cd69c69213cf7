import json
import logging
import sys

import pytest
from django.contrib.admin.models import LogEntry
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape
from django.views.debug import ExceptionReporter
from django_htmx.middleware import HtmxDetails

from pools import audit
from pools.core import audit_messages
from pools.modelarts.errors import AuthenticationError
from pools.models import Connection, UserPreference
from pools.services import connection_checks
from pools.services import connections as services
from pools.validators import ENDPOINT_FORMAT, PROJECT_ID_FORMAT
from pools.views import connections as views
from tests.fixtures.connections import FAKE_ACCESS_KEY, FAKE_SECRET_KEY, file_change_request

pytestmark = pytest.mark.django_db

FORM = {
    "name": "prod-beijing",
    "description": "Production",
    "region": "cn-north-4",
    "project_id": "0123456789abcdef0123456789abcdef",
    "endpoint": "",
    "user_id": "",
    "workspace_id": "0",
    "access_key": FAKE_ACCESS_KEY,
    "secret_key": FAKE_SECRET_KEY,
}
HTMX = {"HTTP_HX_REQUEST": "true"}


def assert_no_secret(html: str):
    assert FAKE_ACCESS_KEY not in html
    assert FAKE_SECRET_KEY not in html


def page_urls(pk):
    return [
        ("get", reverse("pools:connection_list")),
        ("get", reverse("pools:connection_create")),
        ("post", reverse("pools:connection_create")),
        ("get", reverse("pools:connection_edit", args=[pk])),
        ("post", reverse("pools:connection_edit", args=[pk])),
        ("get", reverse("pools:connection_delete", args=[pk])),
        ("post", reverse("pools:connection_delete", args=[pk])),
        ("post", reverse("pools:connection_test", args=[pk])),
    ]


def test_anonymous_users_are_sent_to_login(client, connection):
    for method, url in page_urls(connection.pk):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response.url.startswith("/accounts/login/"), url


@pytest.mark.parametrize("role", ["viewer", "operator", "approver", "nobody"])
def test_other_roles_are_forbidden_and_change_nothing(client, connection, role, request):
    client.force_login(request.getfixturevalue(role))
    for method, url in page_urls(connection.pk):
        assert getattr(client, method)(url, FORM).status_code == 403, url
    assert Connection.objects.get().name == connection.name
    assert not LogEntry.objects.exists()


def test_administrator_sees_every_page(admin_client_, connection):
    for url in [
        reverse("pools:connection_list"),
        reverse("pools:connection_create"),
        reverse("pools:connection_edit", args=[connection.pk]),
        reverse("pools:connection_delete", args=[connection.pk]),
    ]:
        assert admin_client_.get(url).status_code == 200, url


def test_nav_link_only_for_connection_managers(admin_client_, client, viewer):
    assert reverse("pools:connection_list") in admin_client_.get(reverse("pools:overview")).content.decode()
    client.force_login(viewer)
    assert reverse("pools:connection_list") not in client.get(reverse("pools:overview")).content.decode()


def test_create_through_the_page_then_list_and_edit_never_show_the_keys(admin_client_):
    response = admin_client_.post(reverse("pools:connection_create"), FORM)
    assert response.status_code == 302 and response.url == reverse("pools:connection_list")
    connection = Connection.objects.get(name="prod-beijing")
    listing = admin_client_.get(reverse("pools:connection_list")).content.decode()
    assert "prod-beijing" in listing and connection.access_key_hint in listing
    assert_no_secret(listing)
    edit = admin_client_.get(reverse("pools:connection_edit", args=[connection.pk])).content.decode()
    assert connection.access_key_hint in edit and 'type="password"' in edit
    assert_no_secret(edit)
    assert_no_secret(
        admin_client_.get(reverse("pools:connection_delete", args=[connection.pk])).content.decode()
    )


def test_htmx_create_redirects_the_client(admin_client_):
    response = admin_client_.post(reverse("pools:connection_create"), FORM, **HTMX)
    assert response.status_code == 200 and response["HX-Redirect"] == reverse("pools:connection_list")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"name": ""}, "name", "This field is required."),
        ({"region": "mars-1"}, "region", "Select a valid choice"),
        ({"endpoint": "https://a.example.com/path"}, "endpoint", ENDPOINT_FORMAT),
        ({"endpoint": "https://u:p@a.example.com"}, "endpoint", ENDPOINT_FORMAT),
        ({"project_id": "bad id!"}, "project_id", PROJECT_ID_FORMAT),
        ({"secret_key": ""}, "secret_key", services.KEY_REQUIRED),
    ],
)
def test_bad_input_comes_back_as_a_field_error_without_echoing_the_keys(
    admin_client_, changes, field, message
):
    response = admin_client_.post(reverse("pools:connection_create"), {**FORM, **changes}, **HTMX)
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="id_{field}-error"' in html
    assert message.replace("'", "&#x27;") in html or message in html
    assert 'id="connection-form"' in html and "<html" not in html  # the partial only
    assert_no_secret(html)
    assert not Connection.objects.exists()


def test_invisible_characters_in_the_name_or_description_are_field_errors_in_the_readers_language(
    admin_client_,
):
    typed = {**FORM, "name": "qa\u202eevil", "description": "Prod\u202euction"}
    response = admin_client_.post(reverse("pools:connection_create"), typed, HTTP_ACCEPT_LANGUAGE="zh-hans")
    html = response.content.decode()
    assert 'id="id_name-error"' in html and 'id="id_description-error"' in html
    assert (
        html.count("请删除不可见字符 U+202E (RIGHT-TO-LEFT OVERRIDE)：它可能使文字的显示与实际内容不同。")
        == 2
    )
    assert not Connection.objects.exists()


def test_duplicate_name_is_a_field_error(admin_client_, connection):
    response = admin_client_.post(
        reverse("pools:connection_create"), {**FORM, "name": connection.name.upper()}
    )
    assert str(services.DUPLICATE_NAME) in response.content.decode()
    assert Connection.objects.count() == 1


def test_edit_with_blank_keys_keeps_them(admin_client_, connection):
    tokens = (connection.access_key_token, connection.secret_key_token)
    data = {**FORM, "name": "renamed", "access_key": "", "secret_key": ""}
    response = admin_client_.post(reverse("pools:connection_edit", args=[connection.pk]), data)
    assert response.status_code == 302
    connection.refresh_from_db()
    assert connection.name == "renamed"
    assert (connection.access_key_token, connection.secret_key_token) == tokens


def test_a_new_endpoint_on_the_page_needs_the_secret_key_again(admin_client_, connection):
    url = reverse("pools:connection_edit", args=[connection.pk])
    moved = {**FORM, "endpoint": "https://collector.example.net", "access_key": "", "secret_key": ""}

    refused = admin_client_.post(url, moved)

    assert refused.status_code == 200
    assert str(services.SK_NEEDED_FOR_NEW_TARGET) in refused.content.decode()
    connection.refresh_from_db()
    assert connection.endpoint == ""
    assert not LogEntry.objects.exists()

    accepted = admin_client_.post(url, {**moved, "secret_key": "SKre-entered-for-the-new-endpoint"})
    assert accepted.status_code == 302
    connection.refresh_from_db()
    assert connection.endpoint == "https://collector.example.net"
    changes = audit_messages.parse_message(LogEntry.objects.get())["details"]["changes"]
    assert changes["endpoint"] == ["", "https://collector.example.net"]


def test_delete_through_the_page(admin_client_, connection):
    response = admin_client_.post(reverse("pools:connection_delete", args=[connection.pk]))
    assert response.status_code == 302
    assert not Connection.objects.exists()


def test_delete_is_refused_on_the_page_while_change_requests_are_open(admin_client_, connection, monkeypatch):
    monkeypatch.setattr(services, "open_change_request_count", lambda c: 1)
    monkeypatch.setattr(views, "open_change_request_count", lambda c: 1)
    page = admin_client_.get(reverse("pools:connection_delete", args=[connection.pk])).content.decode()
    assert "1 open change request" in page and 'class="danger"' not in page
    response = admin_client_.post(reverse("pools:connection_delete", args=[connection.pk]))
    assert response.status_code == 200
    assert "open change request" in response.content.decode()
    assert Connection.objects.filter(pk=connection.pk).exists()


def test_a_refused_delete_is_the_error_banner_every_page_uses(admin_client_, connection, monkeypatch):
    monkeypatch.setattr(services, "open_change_request_count", lambda c: 1)
    url = reverse("pools:connection_delete", args=[connection.pk])

    html = admin_client_.post(url, headers={"HX-Request": "true"}).content.decode()

    refusal = services.DELETE_REFUSED.format(name=connection.name, count=1)
    assert html.lstrip().startswith('<div id="delete-confirm"')
    assert '<div class="banner error upstream-error" role="alert">' in html
    assert f'<strong class="banner-title">{escape(refusal)}</strong>' in html


def test_a_connection_with_past_change_requests_is_deleted_and_kept_only_for_their_history(
    admin_client_, connection
):
    user = admin_client_.get(reverse("pools:overview")).wsgi_request.user
    file_change_request(connection, user)
    UserPreference.objects.update_or_create(user=user, defaults={"connection": connection})
    page = admin_client_.get(reverse("pools:connection_delete", args=[connection.pk])).content.decode()
    assert "1 past change request names" in page and "erased" in page and 'class="danger"' in page

    response = admin_client_.post(reverse("pools:connection_delete", args=[connection.pk]), follow=True)

    text = response.content.decode()
    assert "Past change requests still name it" in text
    assert_no_secret(text)
    assert connection.name not in admin_client_.get(reverse("pools:connection_list")).content.decode()
    for method, url in page_urls(connection.pk)[3:]:
        assert getattr(admin_client_, method)(url).status_code == 404, url
    pool_list = admin_client_.get(reverse("pools:pool_list"), {"connection": connection.pk})
    assert pool_list.status_code == 404
    switched = admin_client_.post(
        reverse("pools:connection_switch"), {"connection": connection.pk}, follow=True
    )
    assert UserPreference.objects.get(user=user).connection is None
    assert connection.name not in switched.content.decode().split("<main")[0]
    # A new connection may take the name again.
    again = admin_client_.post(reverse("pools:connection_create"), {**FORM, "name": connection.name})
    assert again.status_code == 302
    assert Connection.objects.in_use().get(name=connection.name).pk != connection.pk


class FailingClient:
    def list_pools(self, **_):
        raise AuthenticationError(
            status=401, error_code="APIGW.0301", error_msg="Incorrect IAM authentication", request_id="rq-99"
        )

    def close(self):
        pass


def test_test_button_shows_the_error_code_message_and_request_id_inline(
    admin_client_, connection, monkeypatch
):
    monkeypatch.setattr(connection_checks, "client_for_connection", lambda c: FailingClient())
    response = admin_client_.post(reverse("pools:connection_test", args=[connection.pk]), **HTMX)
    html = response.content.decode()
    assert response.status_code == 200 and f'id="test-outcome-{connection.pk}"' in html
    assert "APIGW.0301" in html and "Incorrect IAM authentication" in html and "rq-99" in html
    assert "<html" not in html
    listing = admin_client_.get(reverse("pools:connection_list")).content.decode()
    assert "Failed" in listing and "APIGW.0301" in listing


def test_test_without_javascript_redirects_with_a_message(admin_client_, connection, monkeypatch):
    monkeypatch.setattr(connection_checks, "client_for_connection", lambda c: FailingClient())
    response = admin_client_.post(reverse("pools:connection_test", args=[connection.pk]), follow=True)
    assert "APIGW.0301" in response.content.decode()


def test_switcher_lists_connections_and_remembers_the_choice(viewer_client, viewer, make_connection):
    make_connection("alpha")
    zeta = make_connection("zeta")
    page = viewer_client.get(reverse("pools:overview")).content.decode()
    assert 'name="connection"' in page and "zeta" in page
    response = viewer_client.post(
        reverse("pools:connection_switch"), {"connection": zeta.pk, "next": "/?x=1"}
    )
    assert response.status_code == 302 and response.url == "/?x=1"
    assert UserPreference.objects.get(user=viewer).connection == zeta
    page = viewer_client.get(reverse("pools:overview")).content.decode()
    assert f'<option value="{zeta.pk}" selected>' in page


def test_switch_with_htmx_refreshes_and_refuses_bad_targets(viewer_client, viewer, connection):
    response = viewer_client.post(reverse("pools:connection_switch"), {"connection": connection.pk}, **HTMX)
    assert response["HX-Refresh"] == "true"
    response = viewer_client.post(
        reverse("pools:connection_switch"), {"connection": "999999", "next": "https://evil.example/"}
    )
    assert response.status_code == 302 and response.url == reverse("pools:overview")
    follow = viewer_client.get(response.url).content.decode()
    assert str(views.SWITCH_INVALID) in follow


def test_switch_needs_dashboard_access(client, nobody, connection):
    client.force_login(nobody)
    assert client.post(reverse("pools:connection_switch"), {"connection": connection.pk}).status_code == 403


def test_logs_and_audit_entries_never_hold_the_keys(admin_client_, caplog, monkeypatch):
    caplog.set_level(logging.DEBUG)
    admin_client_.post(reverse("pools:connection_create"), FORM)
    connection = Connection.objects.get()
    admin_client_.post(reverse("pools:connection_edit", args=[connection.pk]), {**FORM, "description": "x"})
    monkeypatch.setattr(connection_checks, "client_for_connection", lambda c: FailingClient())
    admin_client_.post(reverse("pools:connection_test", args=[connection.pk]))
    admin_client_.post(reverse("pools:connection_delete", args=[connection.pk]))
    assert_no_secret(caplog.text)
    entries = list(LogEntry.objects.order_by("pk"))
    assert [json.loads(e.change_message)["action"] for e in entries] == [
        "connection.create",
        "connection.update",
        "connection.test",
        "connection.delete",
    ]
    for entry in entries:
        assert_no_secret(entry.change_message + entry.object_repr)
    assert audit.verify_chain().ok


def test_exception_reports_hide_the_posted_keys(administrator, monkeypatch):
    def explode(**_):
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(services.audit, "record", explode)
    request = RequestFactory().post(reverse("pools:connection_create"), FORM)
    request.user = administrator
    request.htmx = HtmxDetails(request)
    with pytest.raises(RuntimeError):
        views.connection_create_view(request)
    reporter = ExceptionReporter(request, *sys.exc_info())
    assert_no_secret(reporter.get_traceback_text())
    assert_no_secret(reporter.get_traceback_html())


@pytest.mark.parametrize("htmx", [False, True])
def test_switching_on_a_page_of_another_connection_goes_to_the_chosen_ones_pools(
    viewer_client, viewer, make_connection, htmx
):
    alpha, zeta = make_connection("alpha"), make_connection("zeta")
    pool_page = reverse("pools:pool_nodes", args=[zeta.pk, "pool-a"])
    headers = HTMX if htmx else {}

    away = viewer_client.post(
        reverse("pools:connection_switch"), {"connection": alpha.pk, "next": pool_page}, **headers
    )
    stay = viewer_client.post(reverse("pools:connection_switch"), {"connection": zeta.pk, "next": pool_page})
    listed = viewer_client.post(
        reverse("pools:connection_switch"), {"connection": alpha.pk, "next": f"/pools/?connection={zeta.pk}"}
    )

    target = away["HX-Redirect"] if htmx else away.url
    assert target == reverse("pools:pool_list") and listed.url == reverse("pools:pool_list")
    assert stay.url == pool_page
    assert UserPreference.objects.get(user=viewer).connection == alpha
