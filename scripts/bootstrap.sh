#!/usr/bin/env bash
# Makes .venv with the project's dependencies; re-installs only when pyproject.toml changed.
# Usage: scripts/bootstrap.sh [test]   ("test" adds the test tools)
set -euo pipefail
cd "$(dirname "$0")/.."
extras="${1:-}"
python="${PYTHON:-python3}"

if [ ! -x .venv/bin/python ]; then
  if ! "$python" -m venv .venv 2>/dev/null; then
    # Debian ships venv separately; install it when we may.
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
      apt-get update -qq && apt-get install -y -qq python3-venv >/dev/null
    elif command -v sudo >/dev/null && command -v apt-get >/dev/null; then
      sudo apt-get update -qq && sudo apt-get install -y -qq python3-venv >/dev/null
    fi
    rm -rf .venv
    "$python" -m venv .venv
  fi
fi

stamp=".venv/.installed${extras:+-$extras}"
wanted="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$wanted" ]; then
  echo "Installing dependencies into .venv ..." >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip >/dev/null
  # Only the dependencies: the app runs from this folder and is not installed as a package.
  .venv/bin/python - "$extras" > .venv/requirements.txt <<'PY'
import sys
import tomllib

with open("pyproject.toml", "rb") as handle:
    project = tomllib.load(handle)["project"]
extras = sys.argv[1]
print("\n".join(project["dependencies"] + (project["optional-dependencies"][extras] if extras else [])))
PY
  .venv/bin/python -m pip install -q --disable-pip-version-check -r .venv/requirements.txt
  echo "$wanted" > "$stamp"
fi
