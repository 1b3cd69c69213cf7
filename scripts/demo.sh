#!/usr/bin/env bash
# Start the dashboard on http://127.0.0.1:8000 over the local ModelArts sandbox with demo data and users.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/python manage.py demo "$@"
