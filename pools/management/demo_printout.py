"""What ``demo`` and ``seed_demo`` print for a person to use: the addresses, the logins and the sandbox's keys.

The words are in the operator's language; what is typed or pasted (addresses, usernames, role names as the
admin lists them, passwords, keys) stays as it is, each in a column of its own.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _


def display_width(text: str) -> int:
    """How many columns a terminal gives ``text``: two for a wide (Chinese) character, one for the others."""
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in text)


def aligned(rows: list[tuple[str, str]], *, indent: str = "", gap: int = 1) -> list[str]:
    """One line per (label, value), the values starting in one column whatever the labels' language."""
    width = max(display_width(label) for label, _value in rows)
    return [f"{indent}{label}{' ' * (width - display_width(label) + gap)}{value}" for label, value in rows]


def format_addresses(*, dashboard: str, sandbox: str, hook: str, webhook_log: str) -> list[str]:
    """Where the demo's parts listen; ``dashboard`` ends with a slash."""
    return aligned(
        [
            (_("ModelArts Admin demo:"), dashboard),
            (
                _("ModelArts sandbox:"),
                _("{url}  (faults: {faults})").format(url=sandbox, faults=f"{sandbox}/_sandbox/faults"),
            ),
            (
                _("Monitoring:"),
                _("{metrics} (Prometheus, from this machine), {live} and {ready}").format(
                    metrics=f"{dashboard}metrics",
                    live=f"{dashboard}health/live/",
                    ready=f"{dashboard}health/ready/",
                ),
            ),
            (
                _("REST API docs:"),
                _("{docs}  (tokens: {tokens})").format(
                    docs=f"{dashboard}api/v1/docs/", tokens=f"{dashboard}api-tokens/"
                ),
            ),
            (
                _("Webhook receiver:"),
                _("{url}  (every notification, verified: {log})").format(url=hook, log=webhook_log),
            ),
        ]
    )


def format_logins(logins) -> str:
    lines = [_("Demo logins:")]
    for login in logins:
        shown = login.password or _("(unchanged; use --reset-passwords to set a new one)")
        password = _("password: {password}").format(password=shown)
        lines.append(f"  {login.username:<9} {login.role:<14} {password}")
    return "\n".join(lines)


def format_sandbox_keys(url: str, account) -> str:
    """The sandbox's own development keys (never real ones), for adding a second connection to it."""
    keys = [
        (_("endpoint"), url),
        (_("project id"), account.project_id),
        (_("access key"), account.ak),
        (_("secret key"), account.sk),
    ]
    heading = _("Sandbox keys, for another connection (Connections -> New connection; local use only):")
    return "\n".join([heading, *aligned(keys, indent="  ", gap=2)])
