"""The data a training run learns and is evaluated on: rendered synthetic samples and, for fine-tuning, a
labelled CSV of real photos. Both come as the same five arrays: images N×S×S×3 uint8, heat maps N×C×M×M
(NaN where unknown), scores N×C (NaN where unknown), skin types N (-1 where unknown) and Monk tones N.

The CSV (`--data labels.csv`) has one row per photo:

    image,acne,redness,dark_spots,wrinkles,pores,oiliness,dark_circles,texture,skin_type
    photos/0001.jpg,40,10,25,0,30,55,20,35,combination

Paths are relative to the CSV; scores are 0–100 (leave a cell empty when unknown: that score is not trained);
`skin_type` is one of oily, dry, normal, combination (or empty). Faces are found and aligned exactly as the
app does, so train and inference see the same crops. Real rows train scores and skin type, not heat maps.
"""

from __future__ import annotations

import csv
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from desktop.ml.model import DEFAULT_CONFIG, resized
from desktop.ml.report import CONCERNS, SKIN_TYPES
from training import synth

VAL_SEED_OFFSET = 10_000_000  # validation seeds never overlap training seeds


def render_range(start: int, stop: int) -> tuple[np.ndarray, ...]:
    return synth.dataset(range(start, stop))


def synthetic(count: int, offset: int, workers: int) -> tuple[np.ndarray, ...]:
    """Render samples in parallel processes (the generator is pure NumPy/OpenCV)."""
    chunk = max(1, count // (workers * 4))
    bounds = [(offset + i, offset + min(count, i + chunk)) for i in range(0, count, chunk)]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(render_range, *zip(*bounds, strict=True)))
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(5))


def real_rows(csv_path: Path) -> tuple[np.ndarray, ...]:
    """Aligned crops and labels from a labelled CSV (format: the module docstring); NaN marks unknown scores."""
    from desktop.ml.align import align
    from desktop.ml.face import FaceFinder
    from desktop.ml.imaging import ImageError, load_image

    finder, images, scores, types = FaceFinder(), [], [], []
    with csv_path.open(encoding="utf-8") as fh:
        for line, row in enumerate(csv.DictReader(fh), start=2):
            try:
                rgb = load_image(csv_path.parent / row["image"]).rgb
            except ImageError as exc:
                print(f"skipped line {line}: {exc.message}", file=sys.stderr)
                continue
            face = finder.find(rgb).face
            if face is None:
                print(f"skipped line {line}: no face found", file=sys.stderr)
                continue
            images.append(resized(align(rgb, face.landmarks).rgb, DEFAULT_CONFIG))
            scores.append([float(row[c]) if row.get(c, "").strip() else np.nan for c in CONCERNS])
            types.append(SKIN_TYPES.index(row["skin_type"]) if row.get("skin_type") in SKIN_TYPES else -1)
    n = len(images)
    size = DEFAULT_CONFIG.map_size
    return (np.stack(images), np.full((n, len(CONCERNS), size, size), np.nan, np.float32),
            np.array(scores, np.float32), np.array(types), np.zeros(n, int))
