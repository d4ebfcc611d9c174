"""Pieces of the CNN's training recipe that a full training run would only show as better or worse figures:
the geometric jitter, the exposure change, the per-concern overlap loss, the start from base rates and the
normalised global head (with older checkpoints still loading)."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from desktop.ml.model import DEFAULT_CONFIG, ModelConfig
from desktop.ml.network import ConcernNet
from training.batches import GAIN_RANGE, GAIN_SHARE, LANDMARK_JITTER, augment, degrade, map_overlap_loss, shift_face
from training.priors import start_from_priors


def _centre(mask: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(mask)
    return np.array([ys.mean(), xs.mean()])


def test_jitter_moves_heat_maps_with_the_face() -> None:
    """A lesion and its label must stay together when the crop turns, scales and shifts."""
    image = np.full((192, 192, 3), 60, np.uint8)
    image[40:56, 136:152] = 250  # a bright lesion near a corner, where rotation and scale move it most
    masks = np.zeros((3, 48, 48), np.float32)
    masks[:, 10:14, 34:38] = 1.0  # its label on the map, 4× coarser
    masks[2] = np.nan  # a concern without a label stays unknown everywhere
    moved = []
    for seed in range(6):
        out, out_masks = shift_face(image, masks, np.random.default_rng(seed))
        lesion, label = _centre(out[..., 0] > 155) / 4, _centre(out_masks[0] > 0.5)
        label += 0.5 - 0.125  # map pixel centres in image pixels / 4, minus the image's half-pixel / 4
        assert np.abs(lesion - label).max() < 0.5, (seed, lesion, label)
        assert np.isnan(out_masks[2]).all() and out_masks.dtype == np.float32
        moved.append(np.abs(lesion - _centre(masks[0] > 0.5) - 0.375).max())
    assert max(moved) > 1.0  # the jitter did move the lesion by more than a map pixel
    assert masks[0].sum() == 16 and image.max() == 250  # inputs untouched


def test_augment_jitters_most_crops_unless_told_not_to() -> None:
    images = np.zeros((16, 64, 64, 3), np.uint8)
    images[:, 20:30, 20:30] = 200
    masks = np.zeros((16, 1, 16, 16), np.float32)
    jittered, _ = augment(images, masks, torch.Generator().manual_seed(0))
    still, _ = augment(images, masks, torch.Generator().manual_seed(0), jitter=False)  # the same flips
    # the camera degradations still re-encode the crop as a photo aligned from slightly moved landmarks
    shift, zoom, roll = LANDMARK_JITTER
    tolerance = 0.6 + shift + (zoom + np.radians(roll)) * 10  # the square's centre is 10 px from the crop's
    for i in range(16):  # without jitter the square stays where it was, or mirrored
        assert np.abs(_centre(still[i, ..., 0] > 100) - 24.5).max() < tolerance or \
            np.abs(_centre(still[i, ..., 0] > 100) - [24.5, 38.5]).max() < tolerance
    moved = [np.abs(_centre(jittered[i, ..., 0] > 100) - _centre(still[i, ..., 0] > 100)).max() for i in range(16)]
    assert sum(m > 1.0 for m in moved) >= 6, moved


def test_degrade_changes_the_exposure_of_some_crops_by_a_few_percent() -> None:
    """Shine is a contrast, not a level: the same face a few % brighter or darker keeps its labels."""
    rng = np.random.default_rng(3)
    grey = np.full((64, 64, 3), 120, np.uint8)  # flat: JPEG, blur and resampling leave its level alone
    ratios = np.array([degrade(grey, rng).astype(float).mean() / 120 for _ in range(200)])
    changed = np.abs(ratios - 1) > 0.005
    assert abs(changed.mean() - GAIN_SHARE) < 0.1
    assert np.abs(ratios - 1).max() <= GAIN_RANGE + 0.01
    assert (ratios > 1.05).any() and (ratios < 0.95).any()
    assert (grey == 120).all()  # the input is untouched


def test_overlap_loss_weighs_a_small_concern_like_a_large_one() -> None:
    target = torch.zeros(4, 2, 16, 16)
    target[:, 0, 2:4, 2:4] = 1.0  # a few spots: 4 pixels of 256
    target[:, 1, :, :8] = 1.0  # a red cheek: half the map
    perfect = torch.where(target > 0.5, 20.0, -20.0)
    assert map_overlap_loss(perfect, target).item() < 0.01
    missed_spots, missed_cheek = perfect.clone(), perfect.clone()
    missed_spots[:, 0] = -20.0
    missed_cheek[:, 1] = -20.0
    # missing the spots costs about what missing the cheek costs (in pixel-averaged BCE, 32 times less)
    assert map_overlap_loss(missed_spots, target).item() == pytest.approx(
        map_overlap_loss(missed_cheek, target).item(), abs=0.05)
    assert map_overlap_loss(missed_spots, target).item() > 0.45


def test_overlap_loss_skips_unknown_maps() -> None:
    target = torch.zeros(2, 2, 8, 8)
    target[0, 0, 1:3, 1:3] = 1.0
    target[1] = float("nan")  # a real photo: scores only, no maps
    target[:, 1] = float("nan")  # a concern no row labels
    logits = torch.where(torch.nan_to_num(target) > 0.5, 20.0, -20.0)
    logits[1] = 20.0  # whatever is predicted where nothing is known costs nothing
    loss = map_overlap_loss(logits, target)
    assert torch.isfinite(loss) and loss.item() < 0.01
    all_unknown = torch.full((1, 2, 8, 8), float("nan"))
    assert map_overlap_loss(torch.zeros(1, 2, 8, 8), all_unknown).item() == 0.0


def test_untrained_model_starts_at_the_base_rates() -> None:
    model = ConcernNet(DEFAULT_CONFIG).eval()
    n = len(DEFAULT_CONFIG.concerns)
    rates = torch.linspace(0.02, 0.5, n)
    means = torch.linspace(10.0, 60.0, n)
    start_from_priors(model, rates, means)
    with torch.no_grad():
        model.map_head[-1].weight.zero_()  # leave only the biases, to read them back through the outputs
        model.global_head[-1].weight.zero_()
        maps, scores, _ = model(torch.zeros(2, 3, 192, 192))
    assert torch.allclose(torch.sigmoid(maps).mean(dim=(0, 2, 3)), rates, atol=1e-5)
    assert torch.allclose(torch.sigmoid(scores).mean(dim=0) * 100, means, atol=1e-3)


def test_checkpoints_without_the_normalised_head_still_load() -> None:
    """The global head's BatchNorm came later; a stored config says whether a model has one (`pooled_norm`),
    and older configs lack the key."""
    old_config = ModelConfig.from_dict({k: v for k, v in DEFAULT_CONFIG.to_dict().items() if k != "pooled_norm"})
    assert not old_config.pooled_norm
    old, new = ConcernNet(old_config), ConcernNet(DEFAULT_CONFIG)
    assert len(new.state_dict()) > len(old.state_dict())
    ConcernNet(old_config).load_state_dict(old.state_dict())
    ConcernNet(ModelConfig.from_dict(DEFAULT_CONFIG.to_dict())).load_state_dict(new.state_dict())
    with pytest.raises(RuntimeError):
        ConcernNet(DEFAULT_CONFIG).load_state_dict(old.state_dict())


def test_consistency_pairs_derive_the_second_copy_from_the_first() -> None:
    """The agreement penalty must compare a face with itself after one of the stability check's changes:
    each second copy is close to its own first copy (and further from every other face's) but not equal."""
    from training.consistency import paired_copies

    rng = np.random.default_rng(3)
    base = np.clip(rng.normal(128, 40, (8, 64, 64, 3)), 0, 255).astype(np.uint8)
    base = np.stack([cv2_blur(image) for image in base])
    masks = np.zeros((8, 2, 16, 16), np.float16)
    both, both_masks = paired_copies(base, masks, torch.Generator().manual_seed(0))
    first, second = both[:8].astype(float), both[8:].astype(float)
    assert both.shape == (16, 64, 64, 3) and both_masks.shape == (16, 2, 16, 16)
    own = np.abs(first - second).mean(axis=(1, 2, 3))
    other = np.abs(first - np.roll(second, 1, axis=0)).mean(axis=(1, 2, 3))
    assert (own > 0).all(), "a second copy equal to its first gives the penalty nothing to learn from"
    # (a JPEG at a photo's scale of 0.45 blurs this fine noise a lot; two independent copies differ as much as
    # two faces do: median ratio about 0.7, several above 1)
    assert (own < 0.8 * other).all() and np.median(own / other) < 0.35, "the second copy is no longer derived"


def cv2_blur(image: np.ndarray) -> np.ndarray:
    import cv2

    return cv2.GaussianBlur(image, (0, 0), 2.0)


def test_training_jpeg_is_the_stability_checks_jpeg_at_the_photos_scale() -> None:
    """At the crop's own scale the training JPEG is byte for byte the check's (RGB encoded as RGB, not as BGR);
    at a smaller scale it is that JPEG of the smaller face, enlarged back, as a low-resolution photo reaches the
    CNN after alignment."""
    import cv2

    from training.batches import jpeg_at_scale
    from training.stability import jpeg

    rng = np.random.default_rng(5)
    image = cv2.GaussianBlur(np.clip(rng.normal(128, 60, (96, 96, 3)), 0, 255).astype(np.uint8), (0, 0), 1.0)
    image[..., 0] = np.clip(image[..., 0].astype(int) + 60, 0, 255)  # reddish, so swapped channels differ
    assert np.array_equal(jpeg_at_scale(image, 70, 1.0), jpeg(image, 70))
    small = cv2.resize(image, (48, 48), interpolation=cv2.INTER_AREA)
    expected = cv2.resize(jpeg(small, 70), (96, 96), interpolation=cv2.INTER_LINEAR)
    assert np.array_equal(jpeg_at_scale(image, 70, 0.5), expected)
    assert not np.array_equal(jpeg_at_scale(image, 70, 0.5), jpeg_at_scale(image, 70, 1.0))


def test_a_face_put_into_a_photo_frame_comes_back_where_it_was(monkeypatch: pytest.MonkeyPatch) -> None:
    """The photo frame (a tilt against the JPEG blocks, an offset to them, a smaller face) is undone by its
    inverse map: without the landmark error a mark returns to its own pixel, with it it moves by no more than
    that error; and the blocks fall differently on every draw."""
    import cv2

    import training.batches as batches

    image = np.full((192, 192, 3), 150, np.uint8)
    cv2.circle(image, (130, 70), 9, (240, 200, 190), -1)
    image = cv2.GaussianBlur(image, (0, 0), 2.0)

    def centre(rgb: np.ndarray) -> np.ndarray:
        weight = np.clip(rgb[..., 0].astype(float) - 160, 0, None)
        ys, xs = np.indices(weight.shape)
        return np.array([(xs * weight).sum(), (ys * weight).sum()]) / weight.sum()

    rng = np.random.default_rng(3)
    monkeypatch.setattr(batches, "LANDMARK_JITTER", (0.0, 0.0, 0.0))
    for scale in (1.0, 0.6):
        back = batches.jpeg_at_scale(image, None, scale, rng)
        assert np.linalg.norm(centre(back) - centre(image)) < 0.3
        assert np.abs(back.astype(int) - image)[16:-16, 16:-16].mean() < 2.0
    monkeypatch.setattr(batches, "LANDMARK_JITTER", (0.6, 0.012, 0.4))
    moved = [np.linalg.norm(centre(batches.jpeg_at_scale(image, None, 1.0, rng)) - centre(image)) for _ in range(20)]
    assert 0.05 < max(moved) < 0.6 * np.sqrt(2) + 0.012 * 60 + np.radians(0.4) * 60 + 0.3
    first, second = (batches.jpeg_at_scale(image, 70, 0.6, np.random.default_rng(seed)) for seed in (1, 2))
    assert not np.array_equal(first, second)
