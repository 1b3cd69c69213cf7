"""The base of the dashboard's management commands: everything they write is in the operator's language.

That language is the site's, ``LANGUAGE_CODE`` (README, "Languages"): ``LANGUAGE_CODE=zh-hans manage.py …``
for one run, or in the environment or ``.env`` for every run. Django needs no help for that: a command runs
with no language activated, so its gettext calls answer in ``LANGUAGE_CODE`` (and in the caller's language
when one calls another, or a test overrides it). What this base adds is the help that Django and argparse
write themselves and never translate: the command's description, Django's own options (``--verbosity``…)
and argparse's words (``usage:``, ``options``, ``-h``).
"""

from __future__ import annotations

import argparse

from django.core.management.base import BaseCommand, DjangoHelpFormatter
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Django's own options (and argparse's -h), by their dest, in the words of Django's help.
DJANGO_OPTIONS_HELP = {
    "help": _("show this help message and exit"),
    "version": _("Show program's version number and exit."),
    "verbosity": _(
        "Verbosity level; 0=minimal output, 1=normal output, 2=verbose output, 3=very verbose output"
    ),
    "settings": _(
        'The Python path to a settings module, e.g. "myproject.settings.main". If this isn\'t provided, the '
        "DJANGO_SETTINGS_MODULE environment variable will be used."
    ),
    "pythonpath": _('A directory to add to the Python path, e.g. "/home/djangoprojects/myproject".'),
    "traceback": _("Display a full stack trace on CommandError exceptions."),
    "no_color": _("Don't colorize the command output."),
    "force_color": _("Force colorization of the command output."),
    "skip_checks": _("Skip system checks."),
}


class TranslatedHelpFormatter(DjangoHelpFormatter):
    """Django's formatter, with argparse's ``usage:`` in the active language (argparse has no catalogue)."""

    def add_usage(self, usage, actions, groups, prefix=None):
        super().add_usage(usage, actions, groups, gettext("usage: ") if prefix is None else prefix)


def retell_options(parser, help_by_dest) -> None:
    """Give the options that someone else added (Django, a package) the help text ``help_by_dest`` holds."""
    for action in parser._actions:
        if action.dest in help_by_dest and action.help not in (None, argparse.SUPPRESS):
            action.help = help_by_dest[action.dest]


class TranslatedCommand(BaseCommand):
    """A command whose ``--help`` is in the operator's language, like everything else it writes.

    Write ``help`` with ``gettext_lazy`` and each message, argument help and ``CommandError`` with
    ``gettext`` (``tests/i18n/test_commands.py`` checks that every one is marked).
    """

    def create_parser(self, prog_name, subcommand, **kwargs):
        kwargs.setdefault("formatter_class", TranslatedHelpFormatter)
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        # argparse reflows the description with re, which takes a str, not a lazy text.
        parser.description = str(self.help) if self.help else None
        parser._optionals.title = gettext("options")
        retell_options(parser, DJANGO_OPTIONS_HELP)
        return parser
