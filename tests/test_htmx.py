"""``template_for``: the one rule that picks a page or its partial."""

import pytest
from django.test import RequestFactory
from django_htmx.middleware import HtmxDetails

from pools.htmx import template_for


def request_with(**headers):
    request = RequestFactory().get("/", headers=headers)
    request.htmx = HtmxDetails(request)
    return request


@pytest.mark.parametrize(
    ("headers", "template"),
    [
        ({}, "pools/page.html"),
        ({"HX-Request": "true"}, "pools/page.html#rows"),
        ({"HX-Request": "true", "HX-History-Restore-Request": "true"}, "pools/page.html"),
    ],
    ids=["plain request: the page", "htmx: the partial", "back button: the page"],
)
def test_the_page_or_its_partial(headers, template):
    assert template_for(request_with(**headers), "pools/page.html", "rows") == template
