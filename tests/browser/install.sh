#!/usr/bin/env bash
# Installs playwright-core (the browser driver of the console's browser tests) into
# tests/browser/node_modules from package-lock.json. The browser itself is Debian's chromium
# (deploy/install-deps.sh --browser); playwright-core downloads nothing else.
set -euo pipefail
cd "$(dirname "$0")"
if [ -f node_modules/playwright-core/package.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then
  echo "tests/browser: playwright-core already installed"
  exit 0
fi
npm ci --no-audit --no-fund
