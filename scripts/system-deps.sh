#!/usr/bin/env bash
# Installs the Debian packages the project needs, only if something is missing:
# a Python 3.11/3.12 with venv (3.13+ only with PYTHON=..., see README), gcc and
# Python headers (durable-rules builds from source), patch (its 3.13 fix), graphviz's `dot` (diagrams),
# Debian's PostgreSQL server (the storage tests start a throwaway one: tests/pg.py),
# Debian's chromium (the web browser tests drive it with Playwright: tests/test_web_browser.py).
set -euo pipefail

here=$(dirname "$0")
need=()
if ! "$here/find-python.sh" >/dev/null; then
  need+=(python3 python3-venv python3-dev)
fi
command -v gcc >/dev/null || need+=(gcc)
command -v patch >/dev/null || need+=(patch)
command -v dot >/dev/null || need+=(graphviz)
compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || need+=(postgresql)
test -x /usr/bin/chromium || need+=(chromium)

if [ ${#need[@]} -eq 0 ]; then
  exit 0
fi
echo "installing system packages: ${need[*]}"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "error: need root (or sudo) to apt-get install ${need[*]}" >&2; exit 1; }
  sudo="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq "${need[@]}" >/dev/null
