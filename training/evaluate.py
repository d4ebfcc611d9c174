"""How well a model does on held-out samples: the figures every epoch prints, checkpoints keep, the ONNX file
carries and the app's fusion weights come from (desktop/ml/scoring.cnn_weights)."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from desktop.ml.network import ConcernNet
from desktop.ml.report import CONCERNS
from training.batches import to_tensor

MONK_GROUPS = {"MST 1-3": (1, 3), "MST 4-6": (4, 6), "MST 7-10": (7, 10)}


@torch.no_grad()
def evaluate(model: ConcernNet, data: tuple[np.ndarray, ...]) -> dict[str, Any]:
    """Per-concern score MAE and map IoU, skin-type accuracy, and MAE per Monk group."""
    images, masks, scores, types, monk = data
    model.eval()
    preds, maps, type_preds = [], [], []
    for start in range(0, len(images), 128):
        m, s, t = model(to_tensor(images[start:start + 128], model.config))
        preds.append(torch.sigmoid(s).numpy() * 100)
        maps.append(torch.sigmoid(m).numpy())
        type_preds.append(t.argmax(1).numpy())
    pred, pred_maps, pred_types = np.concatenate(preds), np.concatenate(maps), np.concatenate(type_preds)
    error = np.abs(pred - scores)
    result: dict[str, Any] = {"samples": len(images), "mae": {}, "baseline_mae": {}, "iou": {}, "mae_by_monk": {}}
    for i, concern in enumerate(CONCERNS):
        result["mae"][concern] = round(float(np.mean(error[:, i])), 2)
        # what always answering the median score would achieve: the bar a learned concern must clear
        result["baseline_mae"][concern] = round(float(np.mean(np.abs(scores[:, i] - np.median(scores[:, i])))), 2)
        p, t = pred_maps[:, i] > 0.5, masks[:, i] > 0.5
        union = (p | t).reshape(len(p), -1).sum(1)
        inter = (p & t).reshape(len(p), -1).sum(1)
        seen = union > 0
        result["iou"][concern] = round(float(np.mean(inter[seen] / union[seen])), 3) if seen.any() else None
    for group, (low, high) in MONK_GROUPS.items():
        rows = (monk >= low) & (monk <= high)
        result["mae_by_monk"][group] = {c: round(float(np.mean(error[rows, i])), 2) for i, c in enumerate(CONCERNS)}
    result["monk_gap"] = {c: round(max(g[c] for g in result["mae_by_monk"].values())
                                   - min(g[c] for g in result["mae_by_monk"].values()), 2) for c in CONCERNS}
    result["skin_type_accuracy"] = round(float(np.mean(pred_types == types)), 3)
    return result
