#!/usr/bin/env bash
# Installs what the tests need (Chromium included, on a Debian-like machine) and runs the whole suite:
# lint, service and UI tests in one pytest run, then the browser tests in real Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh test

chromium="${PORTAL_CHROMIUM:-}"
if [ -z "$chromium" ]; then
  chromium="$(command -v chromium || command -v chromium-browser || true)"
fi
if [ -z "$chromium" ]; then
  echo "Installing Chromium (Debian package) ..." >&2
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  else
    echo "No Chromium found and no apt-get to install it; set PORTAL_CHROMIUM to a Chromium binary." >&2
    exit 1
  fi
  chromium="$(command -v chromium)"
fi
export PORTAL_CHROMIUM="$chromium"

.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --diff . | head -50; exit 1; }
.venv/bin/python -m pytest tests/unit tests/ui "$@"
.venv/bin/python -m pytest tests/e2e "$@"
