"""How far the CNN's scores move on a real photo under changes that should not matter (issue 4's sanity check):
a 10 % rescale, a 4° rotation and JPEG quality 70 (also 50–90, for context), each run through the app's face
finder and alignment; and the spread of each score over 8 frames that differ only by sensor noise (σ = 3), as
consecutive webcam frames do. Two real photos: scikit-image's astronaut (the photo issue 4 names, and the
generator's template face) and Grace Hopper's portrait (never seen in training). The astronaut check is also a
test (`tests/unit/test_cnn.py::test_cnn_scores_are_stable_on_a_real_photo`); this prints every figure.

python bench/cnn_stability.py [model folder, default: the bundled model]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

from desktop.ml.analyzer import ConcernModel
from desktop.ml.face import FaceFinder
from desktop.ml.infer import load_concern_model
from desktop.ml.scoring import cnn_weights
from training.stability import cnn_scores, noisy_frames, real_photos, variants


def main() -> None:
    model = load_concern_model(Path(sys.argv[1]) if len(sys.argv) > 1 else None)
    if model is None:
        raise SystemExit("no concern model could be loaded")
    finder = FaceFinder()
    learned = [c for c, w in cnn_weights(model.metrics).items() if w > 0]
    print(f"{model.name} {model.version}")
    for title, photo in real_photos().items():
        report(model, finder, title, photo, learned)


def report(model: ConcernModel, finder: FaceFinder, title: str, photo: np.ndarray, learned: list[str]) -> None:
    base = cnn_scores(model, finder, photo)
    print(f"\n{title}; scores: " + ", ".join(f"{c} {base[c]:.1f}" for c in learned))
    print(f"{'variant':<12} " + " ".join(f"{c[:11]:>11}" for c in learned) + "   worst")
    for name, rgb in variants(photo).items():
        moved = cnn_scores(model, finder, rgb)
        deltas = [moved[c] - base[c] for c in learned]
        print(f"{name:<12} " + " ".join(f"{d:>+11.1f}" for d in deltas) + f"   {max(abs(d) for d in deltas):.1f}")
    table = np.array([[s[c] for c in learned] for s in (cnn_scores(model, finder, f) for f in noisy_frames(photo))])
    spread = table.max(axis=0) - table.min(axis=0)
    print(f"{'noise 3 ×8':<12} " + " ".join(f"{d:>11.1f}" for d in spread) + f"   {spread.max():.1f}  (range)")


if __name__ == "__main__":
    main()
