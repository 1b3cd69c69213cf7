"""Approve and Reject look different wherever an approver decides: Approve is filled green, Reject a red
outline, on the queue and on the request's own page."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from pools.services import change_requests as svc

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def rgb(css_colour: str) -> tuple[int, int, int]:
    red, green, blue = (int(part) for part in re.findall(r"\d+", css_colour)[:3])
    return red, green, blue


def is_green(colour: tuple[int, int, int]) -> bool:
    red, green, blue = colour
    return green > red + 40 and green > blue + 20


def is_red(colour: tuple[int, int, int]) -> bool:
    red, green, blue = colour
    return red > green + 60 and red > blue + 60


def style_of(locator) -> dict[str, str]:
    return locator.evaluate(
        "(button) => { const style = getComputedStyle(button);"
        " return {background: style.backgroundColor, border: style.borderTopColor, text: style.color}; }"
    )


@pytest.fixture
def pending(operator, cloud, cloud_connection):
    return svc.change_request_create(
        user=operator,
        connection=cloud_connection,
        kind="delete_pool",
        target=cloud.add_pool("pool-buttons", nodes=1),
        body=None,
        reason="Look of the buttons",
        idempotency_key="buttons",
    )


def test_approve_is_filled_green_and_reject_a_red_outline_on_queue_and_request_page(
    login, live_server, approver, pending
):
    page = login(approver)
    for address in (
        reverse("pools:approval_queue"),
        reverse("pools:change_request_detail", args=[pending.pk]),
    ):
        page.goto(f"{live_server.url}{address}")
        card = page.locator(f"#cr-{pending.pk}")
        approve = card.get_by_role("button", name="Approve")
        reject = card.get_by_role("button", name="Reject")
        expect(approve).to_have_class(re.compile(r"\bapprove\b"))
        expect(reject).to_have_class(re.compile(r"\breject\b"))

        approve_style, reject_style = style_of(approve), style_of(reject)
        assert is_green(rgb(approve_style["background"])), (address, approve_style)
        assert rgb(approve_style["text"]) == (255, 255, 255), (address, approve_style)
        assert is_red(rgb(reject_style["border"])), (address, reject_style)
        assert is_red(rgb(reject_style["text"])), (address, reject_style)
        assert not is_red(rgb(reject_style["background"])), f"{address}: Reject is an outline, not filled"
