#!/usr/bin/env bash
# Installs what the tests need (Chromium, PostgreSQL and Redis included, on a Debian-like machine) and runs the
# whole suite: lint; the service and UI tests on SQLite, then on PostgreSQL; then the browser tests in real
# Chromium (among them two instances on PostgreSQL and Redis). The PostgreSQL clusters and Redis servers are
# throwaway ones the tests start on free ports and remove afterwards (portal_testing/servers.py); nothing needs to run.
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

install_debian_packages() {
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
    sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
  else
    echo "Missing $*; install it (Debian: apt-get install $*)." >&2
    exit 1
  fi
}
missing=()
if [ -z "${PORTAL_PG_BIN:-}" ] && ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  missing+=(postgresql)
fi
command -v redis-server >/dev/null || missing+=(redis-server)
command -v haproxy >/dev/null || [ -x /usr/sbin/haproxy ] || missing+=(haproxy)  # the shipped proxy config's test
if [ "${#missing[@]}" -gt 0 ]; then
  echo "Installing ${missing[*]} (Debian packages) ..." >&2
  install_debian_packages "${missing[@]}"
fi

.venv/bin/ruff check .
.venv/bin/ruff format --check . >/dev/null || { .venv/bin/ruff format --diff . | head -50; exit 1; }
.venv/bin/mypy  # what it checks, and how strictly: [tool.mypy] in pyproject.toml
# The unit tests once in random order (pytest-randomly prints "Using --randomly-seed=N"; rerun a failure in
# that order with --randomly-seed=N), so that no test depends on another having run first (or not run);
# everything else in the file's order.
.venv/bin/python -m pytest tests/unit --db sqlite -p randomly "$@"
.venv/bin/python -m pytest tests/ui --db sqlite -p no:randomly "$@"
.venv/bin/python -m pytest tests/unit tests/ui --db postgresql -p no:randomly "$@"
# The browser tests wait on Chromium and on the server more than they compute: two workers (a module per
# worker, so that a module's server starts once) ran 102 of them in 416 s on two cores, where one process took 562 s
# for 95. PORTAL_TEST_WORKERS=0 runs them in this process.
.venv/bin/python -m pytest tests/e2e -n "${PORTAL_TEST_WORKERS:-2}" --dist loadscope -p no:randomly "$@"
