#!/usr/bin/env bash
# Retrain the bundled CNN (skinlens-cnn 1.9.0) the way it was made, in one command:
#   bash scripts/train_bundled.sh [OUT]        (default OUT: runs/bundled; needs ../shared/data/faces)
# 1.9.0 starts from 1.8.0's weights (trained on synthetic faces on the astronaut's layout; kept in git), is
# fine-tuned on composites over the studio faces, then given four consistency epochs in which disagreeing
# under JPEG, rescaling or rotation costs four times the default. The stability check runs at the end: the
# check is close to its limit for these models, and a run that fails it is not a 1.9.0.
set -euo pipefail
cd "$(dirname "$0")/.."
out="${1:-runs/bundled}"
py="${PYTHON:-.venv/bin/python}"
mkdir -p "$out"
git show dd8e1a0:resources/models/skin_cnn.pt > "$out/init-1.8.0.pt"  # the last commit that bundled 1.8.0
common=(--train-samples 1600 --val-samples 300 --lr 1e-3)
"$py" -m training.train --out "$out/stage1" --init "$out/init-1.8.0.pt" "${common[@]}" --epochs 12 \
  --consistency-epochs 0
"$py" -m training.train --out "$out/stage2" --init "$out/stage1/skin_cnn.pt" "${common[@]}" --epochs 0 \
  --consistency-epochs 4 --agreement-weight 16
"$py" -m training.export "$out/stage2/skin_cnn.pt" --out "$out/model" --evaluate 1200 --version 1.9.0
"$py" bench/cnn_stability.py "$out/model"
echo "model in $out/model; score it on real photos with ../shared/dev-eval/score.py before shipping it"
