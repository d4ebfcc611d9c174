"""One training batch, shared by the main schedule (training.train) and the consistency epochs
(training.consistency): normalisation, the loss, the per-epoch augmentation and the progress bar."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import torch
from torch import nn

from desktop.ml.model import ModelConfig, preprocess

MAP_POS_WEIGHT = 5.0
DICE_WEIGHT = 1.0
JITTER_SHARE = 0.7  # share of training crops that are rotated, scaled and shifted a little
GAIN_SHARE, GAIN_RANGE = 0.5, 0.1  # share of crops whose brightness is scaled, by up to ±10 %


def to_tensor(images: np.ndarray, config: ModelConfig) -> torch.Tensor:
    """A batch of crops as the network's input, preprocessed exactly as the app preprocesses a face."""
    return torch.from_numpy(preprocess(images, config))


def losses(outputs: tuple[torch.Tensor, ...], masks: torch.Tensor, scores: torch.Tensor,
           types: torch.Tensor) -> torch.Tensor:
    """Heat maps: BCE with positives weighted up (lesions cover a few % of a map, so an all-zero map would
    otherwise be a cheap optimum) plus a soft Dice loss per concern (`map_overlap_loss`); scores: smooth L1
    on 0..1; skin type: cross-entropy. Unknown labels (NaN, -1) are skipped."""
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
    return 2.0 * map_loss + DICE_WEIGHT * map_overlap_loss(map_logits, masks) + 4.0 * score_loss \
        + 0.3 * type_loss


def map_overlap_loss(map_logits: torch.Tensor, masks: torch.Tensor) -> torch.Tensor:
    """1 - soft Dice per concern over the batch, averaged over the concerns with a known map.

    Pixel-averaged BCE weighs a concern by its area: dark spots and papules cover about 1 % of a map, so
    their gradient drowns in that of redness and shine, and each small concern sits on a plateau (the
    all-zero map) for many epochs (MODEL_CARD.md). Dice is normalised by each concern's own area, so a few
    spots pull as hard as a red cheek.
    """
    known = ~torch.isnan(masks)
    probs = torch.sigmoid(map_logits) * known
    target = torch.nan_to_num(masks, 0.0)
    dims = (0, 2, 3)
    overlap = (probs * target).sum(dims)
    total = probs.sum(dims) + target.sum(dims)
    has_labels = known.any(dim=3).any(dim=2).any(dim=0)
    if not has_labels.any():
        return map_logits.sum() * 0
    dice = (2 * overlap + 1.0) / (total + 1.0)
    return (1 - dice[has_labels]).mean()


def minibatches(count: int, size: int, generator: torch.Generator) -> Iterator[tuple[int, np.ndarray]]:
    """One epoch: (step, sample indices) over a fresh random order of `count` samples, `size` at a time.

    Both training loops (the main schedule and the consistency epochs) draw their order here, from the run's
    seeded generator, so a resumed or repeated run sees the same batches.
    """
    order = torch.randperm(count, generator=generator).numpy()
    for step, start in enumerate(range(0, count, size)):
        yield step, order[start:start + size]


def augment(images: np.ndarray, masks: np.ndarray, generator: torch.Generator,
            jitter: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal flips of image and heat maps together, a small similarity jitter of both (`shift_face`),
    then fresh camera degradations (`degrade`).

    The maps must flip with the image: a lesion on the left cheek is on the right cheek of the mirror image,
    and flipping only the image teaches the map head wrong positions for every asymmetric concern.
    """
    flip = torch.rand(len(images), generator=generator).numpy() < 0.5
    out, out_masks = images.copy(), masks.copy()
    out[flip] = out[flip, :, ::-1]
    out_masks[flip] = out_masks[flip, :, :, ::-1]
    rng = np.random.default_rng(int(torch.randint(0, 2**31 - 1, (1,), generator=generator)))
    for i in range(len(out)):
        if jitter and rng.random() < JITTER_SHARE:
            out[i], out_masks[i] = shift_face(out[i], out_masks[i], rng)
        out[i] = degrade(out[i], rng)
    return out, out_masks


def shift_face(image: np.ndarray, masks: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Rotate (±4°), scale (±7 %) and shift (±3 px) a face crop and its heat maps by the same similarity.

    The app aligns a face from detected landmarks, and they land a little differently on every photo of the
    same face: tilt the camera by 4° or step back by 10 % and the crop the model sees turns or scales by a
    degree or a few %. A score must not follow (issue 4's stability check); without this jitter the model
    only ever sees the renderer's own framing (what it did for the scores: MODEL_CARD.md).
    """
    import cv2

    size, map_size = image.shape[0], masks.shape[-1]
    angle, scale = rng.uniform(-4, 4), rng.uniform(0.93, 1.07)
    shift = rng.uniform(-3, 3, 2)
    matrix = cv2.getRotationMatrix2D((size / 2, size / 2), angle, scale)
    matrix[:, 2] += shift
    out = cv2.warpAffine(image, matrix, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    map_matrix = cv2.getRotationMatrix2D((map_size / 2, map_size / 2), angle, scale)
    map_matrix[:, 2] += shift * map_size / size
    warped = cv2.warpAffine(np.ascontiguousarray(masks.transpose(1, 2, 0)), map_matrix, (map_size, map_size),
                            flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT_101)
    return out, warped.reshape(map_size, map_size, -1).transpose(2, 0, 1)


def degrade(image: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Fresh camera degradations every epoch (labels unchanged): exposure, a second JPEG pass, blur, fewer pixels.

    Rendered samples already carry one of each; drawing new ones per epoch teaches the model that a score
    must not move when the same face is re-encoded or resampled (issue 4's stability check on real photos).
    Exposure: two frames of one face differ by a few % of brightness, and a score must not follow (a model
    trained without this change did, on oiliness: MODEL_CARD.md); shine is a contrast, not a level.
    """
    import cv2

    size = image.shape[0]
    if rng.random() < GAIN_SHARE:
        image = np.clip(image * rng.uniform(1 - GAIN_RANGE, 1 + GAIN_RANGE), 0, 255).astype(np.uint8)
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
