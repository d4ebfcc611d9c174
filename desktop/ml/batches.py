"""One training batch, shared by the main schedule (desktop.ml.train) and the consistency epochs
(desktop.ml.consistency): normalisation, the loss, the per-epoch augmentation and the progress bar."""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn

MAP_POS_WEIGHT = 5.0


def to_tensor(images: np.ndarray, config: dict[str, Any]) -> torch.Tensor:
    x = torch.from_numpy(images).permute(0, 3, 1, 2).float() / 255.0
    mean = torch.tensor(config["mean"]).view(1, 3, 1, 1)
    std = torch.tensor(config["std"]).view(1, 3, 1, 1)
    return (x - mean) / std


def losses(outputs: tuple[torch.Tensor, ...], masks: torch.Tensor, scores: torch.Tensor,
           types: torch.Tensor) -> torch.Tensor:
    """Heat maps: BCE with positives weighted up (lesions cover a few % of a map, so an all-zero map would
    otherwise be a cheap optimum); scores: smooth L1 on 0..1; skin type: cross-entropy. Unknown labels
    (NaN, -1) are skipped."""
    map_logits, score_logits, type_logits = outputs
    known_maps = ~torch.isnan(masks)
    map_loss = nn.functional.binary_cross_entropy_with_logits(
        map_logits[known_maps], masks[known_maps],
        pos_weight=torch.tensor(MAP_POS_WEIGHT)) if known_maps.any() else map_logits.sum() * 0
    known_scores = ~torch.isnan(scores)
    score_loss = nn.functional.smooth_l1_loss(torch.sigmoid(score_logits)[known_scores],
                                              scores[known_scores] / 100.0, beta=0.05)
    known_types = types >= 0
    type_loss = nn.functional.cross_entropy(type_logits[known_types], types[known_types]) \
        if known_types.any() else type_logits.sum() * 0
    return 2.0 * map_loss + 4.0 * score_loss + 0.3 * type_loss


def augment(images: np.ndarray, masks: np.ndarray, generator: torch.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal flips of image and heat maps together, then fresh camera degradations (`degrade`).

    The maps must flip with the image: a lesion on the left cheek is on the right cheek of the mirror image.
    (Version 1.0.0 flipped only the images, which taught the map head wrong positions for every asymmetric
    concern; dark spots and pores suffered most.)
    """
    flip = torch.rand(len(images), generator=generator).numpy() < 0.5
    out, out_masks = images.copy(), masks.copy()
    out[flip] = out[flip, :, ::-1]
    out_masks[flip] = out_masks[flip, :, :, ::-1]
    rng = np.random.default_rng(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))
    for i in range(len(out)):
        out[i] = degrade(out[i], rng)
    return out, out_masks


def degrade(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Fresh camera degradations every epoch (labels unchanged): a second JPEG pass, blur, fewer pixels.

    Rendered samples already carry one of each; drawing new ones per epoch teaches the model that a score
    must not move when the same face is re-encoded or resampled (issue 4's stability check on real photos).
    """
    import cv2

    size = image.shape[0]
    if rng.random() < 0.3:
        small = round(size * rng.uniform(0.6, 0.95))
        image = cv2.resize(cv2.resize(image, (small, small), interpolation=cv2.INTER_AREA), (size, size),
                           interpolation=cv2.INTER_LINEAR)
    if rng.random() < 0.3:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.3, 1.2))
    if rng.random() < 0.5:
        ok, encoded = cv2.imencode(".jpg", np.ascontiguousarray(image), [cv2.IMWRITE_JPEG_QUALITY,
                                                                          int(rng.integers(40, 96))])
        if ok:
            image = cv2.imdecode(encoded, cv2.IMREAD_UNCHANGED)
    return image


def bar(done: int, total: int, extra: str) -> None:
    filled = int(30 * done / total)
    print(f"\r  [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {extra}", end="", flush=True)
