"""Routes: every rule checked by the service, destinations and secrets encrypted and never shown or audited."""

import pytest
from django.contrib.admin.models import LogEntry
from django.core.exceptions import ValidationError

from pools.models import NotificationRoute
from pools.services.connections import connection_delete
from pools.services.notifications import routes as svc
from pools.validators import INVISIBLE_CHARACTER

pytestmark = pytest.mark.django_db

HOOK = "https://hooks.example.test/modelarts?token=very-secret-token-42"
SECRET = "signing-secret-0123456789"


def create(user, connection, **fields):
    arguments = {
        "name": "ops",
        "channel": "webhook",
        "target": HOOK,
        "secret": SECRET,
        "events": ["pool_failed"],
        **fields,
    }
    return svc.notification_route_create(user=user, connection=connection, **arguments)


def test_destination_and_secret_are_stored_encrypted_and_audited_by_their_hint(administrator, connection):
    route = create(administrator, connection)
    route.refresh_from_db()
    assert route.target == HOOK and route.secret == SECRET
    assert "very-secret-token" not in route.target_token and SECRET not in route.secret_token
    assert route.target_hint == "https://hooks.example.test/…"
    message = LogEntry.objects.latest("pk").change_message
    assert "notification_route.create" in message and "hooks.example.test/…" in message
    assert "very-secret-token" not in message and SECRET not in message


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"name": " "}, "name", svc.NAME_REQUIRED),
        ({"events": []}, "events", svc.EVENTS_REQUIRED),
        ({"events": ["not_an_event"]}, "events", svc.EVENTS_REQUIRED),
        ({"target": ""}, "target", svc.TARGET_REQUIRED),
        ({"target": "ftp://example.test/x"}, "target", svc.BAD_WEBHOOK_URL),
        ({"secret": "short"}, "secret", svc.SECRET_REQUIRED),
        ({"channel": "chat", "target": "https://example.test/x"}, "target", svc.BAD_CHAT_URL),
        ({"channel": "chat", "target": "json://localhost/x"}, "target", svc.BAD_CHAT_URL),
        ({"channel": "email", "target": "ops@, not mail"}, "target", svc.BAD_ADDRESSES),
        ({"language": "fr"}, "language", svc.LANGUAGE_REQUIRED),
        (
            {"name": "ops\u202eevil"},
            "name",
            INVISIBLE_CHARACTER.format(character="U+202E (RIGHT-TO-LEFT OVERRIDE)"),
        ),
    ],
)
def test_every_rule_is_a_field_error(administrator, connection, fields, field, message):
    with pytest.raises(ValidationError) as raised:
        create(administrator, connection, **fields)
    assert raised.value.message_dict[field] == [message]
    assert not NotificationRoute.objects.exists()


def test_names_are_unique_per_connection(administrator, connection, make_connection):
    create(administrator, connection)
    with pytest.raises(ValidationError) as raised:
        create(administrator, connection, name="OPS")
    assert raised.value.message_dict["name"] == [svc.DUPLICATE_NAME]
    assert create(administrator, make_connection("other"), name="ops").name == "ops"


@pytest.mark.parametrize(
    "url",
    [
        "feishu://t0k3n0123",
        "lark://t0k3n0123",
        "dingtalk://t0k3n0123",
        "wecombot://t0k3n0123",
        "slack://T1/B2/c3d4e5",
    ],
)
def test_the_chat_services_are_accepted_and_hinted_by_their_scheme(administrator, connection, url):
    route = create(administrator, connection, channel="chat", target=url, secret="")
    assert route.target == url and route.secret == "" and route.target_hint == url.split("//")[0] + "//…"


def test_a_blank_destination_or_secret_on_update_keeps_the_stored_one(administrator, connection):
    route = create(administrator, connection)
    svc.notification_route_update(
        user=administrator,
        route=route,
        name="ops-2",
        channel="webhook",
        events=["pool_failed"],
        enabled=False,
    )
    route.refresh_from_db()
    assert (route.name, route.enabled, route.target, route.secret) == ("ops-2", False, HOOK, SECRET)
    with pytest.raises(ValidationError) as raised:
        svc.notification_route_update(
            user=administrator,
            route=route,
            name="ops-2",
            channel="email",
            events=["pool_failed"],
            enabled=True,
        )
    assert raised.value.message_dict["target"] == [svc.TARGET_REQUIRED]


def test_e_mail_routes_send_through_djangos_mail(administrator, connection, mailoutbox):
    route = create(
        administrator, connection, channel="email", target="a@example.test; b@example.test", secret=""
    )
    assert route.target_hint == "a@example.test, b@example.test"
    assert svc.notification_route_test(user=administrator, route=route).ok
    assert [message.to for message in mailoutbox] == [["a@example.test"], ["b@example.test"]]
    assert mailoutbox[0].subject == "[ModelArts Admin] Test of route “ops”"


def test_an_address_listed_twice_is_refused_whatever_its_case(administrator, connection):
    with pytest.raises(ValidationError) as raised:
        create(
            administrator,
            connection,
            channel="email",
            target="a@example.test, b@example.test; A@Example.TEST",
            secret="",
        )
    assert raised.value.message_dict["target"] == [
        "“A@Example.TEST” is listed more than once; list each address once."
    ]
    assert not NotificationRoute.objects.exists()


def test_a_route_has_at_most_so_many_addresses(administrator, connection):
    addresses = [f"person{number}@example.test" for number in range(svc.MAX_ADDRESSES + 1)]
    with pytest.raises(ValidationError) as raised:
        create(administrator, connection, channel="email", target=",".join(addresses), secret="")
    assert raised.value.message_dict["target"] == [
        f"List at most {svc.MAX_ADDRESSES} addresses; for more people, send to a mailing list."
    ]
    route = create(administrator, connection, channel="email", target=",".join(addresses[1:]), secret="")
    assert route.target.count("@") == svc.MAX_ADDRESSES


def test_a_stored_route_that_lists_an_address_twice_sends_to_it_once(administrator, connection, mailoutbox):
    route = create(administrator, connection, channel="email", target="a@example.test", secret="")
    route.target = "a@example.test, b@example.test, A@EXAMPLE.test"  # as stored before addresses were checked
    route.save()
    assert svc.notification_route_test(user=administrator, route=route).ok
    assert [message.to for message in mailoutbox] == [["a@example.test"], ["b@example.test"]]


def test_a_retired_connection_takes_its_routes_with_its_keys(administrator, connection):
    from pools.models import ChangeRequest

    create(administrator, connection)
    ChangeRequest.objects.create(
        connection=connection,
        kind="delete_pool",
        target="p",
        reason="history",
        requested_by=administrator,
        idempotency_key="k",
        status="succeeded",
        expires_at=connection.created_at,
    )
    connection_delete(connection=connection, user=administrator)
    assert not NotificationRoute.objects.exists()
