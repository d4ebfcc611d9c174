"""How far the CNN's scores move on a real photo under changes that should not matter (issue 4's sanity check):
a 10 % rescale, a 4° rotation and JPEG quality 70 (also 50–95, for context) of scikit-image's public-domain
astronaut photo, each run through the app's face finder and alignment; and the spread of each score over 8
frames that differ only by sensor noise (σ = 3), as consecutive webcam frames do. The same check is a test
(`tests/unit/test_cnn.py::test_cnn_scores_are_stable_on_a_real_photo`); this prints every figure.

python bench/cnn_stability.py [model folder, default: the bundled model]
"""

from __future__ import annotations

import sys
from pathlib import Path

import cv2
import numpy as np
from skimage import data

from desktop.ml.align import align
from desktop.ml.face import FaceFinder
from desktop.ml.infer import load_concern_model
from desktop.ml.scoring import cnn_weights


def _jpeg(rgb: np.ndarray, quality: int) -> np.ndarray:
    ok, encoded = cv2.imencode(".jpg", np.ascontiguousarray(rgb[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, quality])
    assert ok
    return np.ascontiguousarray(cv2.imdecode(encoded, cv2.IMREAD_COLOR)[..., ::-1])


def variants(rgb: np.ndarray) -> dict[str, np.ndarray]:
    out = {"rescale 1.1": cv2.resize(rgb, None, fx=1.1, fy=1.1, interpolation=cv2.INTER_CUBIC),
           "rescale 0.9": cv2.resize(rgb, None, fx=0.9, fy=0.9, interpolation=cv2.INTER_AREA),
           "rotate 4°": cv2.warpAffine(rgb, cv2.getRotationMatrix2D((256, 256), 4, 1.0), (512, 512),
                                       borderMode=cv2.BORDER_REFLECT)}
    out.update({f"JPEG {q}": _jpeg(rgb, q) for q in (50, 60, 70, 80, 90)})
    return out


def main() -> None:
    model = load_concern_model(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    if model is None:
        raise SystemExit("no concern model could be loaded")
    finder = FaceFinder()

    def scores(rgb: np.ndarray) -> dict[str, float]:
        face = finder.find(rgb).face
        if face is None:
            raise SystemExit("no face found in a variant")
        return dict(model.predict(align(rgb, face.landmarks).rgb)["concerns"])

    photo = np.asarray(data.astronaut())
    learned = [c for c, w in cnn_weights(model.metrics).items() if w > 0]
    base = scores(photo)
    print(f"{model.name} {model.version}; scores on the photo: " + ", ".join(f"{c} {base[c]:.1f}" for c in learned))
    print(f"{'variant':<12} " + " ".join(f"{c[:11]:>11}" for c in learned) + "   worst")
    for name, rgb in variants(photo).items():
        moved = scores(rgb)
        deltas = [moved[c] - base[c] for c in learned]
        print(f"{name:<12} " + " ".join(f"{d:>+11.1f}" for d in deltas) + f"   {max(abs(d) for d in deltas):.1f}")
    # consecutive webcam frames of a still face differ by sensor noise: the range of each score over 8 frames
    rng = np.random.default_rng(0)
    frames = [np.clip(photo + rng.normal(0, 3, photo.shape), 0, 255).astype(np.uint8) for _ in range(8)]
    table = np.array([[s[c] for c in learned] for s in map(scores, frames)])
    spread = table.max(axis=0) - table.min(axis=0)
    print(f"{'noise 3 ×8':<12} " + " ".join(f"{d:>11.1f}" for d in spread) + f"   {spread.max():.1f}  (range)")


if __name__ == "__main__":
    main()
