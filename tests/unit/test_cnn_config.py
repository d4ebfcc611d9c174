"""The CNN's one description (desktop/ml/model.py): its config as stored in model files, and the one
preprocessing function that inference and training share."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from desktop.ml.model import DEFAULT_CONFIG, ModelConfig, preprocess, resized
from desktop.resources import resource


def _stored_configs() -> dict[str, dict[str, object]]:
    import onnx
    import torch

    meta = {p.key: p.value for p in onnx.load(str(resource("models", "skin_cnn.onnx"))).metadata_props}
    checkpoint = torch.load(resource("models", "skin_cnn.pt"), map_location="cpu", weights_only=False)
    return {"onnx": json.loads(meta["skinlens"])["config"], "pt": checkpoint["config"]}


def test_the_bundled_model_files_configs_read_and_write_back_unchanged() -> None:
    for kind, stored in _stored_configs().items():
        config = ModelConfig.from_dict(stored)
        assert config.to_dict() == stored, kind
        assert list(config.to_dict()) == list(stored), kind  # same key order: the same JSON in a new export
        assert json.loads(json.dumps(config.to_dict())) == stored, kind


def test_older_configs_load_and_unknown_or_missing_fields_are_refused() -> None:
    stored = DEFAULT_CONFIG.to_dict()
    older = {k: v for k, v in stored.items() if k != "pooled_norm"}  # before the global head's BatchNorm
    assert ModelConfig.from_dict(older).pooled_norm is False
    # a candidate model (1.3.0) blurred colour detail inside the network: this code cannot, so it must not load
    with pytest.raises(ValueError, match="chroma_sigma"):
        ModelConfig.from_dict({**stored, "chroma_sigma": 2.0})
    with pytest.raises(ValueError, match="input_size"):
        ModelConfig.from_dict({k: v for k, v in stored.items() if k != "input_size"})
    with pytest.raises(ValueError, match="RGB"):
        ModelConfig.from_dict({**stored, "mean": [0.5, 0.5]})


def test_preprocess_resizes_scales_normalises_and_puts_channels_first() -> None:
    config = DEFAULT_CONFIG
    size = config.input_size
    flat = np.zeros((2 * size, 2 * size, 3), np.uint8)
    flat[..., 0], flat[..., 1], flat[..., 2] = 0, 128, 255
    stripes = np.zeros((2 * size, 2 * size, 3), np.uint8)
    stripes[:, 1::2] = 255  # area averaging turns every 2 px (0, 255) into one 128
    small = np.full((size // 2, size // 2, 3), 64, np.uint8)
    x = preprocess([flat, stripes, small], config)
    assert x.shape == (3, 3, size, size) and x.dtype == np.float32
    def normalised(*values: int) -> np.ndarray:  # in float32, as the network's input is computed
        return (np.array(values, np.float32) / np.float32(255) - np.float32(0.5)) / np.float32(0.25)

    assert np.array_equal(x[0, :, 7, 9], normalised(0, 128, 255))
    assert np.all(x[1] == normalised(128)) and np.all(x[2] == normalised(64))
    # the memory stays channels-last (N×S×S×3): the order PyTorch's training convolutions run in
    assert x.strides[1] == 4 and x.strides[3] == 12


def test_inference_and_training_preprocess_a_face_to_the_same_bits(astronaut_rgb: np.ndarray) -> None:
    """The app's first test-time view and a training batch of the same crop are the same input, bit for bit;
    the second view is its mirror image."""
    import torch

    from desktop.ml.infer import _views
    from training.batches import to_tensor

    crop = np.ascontiguousarray(astronaut_rgb[20:404, 64:448])  # 384 px, as the aligned crop
    views = _views(crop, DEFAULT_CONFIG)
    assert views.flags.c_contiguous  # ONNX Runtime and the torch fallback get dense N×3×S×S
    batch = to_tensor(resized(crop, DEFAULT_CONFIG)[None], DEFAULT_CONFIG)
    assert batch.is_contiguous(memory_format=torch.channels_last)
    assert np.array_equal(views[0], batch[0].numpy())
    assert np.array_equal(views[1], batch[0].numpy()[:, :, ::-1])


def test_the_model_description_and_inference_import_no_torch() -> None:
    code = ("import sys, desktop.ml.model, desktop.ml.infer; "
            "print(sorted(m for m in ('torch', 'onnxruntime', 'training') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "[]"
