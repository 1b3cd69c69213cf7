"""``render_shell``: a page rendered around a partial that is filled in later."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.template import engines
from django.test import RequestFactory

from pools import htmx


@pytest.fixture
def page(monkeypatch):
    """A page template whose table partial shows ``{{ later }}`` when given one."""
    source = (
        "<h1>{{ title }}</h1>"
        "{% load partials %}{% partialdef table inline %}{% if later %}{{ later }}{% else %}"
        "<table>{% for row in rows %}<tr><td>{{ row }}</td></tr>{% endfor %}</table>{% endif %}{% endpartialdef %}"
        "<footer>{{ title }}</footer>"
    )
    template = engines["django"].from_string(source)
    monkeypatch.setattr(
        htmx, "render_to_string", lambda name, context, request: template.render(context, request)
    )
    return template


def test_the_shell_filled_with_the_partial_is_the_whole_page(page):
    request = RequestFactory().get("/")
    context = {"title": "Pools <of> prod", "rows": ["a", "<b>"]}

    shell = htmx.render_shell(request, "page.html", {"title": context["title"]})
    part = "<table><tr><td>a</td></tr><tr><td>&lt;b&gt;</td></tr></table>"

    assert shell.around(part) == page.render(context, request)


def test_a_value_that_spells_a_slot_is_escaped_and_not_filled(page):
    request = RequestFactory().get("/")
    shell = htmx.render_shell(request, "page.html", {"title": "<!--later:0123456789abcdef-->"})

    filled = shell.around("TABLE")

    assert filled.count("TABLE") == 1
    assert "<!--later:" not in filled


def test_a_template_without_the_slot_is_a_configuration_error(monkeypatch):
    monkeypatch.setattr(htmx, "render_to_string", lambda name, context, request: "<h1>no slot</h1>")

    with pytest.raises(ImproperlyConfigured, match="later"):
        htmx.render_shell(RequestFactory().get("/"), "page.html", {})
