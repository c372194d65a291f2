#!/usr/bin/env bash
# Installs what the app needs and starts the demo on the embedded SQLite default (./var/portal.db):
# PORTAL_DEMO=1 creates the database on first start, seeds the demo and prints its activation link.
# (Without it, `python main.py` serves only a database that exists; `python main.py init` creates one.)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/bootstrap.sh
PORTAL_DEMO="${PORTAL_DEMO:-1}" exec .venv/bin/python main.py "$@"
