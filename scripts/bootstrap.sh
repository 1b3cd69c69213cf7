#!/usr/bin/env bash
# Create .venv and install the project with its dev tools; re-install only when pyproject.toml changes.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  if ! command -v "$PYTHON" >/dev/null || ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
    echo "!! ModelArts Admin needs Python 3.11 or newer as '$PYTHON'." >&2
    echo "   Install one and run again with PYTHON=/path/to/python3.11 $0" >&2
    exit 1
  fi
  echo "==> creating .venv" >&2
  if ! "$PYTHON" -m venv .venv; then
    rm -rf .venv
    echo "!! '$PYTHON -m venv' failed. On Debian/Ubuntu: sudo apt-get install python3-venv" >&2
    exit 1
  fi
fi
stamp=.venv/.installed-$(sha256sum pyproject.toml | cut -c1-16)
if [ ! -f "$stamp" ]; then
  echo "==> installing dependencies into .venv (first run takes a minute)" >&2
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e '.[dev]'
  rm -f .venv/.installed-*
  touch "$stamp"
fi
