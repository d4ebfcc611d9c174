"""Run the concern CNN in the app: ONNX Runtime when installed, else PyTorch; neither is imported until the
first analysis. Architecture, labels and preprocessing are read from the model file itself.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import numpy as np

from desktop.resources import resource

log = logging.getLogger(__name__)
MODEL_DIR = ("models",)
ONNX_NAME, TORCH_NAME = "skin_cnn.onnx", "skin_cnn.pt"
THREADS = 2


def _preprocess(face_rgb: np.ndarray, config: dict[str, Any]) -> np.ndarray:
    import cv2

    size = int(config["input_size"])
    crop = cv2.resize(face_rgb, (size, size), interpolation=cv2.INTER_AREA).astype(np.float32) / 255.0
    crop = (crop - np.array(config["mean"], np.float32)) / np.array(config["std"], np.float32)
    return np.ascontiguousarray(crop.transpose(2, 0, 1)[None])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic function; logits are clipped first so confident map pixels do not overflow exp()."""
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(x, -60.0, 60.0))))


def _with_flip(raw: Any, face_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Test-time augmentation: the mean of the face and its mirror image (the model was trained with flips).
    It damps the jitter of scores under small changes of the photo, for a second ~1.3 ms inference."""
    maps, scores, types = raw(face_rgb)
    f_maps, f_scores, f_types = raw(np.ascontiguousarray(face_rgb[:, ::-1]))
    return (maps + f_maps[..., ::-1]) / 2, (scores + f_scores) / 2, (types + f_types) / 2


def _outputs(maps: np.ndarray, scores: np.ndarray, types: np.ndarray, config: dict[str, Any]) -> dict[str, Any]:
    probs = np.exp(types[0] - types[0].max())
    probs /= probs.sum()
    return {
        "concerns": {c: round(float(v) * 100, 1) for c, v in zip(config["concerns"], _sigmoid(scores[0]), strict=True)},
        "maps": {c: _sigmoid(maps[0, i]).astype(np.float32) for i, c in enumerate(config["concerns"])},
        "skin_type": {t: round(float(p), 3) for t, p in zip(config["skin_types"], probs, strict=True)},
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
        self.config: dict[str, Any] = meta["config"]
        self.metrics: dict[str, Any] = meta.get("metrics", {})
        self.name, self.version = self.config["name"], self.config["version"]

    def raw(self, face_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        maps, scores, types = self._session.run(None, {"image": _preprocess(face_rgb, self.config)})
        return maps, scores, types

    def predict(self, face_rgb: np.ndarray) -> dict[str, Any]:
        return _outputs(*_with_flip(self.raw, face_rgb), self.config)


class TorchConcernModel:
    runtime = "torch"

    def __init__(self, path: Path) -> None:
        import torch

        from desktop.ml.model import ConcernNet

        torch.set_num_threads(THREADS)
        state = torch.load(path, map_location="cpu", weights_only=False)
        self.config = state["config"]
        self.metrics = state.get("metrics", {})
        self._model = ConcernNet(self.config)
        self._model.load_state_dict(state["state_dict"])
        self._model.eval()
        self.name, self.version = self.config["name"], self.config["version"]

    def raw(self, face_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        import torch

        with torch.no_grad():
            maps, scores, types = self._model(torch.from_numpy(_preprocess(face_rgb, self.config)))
        return maps.numpy(), scores.numpy(), types.numpy()

    def predict(self, face_rgb: np.ndarray) -> dict[str, Any]:
        return _outputs(*_with_flip(self.raw, face_rgb), self.config)


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
