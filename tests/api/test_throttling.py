"""The API's rate limit: API_THROTTLE_USER calls per person and period, counted in the configured cache, then
429 with a JSON error and Retry-After."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.urls import reverse

from pools.api.throttling import PersonRateThrottle
from tests.fixtures.api import api_client, token_for
from tests.test_settings_production import production_environment, run

pytestmark = pytest.mark.django_db

URL = reverse("api:connection_list")


@pytest.fixture
def two_a_minute(settings):
    """A low limit, as an operator sets it (settings are read at each call, not frozen by REST framework)."""
    settings.API_THROTTLE_USER = "2/min"


def test_a_call_past_the_limit_answers_429_with_retry_after(two_a_minute, viewer_api):
    assert [viewer_api.get(URL).status_code for _ in range(2)] == [200, 200]

    refused = viewer_api.get(URL)

    assert refused.status_code == 429
    wait = int(refused["Retry-After"])
    assert 0 < wait <= 60
    assert refused.json() == {
        "error": {
            "message": f"Request was throttled. Expected available in {wait} seconds.",
            "retry_after": wait,
        }
    }


def test_a_person_s_tokens_share_one_count_and_others_have_their_own(two_a_minute, viewer, operator):
    first, second = api_client(token_for(viewer, name="one")), api_client(token_for(viewer, name="two"))
    other = api_client(token_for(operator))

    assert [first.get(URL).status_code, second.get(URL).status_code] == [200, 200]

    assert second.get(URL).status_code == 429
    assert other.get(URL).status_code == 200


def test_calls_are_counted_in_the_configured_cache(two_a_minute, viewer, viewer_api):
    viewer_api.get(URL)

    key = PersonRateThrottle.cache_format % {"scope": "user", "ident": viewer.pk}
    assert len(cache.get(key)) == 1


def test_the_default_limit_comes_from_the_setting(settings, viewer_api):
    assert settings.API_THROTTLE_USER == "600/min"
    settings.API_THROTTLE_USER = "1/hour"

    assert viewer_api.get(URL).status_code == 200
    refused = viewer_api.get(URL)

    assert refused.status_code == 429 and 3540 < int(refused["Retry-After"]) <= 3600


def test_an_empty_setting_means_no_limit(settings, viewer_api):
    settings.API_THROTTLE_USER = ""

    assert {viewer_api.get(URL).status_code for _ in range(5)} == {200}


@pytest.mark.parametrize(
    ("rate", "starts"), [("120/hour", True), ("600 per minute", False), ("0/min", False)]
)
def test_start_up_refuses_a_rate_rest_framework_cannot_read(tmp_path, rate, starts):
    script = (
        "import django; django.setup(); from django.conf import settings; print(settings.API_THROTTLE_USER)"
    )

    result = run(production_environment(tmp_path, API_THROTTLE_USER=rate), "-c", script)

    if starts:
        assert result.returncode == 0 and result.stdout.strip() == rate, result.stderr
    else:
        assert result.returncode != 0 and "API_THROTTLE_USER must be like 600/min" in result.stderr
