#!/usr/bin/env bash
# Build the desktop app as a PyInstaller one-folder bundle in dist/skinlens, print its size, smoke-test it.
#   bash build_scripts/build.sh
# Uses the project's .venv (created by scripts/dev.sh setup) plus the build-only requirements.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
say() { printf '[build] %s\n' "$*" >&2; }

bash scripts/dev.sh setup
say "installing PyInstaller (requirements/build.txt)"
.venv/bin/python -m pip install -q --disable-pip-version-check -r requirements/build.txt -c requirements/constraints.txt
say "bundling (a few minutes on 2 cores)"
start=$(date +%s)
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller \
  build_scripts/skinlens.spec
say "bundled in $(( $(date +%s) - start )) s: dist/skinlens, $(du -sh dist/skinlens | cut -f1)"
say "smoke test on a clean environment (system python, no venv on PATH)"
/usr/bin/env -i PATH=/usr/bin:/bin python3 build_scripts/smoke_test.py dist/skinlens
say "archiving the bundle for download"
archive="dist/skinlens-$(.venv/bin/python -c 'import desktop; print(desktop.__version__)')-$(uname -s | tr A-Z a-z)-$(uname -m).tar.gz"
tar -C dist -czf "$archive" skinlens
say "download size: $(du -h "$archive" | cut -f1) ($archive)"
