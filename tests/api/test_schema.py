"""The OpenAPI schema at /api/v1/schema/ and the Swagger UI docs page, served from vendored files."""

from __future__ import annotations

import pytest
import yaml
from django.contrib.staticfiles import finders
from django.test import Client

from pools.change_kinds import KINDS
from tests.fixtures.api import api_client, token_for

pytestmark = pytest.mark.django_db

PATHS = {
    "/api/v1/connections/",
    "/api/v1/connections/{connection_id}/pools/",
    "/api/v1/connections/{connection_id}/pools/{pool_name}/",
    "/api/v1/connections/{connection_id}/pools/{pool_name}/nodes/",
    "/api/v1/connections/{connection_id}/pools/{pool_name}/monitoring/",
    "/api/v1/connections/{connection_id}/usage/",
    "/api/v1/connections/{connection_id}/statistics/",
    "/api/v1/change-requests/",
    "/api/v1/change-requests/{id}/",
    "/api/v1/change-requests/{id}/comments/",
    "/api/v1/change-requests/{id}/cancel/",
    "/api/v1/change-requests/{id}/approve/",
    "/api/v1/change-requests/{id}/reject/",
    "/api/v1/audit-entries/",
}


def test_the_schema_lists_every_endpoint_and_the_bearer_token(viewer):
    answer = api_client(token_for(viewer)).get("/api/v1/schema/")
    assert answer.status_code == 200
    schema = yaml.safe_load(answer.content)
    assert set(schema["paths"]) == PATHS
    assert schema["components"]["securitySchemes"]["apiToken"] == {
        "type": "http",
        "scheme": "bearer",
        "description": "A personal token from the API tokens page.",
    }
    filing = schema["paths"]["/api/v1/change-requests/"]["post"]
    assert any(p["name"] == "Idempotency-Key" and p["required"] for p in filing["parameters"])
    kinds = schema["components"]["schemas"]["KindEnum"]["enum"]
    assert set(KINDS) <= set(kinds)


def test_the_docs_page_uses_vendored_swagger_ui_and_no_inline_script(viewer):
    client = Client()
    client.force_login(viewer)
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "cdn" not in html.lower() and "<script>" not in html and "<style>" not in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert finders.find("drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js")
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "/api/v1/schema/" in script.content.decode()
    assert client.get("/api/v1/schema/").status_code == 200  # what the page loads, with the session


def test_the_docs_page_asks_to_log_in(db):
    answer = Client().get("/api/v1/docs/")
    assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
