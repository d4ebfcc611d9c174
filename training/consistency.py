"""Consistency epochs: the last stage of training, in which every face is seen twice per step.

Augmentation alone teaches the model the right score *on average* over camera degradations; a single
face can still move by several points between two JPEG encodings of itself, which is what a user sees when
they re-take a photo (issue 4's stability check: ±5 under rescaling, rotation and JPEG quality 70). Here each
batch goes through the network as two copies, both trained on the labels, plus a penalty on how far their
scores and skin-type probabilities disagree. The first copy is augmented as in the main schedule (flip, a
small rotation, scale and shift, resampling, blur, JPEG); the second is that same first copy put through one
of the check's own kinds of change (`stability_copy`). Two independently augmented copies differ in many
ways at once, so the penalty never isolated the exact changes the check applies; a derived copy does.
A step costs two passes, so this runs for a few epochs at a low learning rate after the main schedule
(`--consistency-epochs`, 6 by default).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from torch import nn

from desktop.ml.network import ConcernNet
from training.batches import PHOTO_SCALE, augment, bar, jpeg_at_scale, losses, minibatches, to_tensor, warp_face

AGREEMENT_WEIGHT = 4.0  # a disagreement costs as much as an error of the same size in the score loss
TYPE_AGREEMENT_WEIGHT = 0.3  # the skin-type loss's own weight
JPEG_QUALITY = (60, 80)  # the check re-encodes at 70
RESCALE = (0.85, 1.15)  # the check rescales by 10 %
ROTATION = 4.0  # degrees either way, as the check rotates


@dataclass(frozen=True)
class Plan:
    epochs: int  # consistency epochs in all
    lr: float  # peak learning rate (the main schedule's peak / 10 by default)
    batch: int  # faces per step; each goes through the network twice
    start: int = 0  # consistency epochs already done (when resuming)
    agreement_weight: float = AGREEMENT_WEIGHT  # what a disagreement of the scores costs
    optimizer_state: dict[str, Any] | None = None


def disagreement(outputs: tuple[torch.Tensor, ...], half: int, weight: float = AGREEMENT_WEIGHT) -> torch.Tensor:
    """Scores: smooth L1 between the two copies on 0..1; skin type: symmetric KL of the probabilities."""
    _, score_logits, type_logits = outputs
    first, second = torch.sigmoid(score_logits[:half]), torch.sigmoid(score_logits[half:])
    score_gap = nn.functional.smooth_l1_loss(first, second, beta=0.05)
    log_a = torch.log_softmax(type_logits[:half], 1)
    log_b = torch.log_softmax(type_logits[half:], 1)
    type_gap = 0.5 * (nn.functional.kl_div(log_a, log_b, log_target=True, reduction="batchmean")
                      + nn.functional.kl_div(log_b, log_a, log_target=True, reduction="batchmean"))
    return weight * score_gap + TYPE_AGREEMENT_WEIGHT * type_gap


def stability_copy(image: np.ndarray, masks: np.ndarray,
                   rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`image` (and its heat maps) after one of the stability check's kinds of change, drawn at random:
    a JPEG re-encoding, a rescale down-and-back (the resampling a rescaled photo goes through), or a small
    rotation. Only the rotation moves the maps; the other two leave every lesion where it was."""
    import cv2

    kind = int(rng.integers(3))
    if kind == 0:  # encoded at the scale of the photo the face came from (`jpeg_at_scale`)
        quality = int(rng.integers(JPEG_QUALITY[0], JPEG_QUALITY[1] + 1))
        scale = rng.uniform(*PHOTO_SCALE) if rng.random() < 0.7 else 1.0
        return jpeg_at_scale(image, quality, scale, rng), masks
    size = image.shape[0]
    if kind == 1:
        scaled = max(2, round(size * rng.uniform(*RESCALE)))
        down = cv2.resize(image, (scaled, scaled), interpolation=cv2.INTER_AREA if scaled < size
                          else cv2.INTER_CUBIC)
        return cv2.resize(down, (size, size), interpolation=cv2.INTER_LINEAR), masks
    return warp_face(image, masks, rng.uniform(-ROTATION, ROTATION), 1.0, np.zeros(2))


def paired_copies(images: np.ndarray, masks: np.ndarray,
                  generator: torch.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Both copies of a batch, stacked (first copies, then second): augmented, then each derived from it."""
    first, first_masks = augment(images, masks, generator)
    rng = np.random.default_rng(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))
    derived = [stability_copy(image, mask, rng) for image, mask in zip(first, first_masks, strict=True)]
    second = np.stack([image for image, _ in derived])
    second_masks = np.stack([mask for _, mask in derived]).astype(np.float32)
    return np.concatenate([first, second]), np.concatenate([first_masks, second_masks])


def run_epochs(model: ConcernNet, data: tuple[np.ndarray, ...], plan: Plan,
               generator: torch.Generator) -> Iterator[tuple[int, float, dict[str, Any]]]:
    """Train the consistency epochs after `plan.start`; yield (epoch, mean loss, optimizer state) after each.

    The learning rate follows a cosine from `plan.lr` to 0 over all consistency steps, as a function of the
    step, so a resumed run (`plan.start` > 0, `plan.optimizer_state`) continues on the same curve.
    """
    images, masks, scores, types, _, composite = data
    optimizer = torch.optim.AdamW(model.parameters(), lr=plan.lr, weight_decay=1e-4)
    if plan.optimizer_state is not None:
        optimizer.load_state_dict(plan.optimizer_state)
    steps = math.ceil(len(images) / plan.batch)
    for epoch in range(plan.start, plan.epochs):
        model.train()
        total = 0.0
        for step, idx in minibatches(len(images), plan.batch, generator):
            both, both_masks = paired_copies(images[idx], masks[idx], generator)
            outputs = model(to_tensor(both, model.config))
            loss = losses(outputs, torch.from_numpy(both_masks),
                          torch.from_numpy(np.concatenate([scores[idx], scores[idx]])),
                          torch.from_numpy(np.concatenate([types[idx], types[idx]])).long(),
                          torch.from_numpy(np.concatenate([composite[idx], composite[idx]])))
            loss = loss + disagreement(outputs, len(idx), plan.agreement_weight)
            progress = (epoch * steps + step) / (plan.epochs * steps)
            for group in optimizer.param_groups:
                group["lr"] = plan.lr * 0.5 * (1 + math.cos(math.pi * progress))
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item()
            bar(step + 1, steps, f"consistency epoch {epoch + 1} loss {total / (step + 1):.4f}")
        yield epoch + 1, round(total / steps, 4), optimizer.state_dict()
