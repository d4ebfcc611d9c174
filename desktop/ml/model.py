"""What the concern CNN is, without torch: its architecture config and the preprocessing of its input.

The app's runtime (`infer.py`), the torch network (`network.py`) and the training code (`training/`) all take
both from here, so a model file, the network built from it and the batches it was trained on cannot disagree
about input size, label order or normalisation. A trained model carries its config (`ModelConfig.to_dict`)
in the checkpoint and in the ONNX file's metadata; the app reads it from there, never from `DEFAULT_CONFIG`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from typing import Any

import numpy as np

from desktop.ml.report import CONCERNS, SKIN_TYPES


@dataclass(frozen=True, kw_only=True)
class ModelConfig:
    """Architecture, labels and preprocessing of one trained model (field order = the order in model files)."""

    name: str
    version: str
    channels: tuple[int, ...]  # encoder widths: stem, then the /4, /8, /16 and /32 stages
    head_channels: int
    # A BatchNorm on the global head's input. Models trained before it existed have no such layer, and their
    # config no such key: a missing key reads as False, so they keep loading.
    pooled_norm: bool = False
    concerns: tuple[str, ...]  # score and heat-map order
    skin_types: tuple[str, ...]  # skin-type logit order
    input_size: int  # the aligned face crop is resized to input_size × input_size
    map_size: int  # heat maps are map_size × map_size (input_size / 4: the encoder's /4 stage)
    mean: tuple[float, float, float]  # per RGB channel, on pixel values scaled to 0..1
    std: tuple[float, float, float]

    def to_dict(self) -> dict[str, Any]:
        """The JSON form stored in checkpoints and ONNX metadata (lists, as JSON reads them back)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ModelConfig:
        """Read a stored config. Unknown keys are refused rather than ignored: a model that needs something
        this code does not do (another preprocessing step, another layer) must not load as if it did not."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"model config has keys this version does not know: {', '.join(unknown)}")
        missing = sorted(f.name for f in fields(cls) if f.name != "pooled_norm" and f.name not in data)
        if missing:
            raise ValueError(f"model config lacks {', '.join(missing)}")
        return cls(
            name=str(data["name"]), version=str(data["version"]),
            channels=tuple(int(c) for c in data["channels"]), head_channels=int(data["head_channels"]),
            pooled_norm=bool(data.get("pooled_norm", False)),
            concerns=tuple(str(c) for c in data["concerns"]), skin_types=tuple(str(t) for t in data["skin_types"]),
            input_size=int(data["input_size"]), map_size=int(data["map_size"]),
            mean=_triple(data["mean"]), std=_triple(data["std"]),
        )


def _triple(values: Sequence[float]) -> tuple[float, float, float]:
    if len(values) != 3:
        raise ValueError(f"expected one value per RGB channel, got {len(values)}")
    return float(values[0]), float(values[1]), float(values[2])


# The configuration `training` builds new models with. Input: eyes 64 px apart (the aligned crop at half
# size), about 1 px per mm of skin.
DEFAULT_CONFIG = ModelConfig(
    name="skinlens-cnn", version="1.9.0", channels=(16, 32, 48, 64, 96), head_channels=48, pooled_norm=True,
    concerns=tuple(CONCERNS), skin_types=tuple(SKIN_TYPES), input_size=192, map_size=48,
    mean=(0.5, 0.5, 0.5), std=(0.25, 0.25, 0.25),
)


def preprocess(images: np.ndarray | Sequence[np.ndarray], config: ModelConfig) -> np.ndarray:
    """RGB uint8 images (each H×W×3; a list of any sizes or an N×H×W×3 array) → the network's input.

    Each image is resized to `input_size` by area averaging (unless it has that size), scaled to 0..1 and
    normalised by the config's mean and std; the channels then move to axis 1: N×3×S×S float32. The result
    is a transposed view, so its memory stays in N×S×S×3 order ("channels last"): PyTorch's convolutions run
    in that order during training and their float sums depend on it. A runtime that wants dense N×3×S×S
    memory copies it (`np.ascontiguousarray`); the values are the same.
    """
    size = config.input_size
    if isinstance(images, np.ndarray) and images.ndim == 4 and images.shape[1:3] == (size, size):
        batch = images
    else:
        batch = np.stack([resized(image, config) for image in images])
    x = batch.astype(np.float32) / 255.0
    x = (x - np.array(config.mean, np.float32)) / np.array(config.std, np.float32)
    return x.transpose(0, 3, 1, 2)


def resized(image: np.ndarray, config: ModelConfig) -> np.ndarray:
    """One RGB uint8 image at the input size, as `preprocess` resizes it (training stores real photos so)."""
    size = config.input_size
    if image.shape[:2] == (size, size):
        return image
    import cv2

    return np.asarray(cv2.resize(image, (size, size), interpolation=cv2.INTER_AREA))
