"""How well a model does on held-out samples (the held-out people's faces): the figures every epoch prints,
checkpoints keep, the ONNX file carries and the app's fusion weights come from (desktop/ml/scoring.cnn_weights).

Absolute errors are measured on the fully synthetic samples only, whose labels are exact. On composites (real
skin) only a pair's order is exact, so for them the figure is `pair_order`: of the pairs whose labels differ
by at least 10 points, the share the model puts in the right order."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from desktop.ml.network import ConcernNet
from desktop.ml.report import CONCERNS
from training.batches import to_tensor

MONK_GROUPS = {"MST 1-3": (1, 3), "MST 4-6": (4, 6), "MST 7-10": (7, 10)}
ORDER_GAP = 10.0


@torch.no_grad()
def predict(model: ConcernNet, images: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scores 0–100, map probabilities and skin-type indices of a stack of crops."""
    model.eval()
    preds, maps, type_preds = [], [], []
    for start in range(0, len(images), 128):
        m, s, t = model(to_tensor(images[start:start + 128], model.config))
        preds.append(torch.sigmoid(s).numpy() * 100)
        maps.append(torch.sigmoid(m).numpy())
        type_preds.append(t.argmax(1).numpy())
    return np.concatenate(preds), np.concatenate(maps), np.concatenate(type_preds)


def evaluate(model: ConcernNet, data: tuple[np.ndarray, ...]) -> dict[str, Any]:
    """Per-concern score MAE and map IoU, skin-type accuracy and MAE per Monk group (exact samples), and the
    pairs' order (composites)."""
    images, masks, scores, types, monk, composite = data
    pred, pred_maps, pred_types = predict(model, images)
    exact = ~composite
    result: dict[str, Any] = {"samples": int(exact.sum()), "composites": int(composite.sum()), "mae": {},
                              "baseline_mae": {}, "iou": {}, "mae_by_monk": {}, "pair_order": {}}
    error = np.abs(pred - scores)
    for i, concern in enumerate(CONCERNS):
        known = exact & ~np.isnan(scores[:, i])
        result["mae"][concern] = _round(np.mean(error[known, i])) if known.any() else None
        # what always answering the median score would achieve: the bar a learned concern must clear
        median = np.median(scores[known, i]) if known.any() else 0.0
        result["baseline_mae"][concern] = _round(np.mean(np.abs(scores[known, i] - median))) if known.any() else None
        result["iou"][concern] = _iou(pred_maps[known, i], masks[known, i].astype(np.float32))
        result["pair_order"][concern] = pair_order(pred[:, i], scores[:, i], composite)
    for group, (low, high) in MONK_GROUPS.items():
        rows = exact & (monk >= low) & (monk <= high)
        result["mae_by_monk"][group] = {c: _round(np.nanmean(error[rows, i])) if rows.any() else None
                                        for i, c in enumerate(CONCERNS)}
    result["monk_gap"] = {c: _gap([g[c] for g in result["mae_by_monk"].values()]) for c in CONCERNS}
    typed = exact & (types >= 0)
    result["skin_type_accuracy"] = _round(np.mean(pred_types[typed] == types[typed]), 3) if typed.any() else None
    return result


def pair_order(pred: np.ndarray, labels: np.ndarray, composite: np.ndarray) -> float | None:
    """Share of composite pairs (rows 2k, 2k + 1) with labels ORDER_GAP or more apart that the predictions
    order the same way."""
    first, second = slice(0, len(pred) - 1, 2), slice(1, len(pred), 2)
    gap = labels[first] - labels[second]
    usable = composite[first] & ~np.isnan(gap) & (np.abs(gap) >= ORDER_GAP)
    if not usable.any():
        return None
    return _round(np.mean(np.sign(pred[first] - pred[second])[usable] == np.sign(gap[usable])), 3)


def _iou(pred_maps: np.ndarray, masks: np.ndarray) -> float | None:
    if not len(pred_maps):
        return None
    p, t = pred_maps > 0.5, masks > 0.5
    union = (p | t).reshape(len(p), -1).sum(1)
    inter = (p & t).reshape(len(p), -1).sum(1)
    seen = union > 0
    return _round(np.mean(inter[seen] / union[seen]), 3) if seen.any() else None


def _gap(values: list[float | None]) -> float | None:
    known = [v for v in values if v is not None and not np.isnan(v)]
    return round(max(known) - min(known), 2) if known else None


def _round(value: float, digits: int = 2) -> float:
    return round(float(value), digits)
