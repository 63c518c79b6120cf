#!/usr/bin/env bash
# Prints the path of a working Python 3.11 or 3.12 with venv, or exits 1.
# A name on PATH is not enough: pyenv shims exist for versions that are not selected.
for candidate in python3.11 python3.12 python3 /usr/bin/python3.11 /usr/bin/python3.12 /usr/bin/python3; do
  path=$(command -v "$candidate" 2>/dev/null) || continue
  if "$path" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info[:2] not in ((3, 11), (3, 12)))' \
      >/dev/null 2>&1; then
    echo "$path"
    exit 0
  fi
done
exit 1
