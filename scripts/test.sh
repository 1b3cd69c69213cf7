#!/usr/bin/env bash
# Install what the tests need, then run every test (browser tests skip when no chromium is installed).
# Extra arguments go to pytest, e.g. scripts/test.sh tests/modelarts -x
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
# The single sign-on tests start a real OpenID Connect provider (npm oidc-provider, test-only).
idp=tests/sso/idp
if command -v npm >/dev/null; then
  idp_stamp=$idp/node_modules/.installed-$(sha256sum $idp/package-lock.json | cut -c1-16)
  if [ ! -f "$idp_stamp" ]; then
    echo "==> installing the test OpenID Connect provider into $idp/node_modules" >&2
    npm ci --prefix "$idp" --no-audit --no-fund --loglevel=error >&2
    touch "$idp_stamp"
  fi
else
  echo "!! no npm: the single sign-on tests will skip (install Node.js 20+ to run them)" >&2
fi
exec .venv/bin/python -m pytest "$@"
