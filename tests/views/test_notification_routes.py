"""The Notifications pages of a connection: routes made and changed through the form, the destination and
secret never shown again, field errors for bad input, the Test button's outcome."""

import pytest
from django.urls import reverse

from pools.models import NotificationRoute
from pools.services.notifications.routes import MAX_ADDRESSES
from tests.fixtures.users import client_for

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.example.test/in?token=page-secret-token-7"
SECRET = "page-signing-secret-0123456789"


@pytest.fixture
def administrator_client(client, administrator):
    return client_for(client, administrator)


def route_data(**fields):
    return {
        "name": "ops",
        "channel": "webhook",
        "target": HOOK,
        "secret": SECRET,
        "events": ["pool_failed", "execution_failed"],
        "language": "en",
        "enabled": "on",
        **fields,
    }


def test_a_route_is_made_on_the_page_and_its_secrets_never_come_back(administrator_client, connection):
    url = reverse("pools:notification_route_create", args=[connection.pk])
    response = administrator_client.post(url, route_data(language="zh-hans"))
    assert response.status_code == 302
    route = NotificationRoute.objects.get()
    assert (
        route.target == HOOK
        and route.secret == SECRET
        and route.events == ["execution_failed", "pool_failed"]
        and route.language == "zh-hans"
    )

    pages = [
        administrator_client.get(reverse("pools:notification_route_list", args=[connection.pk])),
        administrator_client.get(reverse("pools:notification_route_edit", args=[connection.pk, route.pk])),
        administrator_client.get(reverse("pools:connection_list")),
    ]
    for page in pages:
        html = page.content.decode()
        assert page.status_code == 200 and "page-secret-token" not in html and SECRET not in html
    assert "https://hooks.example.test/…" in pages[0].content.decode()
    assert '<td lang="zh-hans">简体中文</td>' in pages[0].content.decode()
    assert '<option value="zh-hans" selected>' in pages[1].content.decode()


def test_bad_input_comes_back_as_field_errors_without_the_typed_secret(administrator_client, connection):
    url = reverse("pools:notification_route_create", args=[connection.pk])
    response = administrator_client.post(url, route_data(secret="short", events=[]))
    html = response.content.decode()
    assert response.status_code == 200 and not NotificationRoute.objects.exists()
    assert 'id="id_secret-error"' in html and 'id="id_events-error"' in html
    assert "page-secret-token" not in html


def test_repeated_e_mail_addresses_are_a_field_error_in_the_readers_language(
    administrator_client, connection
):
    url = reverse("pools:notification_route_create", args=[connection.pk])
    data = route_data(channel="email", target=",".join(["a@b.com"] * 200), secret="")
    html = administrator_client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert not NotificationRoute.objects.exists()
    assert 'id="id_target-error"' in html
    assert "“a@b.com”重复列出；每个地址只需列出一次。" in html


def test_the_new_route_form_says_how_many_addresses_it_takes(administrator_client, connection):
    url = reverse("pools:notification_route_create", args=[connection.pk])
    assert f"up to {MAX_ADDRESSES} addresses" in administrator_client.get(url).content.decode()
    chinese = administrator_client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert f"最多 {MAX_ADDRESSES} 个地址" in chinese


def test_an_invisible_character_in_a_route_name_is_a_field_error_in_the_readers_language(
    administrator_client, connection
):
    url = reverse("pools:notification_route_create", args=[connection.pk])
    html = administrator_client.post(
        url, route_data(name="ops\u202eevil"), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()
    assert not NotificationRoute.objects.exists()
    assert (
        'id="id_name-error"' in html
        and "请删除不可见字符 U+202E (RIGHT-TO-LEFT OVERRIDE)：它可能使文字的显示与实际内容不同。" in html
    )


def test_the_test_button_says_what_happened(administrator_client, connection):
    administrator_client.post(
        reverse("pools:notification_route_create", args=[connection.pk]),
        route_data(target="http://127.0.0.1:9/hook"),
    )
    route = NotificationRoute.objects.get()
    response = administrator_client.post(
        reverse("pools:notification_route_test", args=[connection.pk, route.pk]), follow=True
    )
    assert "Test notification to “ops” failed: the webhook could not be reached" in response.content.decode()


def test_another_connections_route_is_not_found(administrator_client, connection, make_connection):
    administrator_client.post(reverse("pools:notification_route_create", args=[connection.pk]), route_data())
    route = NotificationRoute.objects.get()
    other = make_connection("other")
    response = administrator_client.get(reverse("pools:notification_route_edit", args=[other.pk, route.pk]))
    assert response.status_code == 404
