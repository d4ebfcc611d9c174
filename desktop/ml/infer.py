"""Run the concern CNN in the app: ONNX Runtime when installed, else PyTorch; neither is imported until the
first analysis. Architecture, labels and preprocessing are read from the model file itself.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from desktop.ml.model import ModelConfig, preprocess
from desktop.resources import resource

log = logging.getLogger(__name__)
MODEL_DIR = ("models",)
ONNX_NAME, TORCH_NAME = "skin_cnn.onnx", "skin_cnn.pt"
THREADS = 2


# Test-time views (degrees, scale) of the aligned face; each is also mirrored. One batched run of the model.
VIEWS = ((0.0, 1.0), (0.0, 0.97), (0.0, 1.03), (-2.0, 1.0), (2.0, 1.0))


def _views(face_rgb: np.ndarray, config: ModelConfig) -> np.ndarray:
    """The face and slightly rescaled and rotated copies, each followed by its mirror image, preprocessed:
    a dense N×3×S×S batch.

    The scores are the mean over these views (the maps come from the first view and its mirror). A face is
    never framed the same way twice: the aligned crop of two photos of the same face differs by a few percent
    of scale and a degree or two, and a model trained on synthetic faces answers such changes with jumps on a
    real face it has never seen (MODEL_CARD.md). The mean over nearby framings steadies the score, in one
    batched run. Each view is mirrored after preprocessing, which is per pixel, so the mirror image is exactly
    that of the preprocessed view.
    """
    import cv2

    height, width = face_rgb.shape[:2]
    framings = []
    for angle, scale in VIEWS:
        view = face_rgb
        if angle or scale != 1.0:
            matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, scale)
            view = cv2.warpAffine(face_rgb, matrix, (width, height), flags=cv2.INTER_LINEAR,
                                  borderMode=cv2.BORDER_REFLECT)
        framings.append(view)
    x = preprocess(framings, config)
    batch = np.empty((2 * len(x), *x.shape[1:]), np.float32)
    batch[0::2], batch[1::2] = x, x[..., ::-1]
    return batch


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function; logits are clipped first so confident map pixels do not overflow exp()."""
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -60.0, 60.0))))


def _average(maps: np.ndarray, scores: np.ndarray, types: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maps: the face and its mirror image (flipped back); scores and skin type: the mean over every view."""
    return ((maps[:1] + maps[1:2, :, :, ::-1]) / 2, scores.mean(axis=0, keepdims=True),
            types.mean(axis=0, keepdims=True))


def _outputs(maps: np.ndarray, scores: np.ndarray, types: np.ndarray, config: ModelConfig) -> dict[str, Any]:
    probs = np.exp(types[0] - types[0].max())
    probs /= probs.sum()
    return {
        "concerns": {c: round(float(v) * 100, 1) for c, v in zip(config.concerns, _sigmoid(scores[0]), strict=True)},
        "maps": {c: _sigmoid(maps[0, i]).astype(np.float32) for i, c in enumerate(config.concerns)},
        "skin_type": {t: round(float(p), 3) for t, p in zip(config.skin_types, probs, strict=True)},
    }


class OnnxConcernModel:
    runtime = "onnxruntime"

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        meta = json.loads(self._session.get_modelmeta().custom_metadata_map["skinlens"])
        self.config = ModelConfig.from_dict(meta["config"])
        self.metrics: dict[str, Any] = meta.get("metrics", {})
        self.name, self.version = self.config.name, self.config.version

    def raw(self, face_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Logits (maps, scores, skin type) for every test-time view of the face."""
        maps, scores, types = self._session.run(None, {"image": _views(face_rgb, self.config)})
        return maps, scores, types

    def predict(self, face_rgb: np.ndarray) -> dict[str, Any]:
        return _outputs(*_average(*self.raw(face_rgb)), self.config)


class TorchConcernModel:
    runtime = "torch"

    def __init__(self, path: Path) -> None:
        import torch

        from desktop.ml.network import ConcernNet

        torch.set_num_threads(THREADS)
        state = torch.load(path, map_location="cpu", weights_only=False)
        self.config = ModelConfig.from_dict(state["config"])
        self.metrics = state.get("metrics", {})
        self._model = ConcernNet(self.config)
        self._model.load_state_dict(state["state_dict"])
        self._model.eval()
        self.name, self.version = self.config.name, self.config.version

    def raw(self, face_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Logits (maps, scores, skin type) for every test-time view of the face."""
        import torch

        with torch.no_grad():
            maps, scores, types = self._model(torch.from_numpy(_views(face_rgb, self.config)))
        return maps.numpy(), scores.numpy(), types.numpy()

    def predict(self, face_rgb: np.ndarray) -> dict[str, Any]:
        return _outputs(*_average(*self.raw(face_rgb)), self.config)


def load_concern_model(folder: Path | None = None, prefer: str = "onnxruntime") -> Any | None:
    """The bundled model through the best available runtime, or None (the app then uses measures only)."""
    folder = folder or resource(*MODEL_DIR)
    attempts = [(OnnxConcernModel, folder / ONNX_NAME), (TorchConcernModel, folder / TORCH_NAME)]
    if prefer == "torch":
        attempts.reverse()
    for kind, path in attempts:
        if not path.exists():
            continue
        try:
            return kind(path)
        except ImportError:
            continue
        except Exception:  # a damaged model file must not stop the app: measures still work
            log.exception("could not load the concern model %s", path)
    return None
