"""Changes to a photo that should not change the CNN's scores: issue 4's sanity check on a real photo (a 10 %
rescale, a 4° rotation, JPEG quality 70) with neighbours for context, and consecutive webcam frames of a
still face (sensor noise). Shared by the test that enforces the check and the script that prints it.

Two real faces are available offline. The astronaut (NASA, public domain; scikit-image) is the one issue 4
names, but she is also the generator's template face, so her figures flatter the model. Grace Hopper's 1984
US Navy portrait (public domain; shipped in matplotlib's sample data) was never used in training: the
honest, unseen check."""

from __future__ import annotations

from pathlib import Path

import cv2
import numpy as np

from desktop.ml.align import align
from desktop.ml.analyzer import ConcernModel
from desktop.ml.face import FaceFinder

CHECKED = ("rescale 1.1", "rotate 4°", "JPEG 70")  # issue 4's criterion: every learned score within ±5


def real_photos() -> dict[str, np.ndarray]:
    """The real face photos on every machine with the app's dependencies, by name (RGB uint8)."""
    from matplotlib import cbook
    from skimage import data

    from desktop.ml.imaging import load_image

    hopper = load_image(Path(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))).rgb  # as the app reads a file
    return {"astronaut (training template)": np.asarray(data.astronaut()), "Grace Hopper (unseen)": hopper}


def jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    ok, encoded = cv2.imencode(".jpg", np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:
        raise ValueError("JPEG encoding failed")
    return np.ascontiguousarray(cv2.imdecode(encoded, cv2.IMREAD_COLOR)[..., ::-1])


def variants(rgb: np.ndarray) -> dict[str, np.ndarray]:
    height, width = rgb.shape[:2]
    rotation = cv2.getRotationMatrix2D((width / 2, height / 2), 4, 1.0)
    out = {"rescale 1.1": cv2.resize(rgb, None, fx=1.1, fy=1.1, interpolation=cv2.INTER_CUBIC),
           "rescale 0.9": cv2.resize(rgb, None, fx=0.9, fy=0.9, interpolation=cv2.INTER_AREA),
           "rotate 4°": cv2.warpAffine(rgb, rotation, (width, height), borderMode=cv2.BORDER_REFLECT)}
    out.update({f"JPEG {q}": jpeg(rgb, q) for q in (50, 60, 70, 80, 90)})
    return out


def noisy_frames(rgb: np.ndarray, count: int = 8, sigma: float = 3.0, seed: int = 0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.clip(rgb + rng.normal(0, sigma, rgb.shape), 0, 255).astype(np.uint8) for _ in range(count)]


def cnn_scores(model: ConcernModel, finder: FaceFinder, rgb: np.ndarray) -> dict[str, float]:
    """The CNN's concern scores on the face in `rgb`, aligned exactly as the app aligns it."""
    face = finder.find(rgb).face
    if face is None:
        raise ValueError("no face found")
    return dict(model.predict(align(rgb, face.landmarks).rgb)["concerns"])
