#!/usr/bin/env bash
# Mutation testing of the code that guards users (mutmut), one area at a time; not part of every CI run.
#
#   bash scripts/mutation.sh AREA [AREA ...]   recommend | imaging | sync_client | server | consent | all
#
# Sets up the .venv like scripts/dev.sh (mutmut is pinned in requirements/dev.txt), then runs
# scripts/mutation.py, which prints each area's score and where its surviving mutants' diffs are.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
bash scripts/dev.sh setup
exec "$ROOT/.venv/bin/python" scripts/mutation.py "$@"
