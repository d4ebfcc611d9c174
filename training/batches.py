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
PAIR_WEIGHT = 4.0  # the pair's order weighs like the score loss
PAIR_MIN_GAP = 0.03  # label differences below 3 points count as the same amount
OVER_LABEL_WEIGHT = 0.2  # a composite scored above what was added (its own marks may be real)
OFF_LABEL_WEIGHT = 0.3  # a composite's map pixel off what was drawn
JITTER_SHARE = 0.7  # share of training crops that are rotated, scaled and shifted a little
GAIN_SHARE, GAIN_RANGE = 0.5, 0.1  # share of crops whose brightness is scaled, by up to ±10 %
PHOTO_SCALE = (0.45, 1.0)  # a face in a photo at 0.45–1 × the crop's pixels (the astronaut: 0.65)
PHOTO_ROLL = 12.0  # degrees: a face's tilt in its photo, which turns the JPEG blocks against the aligned crop
# how far re-encoding a photo at JPEG 70 moves the aligned crop through its landmarks: shift (crop pixels),
# relative scale, degrees (up to 0.9 px, 1.5 % and 0.4° on the two check photos and six studio faces)
LANDMARK_JITTER = (0.6, 0.012, 0.4)


def to_tensor(images: np.ndarray, config: ModelConfig) -> torch.Tensor:
    """A batch of crops as the network's input, preprocessed exactly as the app preprocesses a face."""
    return torch.from_numpy(preprocess(images, config))


def losses(outputs: tuple[torch.Tensor, ...], masks: torch.Tensor, scores: torch.Tensor,
           types: torch.Tensor, composite: torch.Tensor | None = None) -> torch.Tensor:
    """The loss of a batch whose rows come in pairs (rows 2k and 2k + 1: one base, framing and camera, with
    different amounts of each concern; `training.synth`).

    Heat maps: BCE with positives weighted up (lesions cover a few % of a map, so an all-zero map would
    otherwise be a cheap optimum) plus a soft Dice loss per concern (`map_overlap_loss`). Scores: smooth L1
    on 0..1 (`score_loss`) and the pair's order (`pair_loss`). Skin type: cross-entropy. Unknown labels
    (NaN, -1) are skipped.

    On a composite (`composite`, a real photo's skin) the labels are what was added, not what the skin shows
    (its own marks come on top), so they are a lower bound: a score below its label costs fully, one above
    it only `OVER_LABEL_WEIGHT` (the bases are mostly clear skin), and a map pixel off the drawn masks only
    `OFF_LABEL_WEIGHT`. What is exact on a composite is the pair's difference.
    """
    map_logits, score_logits, type_logits = outputs
    composite = composite if composite is not None else torch.zeros(len(scores), dtype=torch.bool)
    known_maps = ~torch.isnan(masks)
    target = torch.nan_to_num(masks, 0.0)
    weight = torch.where(composite[:, None, None, None] & (target < 0.5), OFF_LABEL_WEIGHT, 1.0) * known_maps
    map_loss = nn.functional.binary_cross_entropy_with_logits(
        map_logits, target, weight=weight, pos_weight=torch.tensor(MAP_POS_WEIGHT), reduction="sum",
    ) / known_maps.sum().clamp(min=1)
    known_types = types >= 0
    type_loss = nn.functional.cross_entropy(type_logits[known_types], types[known_types]) \
        if known_types.any() else type_logits.sum() * 0
    probs = torch.sigmoid(score_logits)
    return 2.0 * map_loss + DICE_WEIGHT * map_overlap_loss(map_logits, masks) \
        + 4.0 * score_loss(probs, scores, composite) + PAIR_WEIGHT * pair_loss(probs, scores) + 0.3 * type_loss


def score_loss(probs: torch.Tensor, scores: torch.Tensor, composite: torch.Tensor) -> torch.Tensor:
    """Smooth L1 on 0..1 against the labels; on composites a lower bound (see `losses`)."""
    known = ~torch.isnan(scores)
    error = probs - torch.nan_to_num(scores, 0.0) / 100.0
    each = nn.functional.smooth_l1_loss(error, torch.zeros_like(error), beta=0.05, reduction="none")
    weight = torch.where(composite[:, None] & (error > 0), OVER_LABEL_WEIGHT, 1.0) * known
    return (each * weight).sum() / known.sum().clamp(min=1)


def pair_loss(probs: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
    """Rows 2k and 2k + 1 share everything but the concerns drawn on them, so for every concern the one
    with more of it drawn truly shows more, whatever the base shows on its own: its score must be higher by
    at least half the labels' difference (a hinge); with the same amount drawn, the two scores must agree."""
    pairs = len(probs) // 2
    first, second = probs[0:2 * pairs:2], probs[1:2 * pairs:2]
    gap = (scores[0:2 * pairs:2] - scores[1:2 * pairs:2]) / 100.0
    known = ~torch.isnan(gap)
    gap = torch.nan_to_num(gap, 0.0)
    moved = first - second
    differ = gap.abs() >= PAIR_MIN_GAP
    ranked = torch.relu(0.5 * gap.abs() - torch.sign(gap) * moved)
    agree = nn.functional.smooth_l1_loss(moved, torch.zeros_like(moved), beta=0.05, reduction="none")
    each = torch.where(differ, ranked, agree) * known
    return each.sum() / known.sum().clamp(min=1)


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
    """One epoch: (step, sample indices) over a fresh random order of the `count // 2` pairs, `size` rows
    (`size // 2` pairs, each on two consecutive rows) at a time.

    Both training loops (the main schedule and the consistency epochs) draw their order here, from the run's
    seeded generator, so a resumed or repeated run sees the same batches.
    """
    order = torch.randperm(count // 2, generator=generator).numpy()
    per_step = max(1, size // 2)
    for step, start in enumerate(range(0, len(order), per_step)):
        pairs = order[start:start + per_step]
        yield step, np.stack([2 * pairs, 2 * pairs + 1], axis=1).reshape(-1)


def augment(images: np.ndarray, masks: np.ndarray, generator: torch.Generator,
            jitter: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Horizontal flips of image and heat maps together, a small similarity jitter of both (`shift_face`),
    then fresh camera degradations (`degrade`).

    The maps must flip with the image: a lesion on the left cheek is on the right cheek of the mirror image,
    and flipping only the image teaches the map head wrong positions for every asymmetric concern.
    """
    flip = torch.rand(len(images), generator=generator).numpy() < 0.5
    out, out_masks = images.copy(), masks.astype(np.float32)  # (stored as float16: a copy either way)
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
    angle, scale = rng.uniform(-4, 4), rng.uniform(0.93, 1.07)
    return warp_face(image, masks, angle, scale, rng.uniform(-3, 3, 2))


def warp_face(image: np.ndarray, masks: np.ndarray, angle: float, scale: float,
              shift: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One similarity (degrees, scale, shift in image pixels) applied to a face crop and, scaled to their size,
    to its heat maps."""
    import cv2

    size, map_size = image.shape[0], masks.shape[-1]
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

    if rng.random() < GAIN_SHARE:
        image = np.clip(image * rng.uniform(1 - GAIN_RANGE, 1 + GAIN_RANGE), 0, 255).astype(np.uint8)
    if rng.random() < 0.3:
        image = cv2.GaussianBlur(image, (0, 0), rng.uniform(0.3, 1.2))
    if rng.random() < 0.5:
        scale = rng.uniform(*PHOTO_SCALE) if rng.random() < 0.6 else 1.0
        image = jpeg_at_scale(image, int(rng.integers(40, 96)), scale, rng)
    elif rng.random() < 0.3:
        image = jpeg_at_scale(image, None, rng.uniform(0.6, 0.95), rng)
    return image


def jpeg_at_scale(image: np.ndarray, quality: int | None, scale: float,
                  rng: np.random.Generator | None = None) -> np.ndarray:
    """`image` (RGB) as a photo whose face filled `scale` times its pixels and was JPEG-encoded at that size
    (`quality`; None: not encoded), then resampled back as the app's alignment resamples it.

    A photo is compressed before the app finds and aligns its face: a low-resolution face (the astronaut's,
    a webcam's) is enlarged after its JPEG blocks were made, so the detail the encoding removed is coarser than
    in an encoding of the crop itself, and a model that only ever saw the crop's own JPEG has not learned to
    ignore it. With `rng` the face also lies in the photo as faces do (`photo_frame`): tilted against the 8×8
    block grid, at any offset to it, and aligned back from landmarks the encoding moved a little.
    """
    import cv2

    size = image.shape[0]
    small = max(8, round(size * scale))
    out = cv2.resize(image, (small, small), interpolation=cv2.INTER_AREA) if small != size else image
    if rng is not None:
        return photo_frame(out, size, quality, rng)
    if quality is not None:
        out = _jpeg(out, quality)
    return cv2.resize(out, (size, size), interpolation=cv2.INTER_LINEAR) if small != size else out


def photo_frame(small: np.ndarray, size: int, quality: int | None, rng: np.random.Generator) -> np.ndarray:
    """The face `small` (the crop shrunk to its size in the photo) turned by up to PHOTO_ROLL degrees at a
    random offset to the JPEG block grid, encoded, and warped back to `size` by the inverse map after a
    landmark error of up to LANDMARK_JITTER (shift in crop pixels, relative scale, degrees)."""
    import cv2

    k = small.shape[0] / size
    to_small = np.array([[k, 0, 0.5 * k - 0.5], [0, k, 0.5 * k - 0.5], [0, 0, 1]])  # pixel centres, as resize
    angle = rng.uniform(-PHOTO_ROLL, PHOTO_ROLL)
    turn = np.radians(angle)
    canvas = int(np.ceil(small.shape[0] * (abs(np.cos(turn)) + abs(np.sin(turn))))) + 16
    centre = (small.shape[0] - 1) / 2
    into_photo = np.vstack([cv2.getRotationMatrix2D((centre, centre), angle, 1.0), [0, 0, 1]])
    into_photo[:2, 2] += (canvas - 1) / 2 - centre + rng.uniform(0, 8, 2)
    photo = cv2.warpAffine(small, into_photo[:2], (canvas, canvas), flags=cv2.INTER_LINEAR,
                           borderMode=cv2.BORDER_REFLECT)
    if quality is not None:
        photo = _jpeg(photo, quality)
    shift, zoom, roll = LANDMARK_JITTER
    crop_centre = (size - 1) / 2
    error = np.vstack([cv2.getRotationMatrix2D((crop_centre, crop_centre), rng.uniform(-roll, roll),
                                               1 + rng.uniform(-zoom, zoom)), [0, 0, 1]])
    error[:2, 2] += rng.uniform(-shift, shift, 2)
    crop_to_photo = into_photo @ to_small @ error
    return cv2.warpAffine(photo, crop_to_photo[:2], (size, size), flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_REFLECT)


def _jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    """Encoded and decoded at `quality`; the input itself if OpenCV cannot encode it."""
    import cv2

    # OpenCV encodes BGR: an RGB array passed as is puts red where JPEG keeps blue
    ok, encoded = cv2.imencode(".jpg", np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, quality])
    return np.ascontiguousarray(cv2.imdecode(encoded, cv2.IMREAD_COLOR)[..., ::-1]) if ok else rgb


def bar(done: int, total: int, extra: str) -> None:
    filled = int(30 * done / total)
    print(f"\r  [{'#' * filled}{'.' * (30 - filled)}] {done}/{total} {extra}", end="", flush=True)
