"""The management commands speak the operator's language: every message is marked for translation, each
command's ``--help`` reads in Chinese, and ``LANGUAGE_CODE`` in the environment picks the language."""

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import load_command_class
from django.utils import translation

from pools.management.base import TranslatedCommand
from tests.i18n.command_text import english_left

ROOT = Path(__file__).resolve().parents[2]
MANAGEMENT = ROOT / "pools" / "management"
COMMANDS = sorted(path.stem for path in (MANAGEMENT / "commands").glob("*.py") if path.stem != "__init__")
GETTEXT = {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy", "pgettext", "pgettext_lazy"}
WRITERS = ("stdout.write", "stderr.write", "CommandError")


def dotted(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return f"{dotted(node.value)}.{node.attr}"
    return node.id if isinstance(node, ast.Name) else ""


def messages(node: ast.AST):
    """What a person reads in ``node``: what it writes or raises, a ``help=`` argument, a ``help =`` attribute."""
    if isinstance(node, ast.Call):
        if dotted(node.func).endswith(WRITERS):
            yield from node.args
        yield from (keyword.value for keyword in node.keywords if keyword.arg == "help")
    if isinstance(node, ast.Assign) and any(getattr(target, "id", "") == "help" for target in node.targets):
        yield node.value


def bare_texts(node: ast.AST) -> list[str]:
    """The literals with a letter in them and the f-strings in ``node`` that no gettext call holds.

    A value passed to ``format`` is a literal too: an example, an identifier, kept as a named constant."""
    if isinstance(node, ast.Call) and dotted(node.func) in GETTEXT or isinstance(node, ast.Subscript):
        return []  # marked, or a key: options["port"]
    if isinstance(node, ast.JoinedStr):
        return [ast.unparse(node)]
    if isinstance(node, ast.Constant) and isinstance(node.value, str) and re.search("[A-Za-z]", node.value):
        return [node.value]
    return [text for child in ast.iter_child_nodes(node) for text in bare_texts(child)]


def unmarked(source: str) -> list[str]:
    return sorted(
        text
        for node in ast.walk(ast.parse(source))
        for message in messages(node)
        for text in bare_texts(message)
    )


def test_the_check_finds_messages_written_without_gettext():
    source = """
class Command(TranslatedCommand):
    help = "Do it."

    def add_arguments(self, parser):
        parser.add_argument("--port", help=f"the port (default {PORT})")
        parser.add_argument("--host", help=_("the host (default %(default)s)"))

    def handle(self, *args, **options):
        self.stdout.write(_("Done: {count}").format(count=count))
        self.stdout.write(self.style.SUCCESS("Done."))
        self.stderr.write(problem)
        raise CommandError("Failed: " + str(problem))
"""
    assert unmarked(source) == ["Do it.", "Done.", "Failed: ", "f'the port (default {PORT})'"]


def test_every_message_of_the_commands_is_marked_for_translation():
    found = {
        str(path.relative_to(ROOT)): texts
        for path in sorted(MANAGEMENT.rglob("*.py"))
        if (texts := unmarked(path.read_text()))
    }
    assert found == {}, "write these with gettext (README, 'Languages')"


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_a_translated_command(name):
    assert isinstance(load_command_class("pools", name), TranslatedCommand)


def help_of(name: str) -> str:
    return load_command_class("pools", name).create_parser("manage.py", name).format_help()


@pytest.mark.parametrize("name", COMMANDS)
def test_the_help_of_every_command_reads_in_chinese(name):
    with translation.override("zh-hans"):
        text = help_of(name)
    assert text.startswith(f"用法：manage.py {name}") and "显示此帮助信息并退出" in text
    assert english_left(text) == []


@pytest.mark.parametrize("name", COMMANDS)
def test_the_help_of_every_command_is_english_by_default(name):
    text = help_of(name)
    assert text.startswith(f"usage: manage.py {name}") and "show this help message and exit" in text
    assert not re.search(r"[\u4e00-\u9fff]", text)
    assert english_left(text), "the English help is found English, so the Chinese check can fail"


def run_manage(*arguments: str, **environment: str) -> subprocess.CompletedProcess:
    variables = {key: value for key, value in os.environ.items() if key != "LANGUAGE_CODE"}
    return subprocess.run(
        [sys.executable, "manage.py", *arguments],
        cwd=ROOT,
        env={**variables, **environment},
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.timeout(120)
def test_language_code_in_the_environment_picks_the_commands_language():
    english = run_manage("rotate_encryption_keys", "--help")
    chinese = run_manage("rotate_encryption_keys", "--help", LANGUAGE_CODE="zh-hans")
    assert english.returncode == chinese.returncode == 0, english.stderr + chinese.stderr
    assert "Re-encrypt every stored connection secret" in english.stdout
    assert "重新加密每个已存储的连接密钥" in chinese.stdout and english_left(chinese.stdout) == []


@pytest.mark.timeout(60)
def test_a_language_the_dashboard_does_not_speak_is_refused_at_start_up():
    refused = run_manage("rotate_encryption_keys", "--help", LANGUAGE_CODE="fr")
    assert refused.returncode != 0
    assert "LANGUAGE_CODE must be one of en, zh-hans, not 'fr'." in refused.stderr
