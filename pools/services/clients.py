"""TEMPORARY local copy until the connections branch lands on main (never committed)."""

from __future__ import annotations

from django.conf import settings


def client_for_connection(connection):
    from pools.modelarts.client import ModelArtsClient

    return ModelArtsClient(
        connection.effective_endpoint,
        connection.project_id,
        connection.access_key,
        connection.secret_key,
        user_id=connection.user_id or None,
        timeout=settings.MODELARTS_TIMEOUT_SECONDS,
        deadline=settings.MODELARTS_DEADLINE_SECONDS,
        retries=settings.MODELARTS_RETRIES,
    )
