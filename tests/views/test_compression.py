"""Pages go out gzip-compressed when the browser accepts it, without handing BREACH a secret to find."""

import gzip
import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}
CSRF_IN_PAGE = re.compile(r'"X-CSRFToken": "([^"]+)"')


def test_a_page_is_compressed_for_a_browser_that_accepts_it(browse, seeded_sandbox):
    plain = browse.get(reverse("pools:pool_list"))
    packed = browse.get(reverse("pools:pool_list"), **GZIP)
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip" and "Accept-Encoding" in packed["Vary"]
    html = gzip.decompress(packed.content).decode()
    assert "llm-pretrain" in html and len(packed.content) * 3 < len(plain.content)


def test_the_csrf_token_in_a_page_differs_in_every_response(browse, seeded_sandbox):
    # The one secret a page body holds: masked afresh each time, so compressed lengths cannot reveal it.
    tokens = {
        CSRF_IN_PAGE.search(gzip.decompress(browse.get(reverse("pools:pool_list"), **GZIP).content).decode())[
            1
        ]
        for _ in range(3)
    }
    assert len(tokens) == 3
