"""pools/modelarts imports nothing from Django or from the rest of pools."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "pools" / "modelarts"


def test_modules_import_only_their_own_package_from_pools():
    for module in PACKAGE.glob("*.py"):
        for node in ast.walk(ast.parse(module.read_text(), filename=str(module))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                assert not name.startswith("django"), f"{module.name} imports {name}"
                if name.startswith("pools"):
                    assert name.startswith("pools.modelarts"), f"{module.name} imports {name}"


def test_importing_the_client_loads_no_django():
    code = (
        "import sys, pools.modelarts.client, pools.modelarts.timerange, pools.modelarts.regions;"
        "loaded = [m for m in sys.modules if m == 'django' or m.startswith('django.')];"
        "sys.exit(1 if loaded else 0)"
    )
    root = PACKAGE.parents[1]
    assert subprocess.run([sys.executable, "-c", code], cwd=root, check=False).returncode == 0
