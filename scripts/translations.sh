#!/usr/bin/env bash
# Update the Simplified Chinese catalogue (locale/zh_Hans/LC_MESSAGES/django.po) from the code and templates,
# then compile it to django.mo, which is committed. Needs GNU gettext (Debian/Ubuntu: apt-get install gettext).
# tests/i18n/test_catalogue.py reads the same sources.
set -euo pipefail
cd "$(dirname "$0")/.."
.venv/bin/python manage.py makemessages -l zh_Hans --no-location --no-obsolete \
  -i ".venv/*" -i "tests/*" -i "var/*" -i "scripts/*" -i "docs/*" -i "static/*" -i "node_modules/*" \
  -i "pools/sandbox/*" -i "pools/modelarts/*" -i "pools/migrations/*"
.venv/bin/python manage.py compilemessages -l zh_Hans -i .venv -i var -i node_modules
