"""Run the concern CNN in the app: ONNX Runtime when installed, else PyTorch; neither is imported until the
first analysis. Architecture, labels and preprocessing are read from the model file itself, and so is what
the model may be used for: the views it was trained on (`views`) and what it has shown on real photos
(`real_photos`: per output "validated" or "estimate", and whether the skin type may come from the photo).
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
FRONT_ONLY = ("front",)  # what a model file that does not say which views it knows was trained on
SQUARE = 1.15  # crops longer than this × their width (or the reverse) are scored in square tiles


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


def tiles(height: int, width: int) -> list[tuple[int, int, int]]:
    """Square tiles (top, left, side) covering an image that is not square, overlapping evenly: a
    close-up's crop has the photo's shape, and squeezing it into the model's square input would stretch
    every lesion and pore."""
    side = min(height, width)
    count = int(np.ceil(max(height, width) / side))
    starts = np.linspace(0, max(height, width) - side, count).round().astype(int)
    return [(int(s), 0, side) if height > width else (0, int(s), side) for s in starts]


def _tiled(raw: Any, crop: np.ndarray, config: ModelConfig) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Maps, scores and skin-type logits of a crop that is not square: the mean over its square tiles (each
    with its mirror image), the maps put back where each tile lies (overlaps averaged), at the model's map
    resolution per tile side."""
    height, width = crop.shape[:2]
    boxes = tiles(height, width)
    x = preprocess([crop[t:t + s, left:left + s] for t, left, s in boxes], config)
    batch = np.empty((2 * len(x), *x.shape[1:]), np.float32)
    batch[0::2], batch[1::2] = x, x[..., ::-1]
    maps, scores, types = raw(batch)
    size = config.map_size
    per_px = size / boxes[0][2]
    canvas = np.zeros((maps.shape[1], max(size, round(height * per_px)), max(size, round(width * per_px))), np.float32)
    count = np.zeros(canvas.shape[1:], np.float32)
    for i, (top, left, _) in enumerate(boxes):
        y, x0 = round(top * per_px), round(left * per_px)
        tile = (maps[2 * i] + maps[2 * i + 1][:, :, ::-1]) / 2
        canvas[:, y:y + size, x0:x0 + size] += tile[:, :canvas.shape[1] - y, :canvas.shape[2] - x0]
        count[y:y + size, x0:x0 + size] += 1
    return (canvas / np.maximum(count, 1))[None], scores.mean(axis=0, keepdims=True), types.mean(axis=0, keepdims=True)


def _batch(crop: np.ndarray, config: ModelConfig, run: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The averaged logits of a crop: the test-time views of a square crop, the tiles of any other."""
    height, width = crop.shape[:2]
    if max(height, width) > SQUARE * min(height, width):
        return _tiled(run, crop, config)
    return _average(*run(_views(crop, config)))


class ModelFile:
    """What every runtime reads from a model file besides its weights."""

    def __init__(self, meta: dict[str, Any]) -> None:
        self.config = ModelConfig.from_dict(meta["config"])
        self.metrics: dict[str, Any] = meta.get("metrics", {})
        self.views: tuple[str, ...] = tuple(meta.get("views", FRONT_ONLY))
        self.real_photos: dict[str, Any] = meta.get("real_photos", {})
        self.name, self.version = self.config.name, self.config.version

    @property
    def skin_type_from_photo(self) -> bool:
        """True only when the skin type from the photo has beaten chance on real photos (its model card)."""
        return self.real_photos.get("status", {}).get("skin_type") == "photo"


class OnnxConcernModel(ModelFile):
    runtime = "onnxruntime"

    def __init__(self, path: Path) -> None:
        import onnxruntime as ort

        options = ort.SessionOptions()
        options.intra_op_num_threads = THREADS
        options.inter_op_num_threads = 1
        # idle worker threads sleep instead of spinning: on a shared 2-core machine a spinning thread takes a
        # core from the face search and the measures that run between two inferences
        options.add_session_config_entry("session.intra_op.allow_spinning", "0")
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        super().__init__(json.loads(self._session.get_modelmeta().custom_metadata_map["skinlens"]))

    def _run(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        maps, scores, types = self._session.run(None, {"image": np.ascontiguousarray(batch)})
        return maps, scores, types

    def raw(self, face_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Logits (maps, scores, skin type) for every test-time view of the face."""
        return self._run(_views(face_rgb, self.config))

    def predict(self, face_rgb: np.ndarray) -> dict[str, Any]:
        """Scores, maps and skin type of a crop: the aligned face of a front or side view, or a close-up's
        crop (any shape)."""
        return _outputs(*_batch(face_rgb, self.config, self._run), self.config)


class TorchConcernModel(ModelFile):
    runtime = "torch"

    def __init__(self, path: Path) -> None:
        import torch

        from desktop.ml.network import ConcernNet

        torch.set_num_threads(THREADS)
        state = torch.load(path, map_location="cpu", weights_only=False)
        super().__init__(state)
        self._model = ConcernNet(self.config)
        self._model.load_state_dict(state["state_dict"])
        self._model.eval()

    def _run(self, batch: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        import torch

        with torch.no_grad():
            maps, scores, types = self._model(torch.from_numpy(np.ascontiguousarray(batch)))
        return maps.numpy(), scores.numpy(), types.numpy()

    def raw(self, face_rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Logits (maps, scores, skin type) for every test-time view of the face."""
        return self._run(_views(face_rgb, self.config))

    def predict(self, face_rgb: np.ndarray) -> dict[str, Any]:
        """As `OnnxConcernModel.predict`."""
        return _outputs(*_batch(face_rgb, self.config, self._run), self.config)


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
