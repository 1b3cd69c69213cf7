"""Demo users, the demo connection and its webhook route: what `seed_demo` and `demo` set up, idempotently."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from pools import audit, permissions
from pools.models import Connection, NotificationRoute
from pools.models.notifications import EVENTS
from pools.services.notifications.routes import notification_route_create, notification_route_update

DEMO_CONNECTION_NAME = "Sandbox (demo)"
DEMO_CONNECTION_DESCRIPTION = _("The local ModelArts sandbox that the demo starts.")
DEMO_USERS = (
    # username, role, superuser: the demo's administrator also gives people their roles in Django's admin
    # (/admin/ -> Users), which takes a superuser, as in production (README: createsuperuser)
    ("admin", permissions.ADMINISTRATOR, True),
    ("operator", permissions.OPERATOR, False),
    ("approver", permissions.APPROVER, False),
    ("auditor", permissions.AUDITOR, False),
    ("viewer", permissions.VIEWER, False),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    role: str
    password: str | None  # None: the user already existed and keeps the password it had


def demo_users_ensure(*, password: str | None, reset_passwords: bool = False) -> list[DemoLogin]:
    """Create the demo users if missing; a password is set only for new users (or on reset).

    Without ``password`` each new user gets its own generated one, returned once for printing. Users made by
    an older demo get the role and the admin rights they lack.
    """
    permissions.ensure_roles()
    user_model = get_user_model()
    logins = []
    for username, role, superuser in DEMO_USERS:
        with transaction.atomic():
            user, created = user_model.objects.get_or_create(
                username=username,
                defaults={
                    "email": f"{username}@demo.invalid",
                    "is_staff": superuser,
                    "is_superuser": superuser,
                },
            )
            new_password = None
            if created or reset_passwords:
                new_password = password or secrets.token_urlsafe(9)
                user.set_password(new_password)
                user.save()
            if superuser and not (user.is_staff and user.is_superuser):
                user.is_staff = user.is_superuser = True
                user.save(update_fields=["is_staff", "is_superuser"])
                audit.record(user=None, action="demo.user_superuser", obj=user, details={"role": role})
            user.groups.add(Group.objects.get(name=role))
            if created:
                audit.record(
                    user=None,
                    action="demo.user_create",
                    obj=user,
                    details={"role": role, "superuser": superuser},
                    flag="add",
                )
        logins.append(DemoLogin(username, role, new_password))
    return logins


def demo_connection_ensure(*, endpoint: str, access_key: str, secret_key: str, project_id: str) -> Connection:
    """The connection to the local sandbox; its endpoint follows the sandbox's port."""
    with transaction.atomic():
        connection = Connection.objects.in_use().filter(name=DEMO_CONNECTION_NAME).first()
        created = connection is None
        if created:
            connection = Connection(name=DEMO_CONNECTION_NAME, region="cn-north-4")
        connection.description = DEMO_CONNECTION_DESCRIPTION
        connection.endpoint = endpoint
        connection.project_id = project_id
        connection.access_key = access_key
        connection.secret_key = secret_key
        connection.save()
        audit.record(
            user=None,
            action="connection.create" if created else "connection.update",
            obj=connection,
            details={"name": connection.name, "endpoint": endpoint, "source": "demo"},
            flag="add" if created else "change",
        )
    return connection


DEMO_ROUTE_NAME = "Demo webhook receiver"


def demo_webhook_route_ensure(*, connection: Connection, url: str, secret: str) -> NotificationRoute:
    """The demo connection's route of every event to the demo's local webhook receiver (its URL follows the
    receiver's port)."""
    arguments = {
        "name": DEMO_ROUTE_NAME,
        "channel": NotificationRoute.Channel.WEBHOOK,
        "target": url,
        "secret": secret,
        "events": list(EVENTS),
        "enabled": True,
    }
    route = NotificationRoute.objects.filter(connection=connection, name=DEMO_ROUTE_NAME).first()
    if route is None:
        return notification_route_create(user=None, connection=connection, **arguments)
    return notification_route_update(user=None, route=route, **arguments)
