#!/usr/bin/env bash
# SkinLens developer entry point. Idempotent: every step checks before it acts and says what it does.
#
#   bash scripts/dev.sh app      set up (once) and open the desktop app on its bundled demo catalog
#   bash scripts/dev.sh test     set up (once) and run the whole test suite (lint, types, layers, pytest)
#   bash scripts/dev.sh setup    only set up: system packages, .venv, Python packages
#
# System packages come from apt (when running as root, or with sudo when it is available); Python packages go
# into ./.venv. Nothing is downloaded at run time by the app itself.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
VENV="$ROOT/.venv"
PY="${PYTHON:-python3}"
cd "$ROOT"

say() { printf '[skinlens] %s\n' "$*" >&2; }

# Debian packages: PostgreSQL for the test suite's throwaway database, Xvfb and the xcb libraries that Qt's
# xcb platform plugin needs for a real (virtual) window, the GL/font libraries Qt loads even offscreen, and
# strace, with which the offline test sees every socket system call of the scan path, and poppler-utils (pdftoppm)
# so the report test renders the PDF it reads back.
APT_PACKAGES=(postgresql xvfb xauth strace poppler-utils libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-xkb1 libxkbcommon-x11-0 libxcb-cursor0 libxcb-shape0 libxcb-randr0 libegl1 libgl1
  libfontconfig1 libdbus-1-3 libglib2.0-0)

ensure_system_packages() {
  local missing=()
  for p in "${APT_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    say "system packages: all present"
    return
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo -n"; else
      say "missing system packages: ${missing[*]} (run as root: apt-get install -y ${missing[*]})"
      return
    fi
  fi
  say "installing system packages: ${missing[*]}"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

requirements_stamp() {
  cat requirements/*.txt pyproject.toml | sha256sum | cut -c1-16
}

ensure_venv() {
  if [ ! -x "$VENV/bin/python" ]; then
    say "creating virtual environment in .venv ($($PY --version))"
    "$PY" -m venv "$VENV"
  fi
  local stamp
  stamp="$(requirements_stamp)"
  if [ -f "$VENV/.skinlens-stamp" ] && [ "$(cat "$VENV/.skinlens-stamp")" = "$stamp" ]; then
    say "python packages: up to date"
    return
  fi
  say "installing python packages (pinned; torch $(grep -o 'torch==[0-9.]*' requirements/dev.txt))"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check \
    -r requirements/dev.txt -c requirements/constraints.txt
  say "installing mediapipe without its optional dependencies (see README: Dependency choices)"
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -r requirements/mediapipe.txt
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check --no-deps -e .
  echo "$stamp" > "$VENV/.skinlens-stamp"
}

setup() {
  ensure_system_packages
  ensure_venv
}

run_tests() {
  setup
  export PATH="$VENV/bin:$PATH"
  export QT_QPA_PLATFORM=offscreen
  say "ruff (lint)"
  ruff check .
  say "mypy (types)"
  mypy
  say "import-linter (layers)"
  lint-imports --no-cache
  say "pytest"
  set +e
  pytest "$@"
  local rc=$?
  set -e
  if [ $rc -eq 5 ]; then
    say "pytest collected no tests: that is a failure"
    exit 1
  fi
  exit $rc
}

run_app() {
  setup
  export PATH="$VENV/bin:$PATH"
  if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    say "no display found: starting on a virtual screen (Xvfb). Set DISPLAY to see the window."
    exec xvfb-run -a -s "-screen 0 1280x800x24" skinlens "$@"
  fi
  exec skinlens "$@"
}

case "${1:-}" in
  app) shift; run_app "$@" ;;
  test) shift; run_tests "$@" ;;
  setup) setup ;;
  *) echo "usage: bash scripts/dev.sh {app|test|setup} [args...]" >&2; exit 2 ;;
esac
