#!/usr/bin/env bash
# Install what the tests need, then run every test (browser tests skip when no chromium is installed).
# Extra arguments go to pytest, e.g. scripts/test.sh tests/modelarts -x
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/python -m pytest "$@"
