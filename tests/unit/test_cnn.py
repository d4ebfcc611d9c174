"""The bundled concern CNN: self-describing, same outputs in both runtimes, stable on a real photo, lazily
loaded; and the synthetic generator and training CLI it comes from."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from desktop.ml.analyzer import Analyzer
from desktop.ml.infer import OnnxConcernModel, TorchConcernModel, load_concern_model
from desktop.ml.report import CONCERNS, SKIN_TYPES, SkinReport
from desktop.resources import resource
from training import synth


@pytest.fixture(scope="module")
def onnx_model() -> OnnxConcernModel:
    return OnnxConcernModel(resource("models", "skin_cnn.onnx"))


@pytest.fixture(scope="module")
def face_crop(astronaut_rgb: np.ndarray) -> np.ndarray:
    from desktop.ml.align import align
    from desktop.ml.face import FaceFinder

    face = FaceFinder().find(astronaut_rgb).face
    assert face is not None
    return align(astronaut_rgb, face.landmarks).rgb


def test_bundled_model_describes_itself_and_is_small(onnx_model: OnnxConcernModel) -> None:
    config = onnx_model.config
    assert config.concerns == CONCERNS and config.skin_types == SKIN_TYPES
    assert (config.input_size, config.map_size, config.mean, config.std) == (192, 48, (0.5,) * 3, (0.25,) * 3)
    assert config.name == "skinlens-cnn" and config.version and config.channels
    assert set(onnx_model.metrics["mae"]) == set(CONCERNS)
    total = sum(resource("models", n).stat().st_size for n in ("skin_cnn.onnx", "skin_cnn.pt"))
    assert total <= 10 * 2**20


def test_onnx_and_torch_give_the_same_outputs(onnx_model: OnnxConcernModel, face_crop: np.ndarray) -> None:
    torch_model = TorchConcernModel(resource("models", "skin_cnn.pt"))
    for a, b in zip(onnx_model.raw(face_crop), torch_model.raw(face_crop), strict=True):
        assert a.shape == b.shape
        # float32 logits reach tens: the two runtimes' kernels differ by a few ulp of that, so the bound is
        # relative as well as absolute (1e-4 of the value, at least 1e-4).
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


def test_scores_are_the_mean_over_mirrored_and_reframed_views(onnx_model: OnnxConcernModel,
                                                              face_crop: np.ndarray) -> None:
    from desktop.ml.infer import VIEWS, _sigmoid, _views

    batch = _views(face_crop, onnx_model.config)
    assert batch.shape[0] == 2 * len(VIEWS) and VIEWS[0] == (0.0, 1.0)
    assert np.array_equal(batch[1], batch[0][:, :, ::-1])  # every view is followed by its mirror image
    assert not np.allclose(batch[0], batch[2])  # the other framings differ
    maps, scores, types = onnx_model.raw(face_crop)
    out = onnx_model.predict(face_crop)
    mean = _sigmoid(scores.mean(axis=0)) * 100
    assert np.allclose([out["concerns"][c] for c in onnx_model.config.concerns], mean, atol=0.051)
    mean_types = types.mean(axis=0)
    probs = np.exp(mean_types - mean_types.max()) / np.exp(mean_types - mean_types.max()).sum()
    assert np.allclose([out["skin_type"][t] for t in onnx_model.config.skin_types], probs, atol=0.0006)
    heat = _sigmoid((maps[0] + maps[1][:, :, ::-1]) / 2)
    assert np.allclose(out["maps"][onnx_model.config.concerns[0]], heat[0], atol=1e-6)


def test_idle_inference_threads_sleep(onnx_model: OnnxConcernModel) -> None:
    """Between two photos ONNX Runtime's worker threads must not spin: on the 2-core target a spinning
    thread takes a core from the face search and the measures of the next photo."""
    options = onnx_model._session.get_session_options()
    assert options.get_session_config_entry("session.intra_op.allow_spinning") == "0"
    assert options.intra_op_num_threads == 2


def test_prediction_shapes(onnx_model: OnnxConcernModel, face_crop: np.ndarray) -> None:
    out = onnx_model.predict(face_crop)
    assert set(out["concerns"]) == set(CONCERNS) and all(0 <= v <= 100 for v in out["concerns"].values())
    assert sum(out["skin_type"].values()) == pytest.approx(1.0, abs=0.01)
    size = onnx_model.config.map_size
    assert all(m.shape == (size, size) and m.min() >= 0 and m.max() <= 1 for m in out["maps"].values())


def test_cnn_scores_are_stable_on_a_real_photo(astronaut_rgb: np.ndarray) -> None:
    """±5 under a 10 % rescale, a small rotation and JPEG quality 70 (issue 4's sanity check), for every
    concern the model has learned, i.e. every concern whose CNN score reaches the app (fusion weight > 0)."""
    from desktop.ml.scoring import cnn_weights
    from training.stability import CHECKED, cnn_scores, variants

    analyzer = Analyzer(model_loader=load_concern_model)
    model = analyzer.concern_model
    assert model is not None
    learned = [c for c, w in cnn_weights(model.metrics).items() if w > 0]
    assert len(learned) >= 3, cnn_weights(model.metrics)
    base = cnn_scores(model, analyzer.faces, astronaut_rgb)
    changed = variants(astronaut_rgb)
    for name in CHECKED:
        variant = cnn_scores(model, analyzer.faces, changed[name])
        for concern in learned:
            assert abs(variant[concern] - base[concern]) <= 5, (name, concern, base[concern], variant[concern])


def test_real_photos_for_the_stability_check_each_show_one_face() -> None:
    """bench/cnn_stability.py checks the astronaut and an unseen face (Grace Hopper, from matplotlib's sample
    data, which the pinned dependencies ship): both must load and be found by the app's face finder."""
    from desktop.ml.face import FaceFinder
    from training.stability import real_photos

    photos = real_photos()
    assert len(photos) == 2
    finder = FaceFinder()
    for name, rgb in photos.items():
        assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3, name
        assert finder.find(rgb).face is not None, name


def test_report_fuses_cnn_and_measures(astronaut_rgb: np.ndarray) -> None:
    report = Analyzer(model_loader=load_concern_model).analyze_array(astronaut_rgb)
    assert isinstance(report, SkinReport)
    assert report.model["name"].startswith("skinlens-cnn+")
    assert "cnn" in report.timings_ms
    assert all(v is not None for v in report.concerns.values())
    measured_only = Analyzer().analyze_array(astronaut_rgb)  # no model: the measures alone
    assert isinstance(measured_only, SkinReport) and "cnn" not in measured_only.timings_ms
    assert report.concerns != measured_only.concerns  # the CNN's scores reach the report


def test_app_start_imports_neither_torch_nor_onnxruntime(tmp_path: Path) -> None:
    code = ("import sys; from desktop.app import build_services; from desktop.settings import AppPaths; "
            f"build_services(AppPaths(__import__('pathlib').Path({str(tmp_path)!r}))); "
            "print(sorted(m for m in ('torch', 'onnxruntime') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_generator_is_seeded_and_covers_every_monk_tone() -> None:
    a, b = synth.render(7), synth.render(7)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.masks, b.masks)
    assert not np.array_equal(a.image, synth.render(8).image)
    samples = [synth.render(s) for s in range(60)]
    assert {s.monk for s in samples} >= set(range(2, 10))
    for s in samples:
        assert s.image.shape == (synth.SIZE, synth.SIZE, 3)
        # NaN marks what a crop cannot tell (no wrinkles on a close-up of a cheek, the far side of a side view)
        assert s.masks.shape == (len(CONCERNS), synth.MAP, synth.MAP)
        assert np.nanmin(s.masks) >= 0 and np.nanmax(s.masks) <= 1
        known = s.scores[~np.isnan(s.scores)]
        assert known.size and np.all((known >= 0) & (known <= 100))


def test_tone_curve_passes_through_the_monk_swatches() -> None:
    from desktop.ml.whitebalance import linear_to_srgb8

    for level in range(1, 11):
        rgb = linear_to_srgb8(np.exp(-synth.tone_od(level)))
        assert np.abs(rgb.astype(int) - synth.MONK_RGB[level - 1]).max() <= 1


def test_training_cli_runs_resumes_and_exports(tmp_path: Path) -> None:
    import torch

    from training import train

    args = ["--out", str(tmp_path / "run"), "--epochs", "1", "--faces", "", "--train-samples", "48",
            "--val-samples", "24", "--batch", "16", "--workers", "1", "--consistency-epochs", "0"]
    assert train.main(args) == 0
    resumed = [*args[:3], "2", *args[4:-1], "1", "--resume", "--export", str(tmp_path / "model")]
    assert train.main(resumed) == 0  # one more main epoch, then one consistency epoch
    metrics = json.loads((tmp_path / "run" / "metrics.json").read_text())
    assert metrics["epoch"] == 3 and metrics["stage"] == "consistency" and set(metrics["mae"]) == set(CONCERNS)
    history = torch.load(tmp_path / "run" / "last.pt", weights_only=False)["history"]
    assert [(h["epoch"], h["stage"]) for h in history] == [(1, "main"), (2, "main"), (3, "consistency")]
    exported = OnnxConcernModel(tmp_path / "model" / "skin_cnn.onnx")
    assert exported.config.input_size == synth.SIZE
    # the export CLI re-evaluates a checkpoint on held-out seeds and writes those figures into the file
    from training import export

    assert export.main([str(tmp_path / "run" / "last.pt"), "--out", str(tmp_path / "again"), "--evaluate", "8"]) == 0
    again = OnnxConcernModel(tmp_path / "again" / "skin_cnn.onnx")
    assert set(again.metrics["mae"]) == set(CONCERNS) and again.metrics != exported.metrics  # 8 samples, not 24
    grey = np.full((192, 192, 3), 128, np.uint8)
    assert np.array_equal(again.raw(grey)[1], exported.raw(grey)[1])  # the same weights (last.pt = the final model)


def test_training_can_start_from_a_checkpoint(tmp_path: Path) -> None:
    """--init fine-tunes given weights: at a vanishing learning rate the result stays on them."""
    import torch

    from training import train

    args = ["--epochs", "0", "--consistency-epochs", "1", "--train-samples", "16", "--val-samples", "8",
            "--batch", "16", "--workers", "1", "--lr", "1e-12", "--faces", ""]
    assert train.main(["--out", str(tmp_path / "a"), *args]) == 0
    start = tmp_path / "a" / "skin_cnn.pt"
    assert train.main(["--out", str(tmp_path / "b"), "--seed", "1", "--init", str(start), *args]) == 0
    assert train.main(["--out", str(tmp_path / "c"), "--seed", "1", *args]) == 0
    weights = {run: torch.load(tmp_path / run / "skin_cnn.pt", weights_only=False)["state_dict"] for run in "abc"}
    learned = [k for k in weights["a"] if "running_" not in k and "num_batches" not in k]  # (BatchNorm statistics
    # follow the data whatever the learning rate)
    assert all(torch.allclose(weights["a"][k], weights["b"][k], atol=1e-6) for k in learned)
    assert not all(torch.equal(weights["a"][k], weights["c"][k]) for k in learned)  # seed 1 from scratch
    with pytest.raises(SystemExit):
        train.main(["--out", str(tmp_path / "d"), "--epochs", "0", "--consistency-epochs", "0"])


def test_augmentation_flips_heat_maps_with_the_image() -> None:
    """A lesion drawn on the left must be labelled on the left of the mirrored sample too, whatever the
    added camera degradations do to the pixels."""
    import torch

    from training.batches import augment

    images = np.full((32, 32, 32, 3), 60, np.uint8)
    images[:, 12:20, 2:8] = 250  # a bright patch near the left edge
    masks = np.zeros((32, 2, 8, 8), np.float32)
    masks[:, :, 4, 1] = 1.0  # its label at the same place on the coarser map
    out, out_masks = augment(images, masks, torch.Generator().manual_seed(0), jitter=False)
    flipped = out[:, 12:20, 24:30].mean(axis=(1, 2, 3)) > out[:, 12:20, 2:8].mean(axis=(1, 2, 3))
    assert 0 < flipped.sum() < 32  # some samples flipped, some not
    assert np.all(out_masks[flipped, :, 4, 6] == 1.0) and np.all(out_masks[~flipped, :, 4, 1] == 1.0)
    assert images[:, 12:20, 2:8].min() == 250  # the inputs are not modified in place
    assert not np.array_equal(np.where(flipped[:, None, None, None], out[:, :, ::-1], out), images)  # degraded


def test_disagreement_between_two_copies_is_zero_only_when_they_agree() -> None:
    import torch

    from training.consistency import disagreement

    maps = torch.zeros(4, len(CONCERNS), 2, 2)
    scores = torch.tensor([[0.0] * len(CONCERNS), [1.0] * len(CONCERNS)] * 2, requires_grad=True)
    types = torch.tensor([[1.0, 0, 0, 0], [0, 2.0, 0, 0]] * 2, requires_grad=True)
    assert float(disagreement((maps, scores, types), 2)) == 0.0  # rows 0-1 repeat as rows 2-3
    moved = scores.detach().clone()
    moved[3] += 2.0
    apart = disagreement((maps, moved.requires_grad_(), types), 2)
    assert float(apart) > 0
    apart.backward()
    assert moved.grad is not None and moved.grad[1].abs().sum() > 0 and moved.grad[3].abs().sum() > 0  # both pulled
