"""The layers keep to their one-way arrows and stay small, checked on the source with ``ast``.

docs/architecture.md ("Boundaries") says what each rule protects. Each rule also has a self-test that feeds
it a small made-up module, so a rule that could never fail would show. KNOWN_VIOLATIONS names the violations
the code still has while the redesign is under way; it must match what the rules find exactly, so an entry
that is no longer true fails too and the list cannot outlive its reasons.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULE_MAX_LINES = 400
VIEW_FUNCTION_MAX_LINES = 40

# Django, the packages that only work inside it, and the Django project itself.
DJANGO_PACKAGES = ("django", "environ", "template_partials", "whitenoise", "health_check", "modelarts_admin")
LOG_ENTRY = "django.contrib.admin.models.LogEntry"
# Calls that write LogEntry rows: the manager's and queryset's writes, and the admin's own log hooks.
LOG_ENTRY_WRITES = frozenset(
    {"create", "bulk_create", "get_or_create", "update_or_create", "update", "bulk_update", "delete"}
)
LOGGING_CALLS = frozenset(
    {"log_action", "log_actions", "log_addition", "log_change", "log_deletion", "log_deletions"}
)
# The client's operations that change or cost something: sent only after approval, by the execution module.
CHANGE_REQUEST_EXECUTION = "pools/services/change_requests/execution.py"
CHANGE_KINDS = "pools/change_kinds"
CHANGING_METHODS = frozenset({"POST", "PATCH", "PUT", "DELETE"})


def client_methods_that_change() -> frozenset[str]:
    """The client's operations that change something: every method of ``pools/modelarts/`` that hands the
    transport a POST, PATCH, PUT or DELETE (``self._transport.call("DeletePool", "DELETE", ...)``)."""
    names = set()
    for path in sorted((ROOT / "pools" / "modelarts").glob("*.py")):
        for function in ast.walk(ast.parse(path.read_text())):
            if not isinstance(function, ast.FunctionDef):
                continue
            for node in ast.walk(function):
                if (
                    isinstance(node, ast.Call)
                    and len(node.args) >= 2
                    and isinstance(node.args[1], ast.Constant)
                    and node.args[1].value in CHANGING_METHODS
                ):
                    names.add(function.name)
    return frozenset(names)


UPSTREAM_CHANGES = client_methods_that_change()


class Module:
    """One Python source file of the project, by its path relative to the repository."""

    def __init__(self, path: str, text: str) -> None:
        self.path = path
        self.text = text

    @cached_property
    def tree(self) -> ast.Module:
        return ast.parse(self.text, filename=self.path)

    @cached_property
    def package(self) -> list[str]:
        """The package a relative import starts from (for ``__init__.py``, the package itself)."""
        parts = self.path.removesuffix(".py").split("/")
        return parts[:-1]

    def absolute(self, node: ast.ImportFrom) -> str:
        if not node.level:
            return node.module or ""
        base = self.package[: len(self.package) - (node.level - 1)]
        return ".".join([*base, node.module] if node.module else base)

    def imports(self) -> Iterator[tuple[str, str]]:
        """(what is imported as a dotted name, the statement as written): ``from a.b import c`` imports
        ``a.b.c`` (a submodule or a name of ``a.b``); imports inside functions and TYPE_CHECKING count too."""
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    yield alias.name, f"import {alias.name}"
            elif isinstance(node, ast.ImportFrom):
                base = self.absolute(node)
                for alias in node.names:
                    yield f"{base}.{alias.name}", f"from {base} import {alias.name}"

    @cached_property
    def bindings(self) -> dict[str, str]:
        """Each name an import binds, with the dotted name it stands for."""
        bound: dict[str, str] = {}
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    top = alias.name.split(".")[0]
                    bound[alias.asname or top] = alias.name if alias.asname else top
            elif isinstance(node, ast.ImportFrom):
                base = self.absolute(node)
                for alias in node.names:
                    bound[alias.asname or alias.name] = f"{base}.{alias.name}"
        return bound

    def qualified(self, node: ast.expr) -> str | None:
        """The dotted name an expression calls through, imports resolved and calls and subscripts on the
        way passed over: ``LogEntry.objects.filter(...).delete`` is
        ``django.contrib.admin.models.LogEntry.objects.filter.delete``. None when it starts elsewhere."""
        parts: list[str] = []
        while True:
            if isinstance(node, ast.Attribute):
                parts.append(node.attr)
                node = node.value
            elif isinstance(node, ast.Call):
                node = node.func
            elif isinstance(node, ast.Subscript):
                node = node.value
            elif isinstance(node, ast.Name):
                parts.append(self.bindings.get(node.id, node.id))
                return ".".join(reversed(parts))
            else:
                return None

    def calls(self) -> Iterator[tuple[ast.Call, str]]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                name = self.qualified(node.func)
                if name is not None:
                    yield node, name


def within(name: str, *prefixes: str) -> bool:
    return any(name == prefix or name.startswith(prefix + ".") for prefix in prefixes)


def is_django(name: str) -> bool:
    top = name.split(".")[0]
    return top.startswith("django") or top in DJANGO_PACKAGES


def under(*folders: str) -> Callable[[str], bool]:
    return lambda path: any(path.startswith(folder + "/") for folder in folders)


@dataclass(frozen=True)
class Rule:
    name: str
    applies_to: Callable[[str], bool]
    check: Callable[[Module], Iterable[str]]  # what is wrong, one line each, without line numbers

    def violations(self, module: Module) -> set[str]:
        return set(self.check(module)) if self.applies_to(module.path) else set()


def imports_matching(predicate: Callable[[str], bool]) -> Callable[[Module], Iterator[str]]:
    def check(module: Module) -> Iterator[str]:
        for name, statement in module.imports():
            if predicate(name):
                yield statement

    return check


# The client reports its calls to observers (pools/modelarts/observers.py); counting them is the app's job.
METRICS_LIBRARIES = ("prometheus_client", "django_prometheus")


def modelarts_import_forbidden(name: str) -> bool:
    return (
        is_django(name)
        or within(name, *METRICS_LIBRARIES)
        or (within(name, "pools") and not within(name, "pools.modelarts"))
    )


def sandbox_import_forbidden(name: str) -> bool:
    # The sandbox checks signatures with the client's own signer, so both sign the same way.
    allowed = within(name, "pools.sandbox", "pools.modelarts.signer")
    return is_django(name) or (within(name, "pools") and not allowed)


def decryption(module: Module) -> Iterator[str]:
    for name, statement in module.imports():
        if within(name, "cryptography.fernet"):
            yield statement
    for call, name in module.calls():
        method = name.rsplit(".", 1)[-1]
        if method in ("decrypt", "decrypt_at_time") and name != "pools.crypto.decrypt":
            yield f"calls {ast.unparse(call.func)}()"


def log_entry_writes(module: Module) -> Iterator[str]:
    for call, name in module.calls():
        method = name.rsplit(".", 1)[-1]
        writes_rows = name == LOG_ENTRY or (within(name, LOG_ENTRY) and method in LOG_ENTRY_WRITES)
        if writes_rows or method in LOGGING_CALLS:
            yield f"calls {ast.unparse(call.func)}()"


def upstream_changes(module: Module) -> Iterator[str]:
    """Calls of the client's changing operations, and runs of a change kind's one call."""
    changing = UPSTREAM_CHANGES
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            if node.func.attr in changing and not module.path.startswith(CHANGE_KINDS + "/"):
                yield f"calls {ast.unparse(node.func)}()"
            if (
                node.func.attr == "call"
                and "change_kind" in ast.unparse(node.func.value)
                and module.path != CHANGE_REQUEST_EXECUTION
            ):
                yield f"runs {ast.unparse(node.func)}()"


def changes_allowed_in(path: str) -> bool:
    """The client and the sandbox define the operations; the change kinds make the calls, and the execution
    module is the one that runs a kind's call."""
    return not under("pools/modelarts", "pools/sandbox")(path)


def oversized_module(module: Module) -> Iterator[str]:
    lines = len(module.text.splitlines())
    if lines > MODULE_MAX_LINES:
        yield f"over {MODULE_MAX_LINES} lines"


def oversized_functions(module: Module) -> Iterator[str]:
    for node in ast.walk(module.tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            lines = node.end_lineno - node.lineno + 1  # from ``def`` to its last line, docstring included
            if lines > VIEW_FUNCTION_MAX_LINES:
                yield f"{node.name}() over {VIEW_FUNCTION_MAX_LINES} lines"


def change_kind_import_forbidden(name: str) -> bool:
    # Marking a text for translation is not a layer: a kind's summary and refusals follow the reader's language.
    if within(name, "django.utils.translation"):
        return False
    return within(
        name, "pools.models", "pools.selectors", "pools.services", "pools.views", "pools.forms", "django"
    )


RULES = (
    Rule(
        "selectors import no services and not the audit writer",
        under("pools/selectors"),
        # pools.audit writes and seals entries; readers parse them with pools.core.audit_messages.
        imports_matching(lambda name: within(name, "pools.services", "pools.audit", "pools.audit_witness")),
    ),
    Rule(
        "change kinds import no models, reads, writes, views or forms",
        under(CHANGE_KINDS),
        imports_matching(change_kind_import_forbidden),
    ),
    Rule(
        "core imports no reads or writes",
        under("pools/core"),
        imports_matching(lambda name: within(name, "pools.selectors", "pools.services")),
    ),
    Rule(
        "reads, writes and core import no views or forms",
        under("pools/selectors", "pools/services", "pools/core"),
        imports_matching(lambda name: within(name, "pools.views", "pools.forms", "pools.api")),
    ),
    Rule(
        "nothing below the views imports observability",
        under("pools/selectors", "pools/services", "pools/core", "pools/change_kinds", "pools/models"),
        imports_matching(lambda name: within(name, "pools.observability")),
    ),
    Rule(
        "the client imports no Django, no metrics library and nothing else of pools",
        under("pools/modelarts"),
        imports_matching(modelarts_import_forbidden),
    ),
    Rule(
        "the sandbox imports no Django and of pools only the signer",
        under("pools/sandbox"),
        imports_matching(sandbox_import_forbidden),
    ),
    Rule(
        "views never import the client",
        under("pools/views", "pools/api"),  # the API's views go through selectors and services too
        imports_matching(lambda name: within(name, "pools.modelarts")),
    ),
    Rule("only pools/crypto.py decrypts", lambda path: path != "pools/crypto.py", decryption),
    Rule("only pools/audit.py writes LogEntry rows", lambda path: path != "pools/audit.py", log_entry_writes),
    Rule(
        "only change-request execution changes pools",
        lambda path: path.startswith("pools/") and changes_allowed_in(path),
        upstream_changes,
    ),
    Rule(
        f"no module over {MODULE_MAX_LINES} lines",
        lambda path: path.startswith("pools/") and "/migrations/" not in path,
        oversized_module,
    ),
    Rule(
        f"no view function over {VIEW_FUNCTION_MAX_LINES} lines",
        under("pools/views", "pools/api"),
        oversized_functions,
    ),
)
RULES_BY_NAME = {rule.name: rule for rule in RULES}


@dataclass(frozen=True)
class Known:
    """A violation the redesign has not removed yet: which rule, where, what, why, and who removes it."""

    rule: str
    path: str
    what: str
    reason: str
    removed_by: str


# Emptied by the lead once the branches named in ``removed_by`` are merged.
KNOWN_VIOLATIONS: tuple[Known, ...] = ()


@cache
def project_modules() -> tuple[Module, ...]:
    paths = sorted((ROOT / "pools").rglob("*.py"))
    return tuple(Module(path.relative_to(ROOT).as_posix(), path.read_text()) for path in paths)


def unlisted_and_stale(
    rule: Rule, modules: Iterable[Module], known: Iterable[Known]
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """The violations KNOWN_VIOLATIONS does not list, and the listed ones that are gone, as (path, what)."""
    found = {(module.path, what) for module in modules for what in rule.violations(module)}
    listed = {(entry.path, entry.what) for entry in known if entry.rule == rule.name}
    return sorted(found - listed), sorted(listed - found)


@pytest.mark.parametrize("rule", RULES, ids=lambda rule: rule.name)
def test_the_code_keeps_the_rule_except_for_the_known_violations(rule):
    unlisted, stale = unlisted_and_stale(rule, project_modules(), KNOWN_VIOLATIONS)
    assert unlisted == [], f"{rule.name}: {unlisted} (docs/architecture.md, 'Boundaries')"
    assert stale == [], f"{rule.name}: fixed, so remove from KNOWN_VIOLATIONS: {stale}"


def test_the_known_violations_must_match_exactly():
    rule = RULES_BY_NAME["selectors import no services and not the audit writer"]
    violation = ("pools/selectors/x.py", "from pools.services import clients")
    entry = Known(rule.name, *violation, reason="a reason", removed_by="someone")
    still_there = Module("pools/selectors/x.py", "from pools.services import clients")
    fixed = Module("pools/selectors/x.py", "from pools.core import clients")
    assert unlisted_and_stale(rule, [still_there], []) == ([violation], [])
    assert unlisted_and_stale(rule, [still_there], [entry]) == ([], [])
    assert unlisted_and_stale(rule, [fixed], [entry]) == ([], [violation])


def test_every_known_violation_names_a_rule_a_reason_and_who_removes_it():
    for entry in KNOWN_VIOLATIONS:
        assert entry.rule in RULES_BY_NAME, entry
        assert entry.reason and entry.removed_by, entry
    assert len(set(KNOWN_VIOLATIONS)) == len(KNOWN_VIOLATIONS)


def test_the_rules_see_the_whole_app():
    paths = {module.path for module in project_modules()}
    for path in (
        "pools/crypto.py",
        "pools/audit.py",
        "pools/views/approvals.py",
        "pools/api/reads.py",
        "pools/modelarts/client.py",
    ):
        assert path in paths
    assert any("/migrations/" in path for path in paths)  # walked, and skipped by the size rule only


# --- each rule catches what it forbids and lets the rest pass --------------------------------------------


def check(rule_name: str, path: str, source: str) -> set[str]:
    return RULES_BY_NAME[rule_name].violations(Module(path, source))


def test_selectors_importing_services_are_caught_in_every_spelling():
    rule = "selectors import no services and not the audit writer"
    assert check(rule, "pools/selectors/x.py", "from pools.services.errors import ApplicationError") == {
        "from pools.services.errors import ApplicationError"
    }
    assert check(rule, "pools/selectors/x.py", "from pools import services") == {"from pools import services"}
    assert check(rule, "pools/selectors/x.py", "import pools.services.change_requests.decisions") == {
        "import pools.services.change_requests.decisions"
    }
    assert check(rule, "pools/selectors/sub/x.py", "from ...services import clients") == {
        "from pools.services import clients"
    }
    inside_a_function = "def f():\n    from pools.services.clients import client_for_connection\n"
    assert check(rule, "pools/selectors/x.py", inside_a_function)
    allowed = "from pools.core.errors import ApplicationError\nfrom pools.selectors.cache import ReadResult\n"
    assert check(rule, "pools/selectors/x.py", allowed) == set()
    assert check(rule, "pools/views/x.py", "from pools.services import clients") == set()


def test_selectors_importing_the_audit_writer_are_caught():
    rule = "selectors import no services and not the audit writer"
    assert check(rule, "pools/selectors/x.py", "from pools import audit") == {"from pools import audit"}
    assert check(rule, "pools/selectors/x.py", "from pools.audit import parse_message") == {
        "from pools.audit import parse_message"
    }
    allowed = "from pools.core.audit_messages import parse_message\n"
    assert check(rule, "pools/selectors/x.py", allowed) == set()


def test_change_kinds_importing_the_layers_above_them_is_caught():
    rule = "change kinds import no models, reads, writes, views or forms"
    for source in (
        "from pools.models import ChangeRequest",
        "from pools.selectors.cache import cached_read",
        "from pools.services import change_requests",
        "from django.conf import settings",
        "import django",
        "import django.conf",
        "from django.utils import timezone",
        "from django.utils.translations import gettext",
    ):
        assert check(rule, "pools/change_kinds/scale_pool.py", source), source
    allowed = (
        "from pools.core.errors import ApplicationError\nfrom pools.modelarts.vocabulary import POOL_RUNNING\n"
        "from django.utils.translation import gettext, gettext_lazy as _, ngettext\n"
        "import django.utils.translation\nfrom django.utils import translation\n"
    )
    assert check(rule, "pools/change_kinds/scale_pool.py", allowed) == set()


def test_core_importing_reads_or_writes_is_caught():
    rule = "core imports no reads or writes"
    assert check(rule, "pools/core/clients.py", "from pools.selectors.cache import cached_read")
    assert check(rule, "pools/core/clients.py", "from pools.services import connections")
    allowed = "from pools import crypto\nfrom pools.modelarts.client import ModelArtsClient\n"
    assert check(rule, "pools/core/clients.py", allowed) == set()


def test_lower_layers_importing_views_or_forms_are_caught():
    rule = "reads, writes and core import no views or forms"
    assert check(rule, "pools/services/x.py", "from pools.forms.pool_wizard import BasicsForm")
    assert check(rule, "pools/selectors/x.py", "from pools.views.links import pool_url")
    assert check(rule, "pools/core/x.py", "from pools import views")
    assert check(rule, "pools/forms/x.py", "from pools.views.links import pool_url") == set()


def test_lower_layers_importing_observability_are_caught():
    rule = "nothing below the views imports observability"
    source = "from pools.observability.request_ids import current_request_id"
    for path in ("pools/selectors/x.py", "pools/services/x.py", "pools/core/x.py", "pools/models/x.py"):
        assert check(rule, path, source) == {source}, path
    assert check(rule, "pools/core/x.py", "from pools.core import telemetry") == set()
    assert check(rule, "pools/views/x.py", source) == set()


def test_the_client_importing_django_or_the_rest_of_pools_is_caught():
    rule = "the client imports no Django, no metrics library and nothing else of pools"
    for source in (
        "from django.conf import settings",
        "import django",
        "from django_htmx.http import HttpResponseClientRedirect",
        "import environ",
        "from modelarts_admin import settings",
        "from pools.models import Connection",
        "from pools import crypto",
        "from pools.sandbox import Sandbox",
        "from prometheus_client import Counter",
        "import prometheus_client.multiprocess",
        "from pools.core import telemetry",
    ):
        assert check(rule, "pools/modelarts/x.py", source) == {source}, source
    allowed = (
        "import requests\nfrom pools.modelarts import signer\nfrom . import errors\nfrom .types import Pool\n"
    )
    assert check(rule, "pools/modelarts/x.py", allowed) == set()


def test_the_sandbox_importing_django_or_more_than_the_signer_is_caught():
    rule = "the sandbox imports no Django and of pools only the signer"
    for source in (
        "from django.utils import timezone",
        "from pools.modelarts.client import ModelArtsClient",
        "from pools.modelarts import types",
        "from pools import modelarts",
        "from pools.flavors import FLAVORS",
    ):
        assert check(rule, "pools/sandbox/x.py", source) == {source}, source
    allowed = (
        "from pools.modelarts import signer\nfrom pools.modelarts.signer import canonical_query\n"
        "import pools.modelarts.signer\nfrom pools.sandbox.store import Store\nfrom .clock import rfc3339\n"
    )
    assert check(rule, "pools/sandbox/x.py", allowed) == set()


def test_views_importing_the_client_are_caught_and_types_through_selectors_pass():
    rule = "views never import the client"
    assert check(rule, "pools/views/x.py", "from pools.modelarts.client import ModelArtsClient")
    assert check(rule, "pools/views/x.py", "from pools.modelarts.types import Pool")
    assert check(rule, "pools/views/x.py", "from pools import modelarts")
    assert check(rule, "pools/api/x.py", "from pools.modelarts.client import ModelArtsClient")
    allowed = "from pools.selectors.modelarts import Pool, pool_list\n"
    assert check(rule, "pools/views/x.py", allowed) == set()


def test_decrypting_anywhere_but_crypto_is_caught():
    rule = "only pools/crypto.py decrypts"
    assert check(rule, "pools/services/x.py", "from cryptography.fernet import Fernet") == {
        "from cryptography.fernet import Fernet"
    }
    assert check(rule, "pools/x.py", "from cryptography import fernet")
    assert check(rule, "pools/x.py", "import cryptography.fernet")
    assert check(rule, "pools/x.py", "def f(fernet, token):\n    return fernet.decrypt(token)\n") == {
        "calls fernet.decrypt()"
    }
    assert check(rule, "pools/x.py", "def f(keys, token):\n    return MultiFernet(keys).decrypt(token)\n")
    assert check(rule, "pools/x.py", "def f(f, token):\n    return f.decrypt_at_time(token, 60, 0)\n")
    # Asking pools/crypto.py for the plaintext is the one way to get it.
    allowed = (
        "from pools import crypto\nfrom pools.crypto import decrypt\nimport pools.crypto\n"
        "def f(token):\n    return crypto.decrypt(token), decrypt(token), pools.crypto.decrypt(token)\n"
    )
    assert check(rule, "pools/core/clients.py", allowed) == set()
    fernet = "from cryptography.fernet import MultiFernet\ndef f(m, t):\n    return m.decrypt(t)\n"
    assert check(rule, "pools/crypto.py", fernet) == set()


def test_writing_log_entries_anywhere_but_audit_is_caught():
    rule = "only pools/audit.py writes LogEntry rows"
    header = "from django.contrib.admin.models import LogEntry\n"
    for write in (
        "LogEntry.objects.create(user_id=1, action_flag=1)",
        "LogEntry.objects.log_actions(user_id=1, queryset=[], action_flag=1)",
        "LogEntry(user_id=1, action_flag=1).save()",
        "LogEntry.objects.filter(pk=1).update(change_message='')",
        "LogEntry.objects.filter(pk=1).delete()",
        "LogEntry.objects.bulk_create([])",
    ):
        assert check(rule, "pools/services/x.py", header + write), write
    aliased = (
        "from django.contrib.admin import models as admin_models\nadmin_models.LogEntry.objects.create()\n"
    )
    assert check(rule, "pools/x.py", aliased) == {"calls admin_models.LogEntry.objects.create()"}
    assert check(
        rule, "pools/admin.py", "def f(self, request, obj):\n    super().log_addition(request, obj, '')\n"
    )
    reads = header + "LogEntry.objects.filter(user_id=1).count()\nLogEntry.objects.order_by('-pk')[:5]\n"
    assert check(rule, "pools/signals.py", reads) == set()
    assert check(rule, "pools/audit.py", header + "LogEntry.objects.log_actions(user_id=1)") == set()


def test_the_changing_operations_are_read_off_the_client():
    assert {"create_pool", "delete_pool", "delete_nodes"} <= UPSTREAM_CHANGES
    assert not {"show_pool", "list_pools", "list_nodes", "iter_nodes"} & UPSTREAM_CHANGES


def test_changing_pools_anywhere_but_a_change_kind_is_caught():
    rule = "only change-request execution changes pools"
    for call in ("client.create_pool(body)", "client.delete_pool(name)", "c.delete_nodes(name, ['n1'])"):
        source = f"def f(client, c, body, name):\n    {call}\n"
        assert check(rule, "pools/views/x.py", source), call
        assert check(rule, "pools/services/change_requests/decisions.py", source), call
        assert check(rule, CHANGE_REQUEST_EXECUTION, source), call
        assert check(rule, "pools/change_kinds/delete_pool.py", source) == set(), call
    run = "def f(client, cr):\n    cr.change_kind.call(client, cr)\n"
    assert check(rule, "pools/services/change_requests/decisions.py", run)
    assert check(rule, CHANGE_REQUEST_EXECUTION, run) == set()
    reads = "def f(client):\n    client.show_pool('p')\n    client.list_nodes('p')\n"
    assert check(rule, "pools/selectors/x.py", reads) == set()
    assert check(rule, "pools/sandbox/x.py", "store.delete_pool('p')") == set()


def test_modules_over_the_size_limit_are_caught_and_migrations_are_not():
    rule = f"no module over {MODULE_MAX_LINES} lines"
    long = "x = 1\n" * (MODULE_MAX_LINES + 1)
    assert check(rule, "pools/services/x.py", long) == {f"over {MODULE_MAX_LINES} lines"}
    assert check(rule, "pools/services/x.py", "x = 1\n" * MODULE_MAX_LINES) == set()
    assert check(rule, "pools/migrations/0001_initial.py", long) == set()


def test_view_functions_over_the_size_limit_are_caught():
    rule = f"no view function over {VIEW_FUNCTION_MAX_LINES} lines"

    def view(name: str, body_lines: int) -> str:
        return f"@require_safe\ndef {name}(request):\n" + "    x = 1\n" * body_lines

    assert check(rule, "pools/views/x.py", view("long", VIEW_FUNCTION_MAX_LINES)) == {
        f"long() over {VIEW_FUNCTION_MAX_LINES} lines"
    }
    assert check(rule, "pools/views/x.py", view("short", VIEW_FUNCTION_MAX_LINES - 1)) == set()
    method = "class V:\n    async def get(self, request):\n" + "        x = 1\n" * VIEW_FUNCTION_MAX_LINES
    assert check(rule, "pools/views/x.py", method) == {f"get() over {VIEW_FUNCTION_MAX_LINES} lines"}
    assert check(rule, "pools/services/x.py", view("long", VIEW_FUNCTION_MAX_LINES)) == set()


# --- the same boundary at run time -------------------------------------------------------------------------


def test_importing_the_client_and_the_sandbox_loads_no_django():
    code = (
        "import sys, pools.modelarts.client, pools.modelarts.timerange, pools.modelarts.regions, pools.sandbox;"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
        "sys.exit(1 if loaded else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0


def test_importing_the_client_loads_no_metrics_library():
    code = (
        "import sys, pools.modelarts.client, pools.modelarts.observers;"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('prometheus_client', 'django_prometheus')];"
        "sys.exit(1 if loaded else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=False).returncode == 0
