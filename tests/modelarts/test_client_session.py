"""The client's HTTP session reads the environment's proxy and CA settings once, for its endpoint."""

import pytest

from pools.modelarts.client import ModelArtsClient, new_session

ENDPOINT = "https://modelarts.cn-north-4.myhuaweicloud.com"


@pytest.fixture
def environment(monkeypatch):
    for name in (
        "HTTPS_PROXY",
        "https_proxy",
        "HTTP_PROXY",
        "http_proxy",
        "NO_PROXY",
        "no_proxy",
        "ALL_PROXY",
        "all_proxy",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
    ):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_the_proxy_for_the_endpoint_is_kept_and_no_proxy_is_honoured(environment):
    environment.setenv("HTTPS_PROXY", "http://proxy.example:3128")
    environment.setenv("NO_PROXY", "internal.example")

    assert new_session(ENDPOINT).proxies.get("https") == "http://proxy.example:3128"
    assert new_session("https://ma.internal.example").proxies == {}


def test_a_ca_bundle_from_the_environment_is_kept(environment):
    environment.setenv("REQUESTS_CA_BUNDLE", "/etc/ssl/corporate.pem")

    assert new_session(ENDPOINT).verify == "/etc/ssl/corporate.pem"


def test_without_settings_the_session_verifies_with_the_default_bundle_and_reads_nothing_per_request(
    environment,
):
    session = new_session(ENDPOINT)

    assert session.verify is True and session.proxies == {}
    assert session.trust_env is False  # nothing read from the environment on each request


def test_a_client_without_a_session_gets_one_for_its_endpoint(environment):
    environment.setenv("HTTPS_PROXY", "http://proxy.example:3128")

    client = ModelArtsClient(ENDPOINT, "0" * 32, "AK", "SK")

    assert client._session.proxies.get("https") == "http://proxy.example:3128"
