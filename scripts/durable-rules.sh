#!/usr/bin/env bash
# Usage: scripts/durable-rules.sh VENV_PYTHON
# On Python 3.13 and later, installs durable-rules 2.0.28 built from its PyPI sdist with the
# upstream fix (scripts/patches/durable-rules-2.0.28-py313.patch): the released build does
# not import there ("undefined symbol: PyEval_CallObject"). The sdist is checked against the
# SHA-256 below before it is built. On 3.11 and 3.12 it does nothing: the lock file's
# durable-rules (the same sdist, hash-checked by pip) works as released.
# The installed version is 2.0.28+py313 (a local version: `pip list` shows the build is
# patched, and it still satisfies the lock file's durable-rules==2.0.28).
set -euo pipefail

python=${1:?usage: $0 VENV_PYTHON}
here=$(cd "$(dirname "$0")" && pwd)
version=2.0.28
sdist=durable_rules-$version.tar.gz
sha256=053b26f5e48d312d4fa27995243f954671be6eece477f150c059c364eb4d7d61
patch_file=$here/patches/durable-rules-$version-py313.patch

if "$python" -c 'import sys; sys.exit(sys.version_info[:2] >= (3, 13))'; then
  exit 0  # 3.11, 3.12: the released build works
fi
if "$python" -c 'import durable.lang' 2>/dev/null; then
  exit 0  # already installed and importing
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "durable-rules: building $version with the Python 3.13 fix ($(basename "$patch_file"))"
"$python" -m pip download -q --disable-pip-version-check --no-deps --no-binary :all: \
  -d "$work" "durable-rules==$version"
echo "$sha256  $work/$sdist" | sha256sum --check --quiet - \
  || { echo "error: $sdist does not have the pinned SHA-256 $sha256" >&2; exit 1; }
tar -xzf "$work/$sdist" -C "$work"
src=$work/durable_rules-$version
patch --quiet --forward -p1 -d "$src" < "$patch_file"
sed -i "s/version = '$version'/version = '$version+py313'/" "$src/setup.py"
grep -q "version = '$version+py313'" "$src/setup.py" \
  || { echo "error: could not set the local version in $src/setup.py" >&2; exit 1; }
"$python" -m pip install -q --disable-pip-version-check --no-deps "$src"
"$python" -c 'import durable.lang' \
  || { echo "error: the patched durable-rules does not import" >&2; exit 1; }
