#!/usr/bin/env bash
# Installs what the app needs and starts it on the embedded SQLite default (./var/portal.db),
# seeding the demo on first start and printing its activation link.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
exec .venv/bin/python main.py "$@"
