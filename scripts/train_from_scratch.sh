#!/usr/bin/env bash
# Train the concern CNN from random weights, in one command, on 2 cores in under an hour:
#   bash scripts/train_from_scratch.sh [OUT]   (default OUT: runs/scratch; needs ../shared/data/faces)
# Stage 1 trains from scratch on 4,000 composite pairs (synthetic faces and composites over the studio faces
# and the astronaut, 300 pairs held out by person) with the default one-cycle schedule; stage 2 gives it the
# bundled recipe's four consistency epochs at agreement weight 16. The stability check runs at the end: a run
# that fails it is not a model to ship. `scripts/train_bundled.sh` makes the bundled weights instead.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/scratch}"
py="${PYTHON:-.venv/bin/python}"
mkdir -p "$out"
"$py" -m training.train --out "$out/stage1" --train-samples 4000 --val-samples 300 --epochs 48 \
  --consistency-epochs 0
"$py" -m training.train --out "$out/stage2" --init "$out/stage1/skin_cnn.pt" --train-samples 4000 \
  --val-samples 300 --lr 1e-3 --epochs 0 --consistency-epochs 4 --agreement-weight 16
"$py" -m training.export "$out/stage2/skin_cnn.pt" --out "$out/model" --evaluate 1200 --version 2.0.0-scratch
"$py" bench/cnn_stability.py "$out/model"
echo "model in $out/model; score it on real photos with ../shared/dev-eval/score.py before shipping it"
