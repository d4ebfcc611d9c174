"""The data a training run learns and is evaluated on: rendered pairs of samples (`training.synth`) on the
real faces of `training.bases`, and, for fine-tuning, a labelled CSV of real photos. Both come as the same
six arrays, pairs on consecutive rows: images N×S×S×3 uint8, heat maps N×C×M×M (float16, NaN where unknown),
scores N×C (NaN where unknown), skin types N (-1 where unknown), Monk tones N, and whether a row is a
composite on a real photo's skin (its labels are then a lower bound; `training.batches.losses`).

The CSV (`--data labels.csv`) has one row per photo:

    image,acne,redness,dark_spots,wrinkles,pores,oiliness,dark_circles,texture,skin_type
    photos/0001.jpg,40,10,25,0,30,55,20,35,combination

Paths are relative to the CSV; scores are 0–100 (leave a cell empty when unknown: that score is not trained);
`skin_type` is one of oily, dry, normal, combination (or empty). Faces are found and aligned exactly as the
app does, so train and inference see the same crops. Real rows train scores and skin type, not heat maps;
each is its own pair partner (two augmentations of one photo must agree).
"""

from __future__ import annotations

import csv
import multiprocessing
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

from desktop.ml.model import DEFAULT_CONFIG, resized
from desktop.ml.report import CONCERNS, SKIN_TYPES
from training import synth
from training.bases import load_bases, read_bases, split_by_person

VAL_SEED_OFFSET = 10_000_000  # validation seeds never overlap training seeds
VAL_SHARE = 0.15  # of the people in the faces set, held out for validation


def render_range(start: int, stop: int) -> tuple[np.ndarray, ...]:
    return synth.dataset(range(start, stop))


def _use_bases(cache: str | None, validation: bool | None, share: float) -> None:
    """Process initialiser: the bases a rendering process draws on (from the cache `prepare_bases` wrote)."""
    bases = load_bases(None) if cache is None else read_bases(Path(cache))
    if validation is not None:
        train, val = split_by_person(bases, share)
        bases = val if validation else train
    synth.use_bases(bases)


def synthetic(pairs: int, offset: int, workers: int, cache: Path | None = None, validation: bool | None = None,
              share: float = VAL_SHARE) -> tuple[np.ndarray, ...]:
    """Render `pairs` pairs (2 × pairs rows) in parallel processes, on the bases cached at `cache` (None: the
    astronaut alone); `validation` True/False: only the held-out/training people (`bases.split_by_person`)."""
    chunk = max(1, pairs // (workers * 4))
    bounds = [(offset + i, offset + min(pairs, i + chunk)) for i in range(0, pairs, chunk)]
    setup = (str(cache) if cache is not None else None, validation, share)
    # spawned, not forked: a fork copies a parent's running face-model and Qt threads (the test process has
    # both), and the child finding a face on the astronaut then crashed
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=workers, mp_context=spawn, initializer=_use_bases, initargs=setup) as pool:
        parts = list(pool.map(render_range, *zip(*bounds, strict=True)))
    return tuple(np.concatenate([p[i] for p in parts]) for i in range(6))


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
    rows = (np.stack(images), np.full((n, len(CONCERNS), size, size), np.nan, np.float16),
            np.array(scores, np.float32), np.array(types), np.zeros(n, int), np.zeros(n, bool))
    return tuple(np.repeat(a, 2, axis=0) for a in rows)
