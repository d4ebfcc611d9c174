"""The acne lesion counter on real skin without acne, and with papules of known number drawn on it.

    python bench/lesions_synthetic.py [--faces ../shared/data/faces] [--every 8] [--json]

The studio faces of ../shared/data/faces are adults photographed for face research, not people chosen for
acne: through the app's whole analysis (no CNN) their lesion counts and acne scores show what the counter
finds on ordinary skin. Then papules are drawn on the same photos as the training renderer draws them
(`training.concerns`: haemoglobin absorption in optical density, Gaussian bumps 1.5–4 mm across, on the
cheeks, forehead and chin), the photo re-encoded at JPEG 90, and the count is compared with what was drawn
(Spearman over every photo and number). This is where the counter's rules are judged: the real development
photos only measure the result. Only figures come out; the photos are never shown.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FACES = ROOT.parent / "shared" / "data" / "faces"
DRAWN = (0, 3, 8, 20, 40)  # papules per photo
IPD_MM = 63.0


def papules(rgb: np.ndarray, where: np.ndarray, count: int, px_per_mm: float,
            rng: np.random.Generator) -> np.ndarray:
    """`rgb` with `count` papules drawn at random `where` pixels, then JPEG 90."""
    import cv2

    from training.concerns import EPS_HB, EPS_MEL, _stamp

    ys, xs = np.nonzero(where)
    mask = np.zeros(rgb.shape[:2], np.float32)
    red = np.zeros_like(mask)
    for i in rng.choice(len(xs), count, replace=False) if count else []:
        sigma = rng.uniform(0.7, 1.8) * px_per_mm
        _stamp(mask, xs[i], ys[i], sigma)
        _stamp(red, xs[i], ys[i], sigma, rng.uniform(0.35, 0.9))
    density = red[..., None] * EPS_HB + (mask * 0.1)[..., None] * EPS_MEL
    linear = (rgb.astype(np.float32) / 255) ** 2.2 * np.exp(-density)
    drawn = np.clip(linear ** (1 / 2.2) * 255, 0, 255).astype(np.uint8)
    ok, encoded = cv2.imencode(".jpg", np.ascontiguousarray(drawn[..., ::-1]), [cv2.IMWRITE_JPEG_QUALITY, 90])
    return np.ascontiguousarray(cv2.imdecode(encoded, cv2.IMREAD_COLOR)[..., ::-1]) if ok else drawn


def collect(folder: Path, every: int) -> list[dict[str, Any]]:
    """Per photo and drawn number: the counter's count and the measures' acne score."""
    from desktop.ml.align import align
    from desktop.ml.analyzer import Analyzer
    from desktop.ml.face import FaceFinder
    from desktop.ml.imaging import load_image
    from desktop.ml.regions import polygon_mask, region_polygons
    from desktop.ml.report import SkinReport

    names = [row["file"] for row in csv.DictReader((folder / "files.csv").open(encoding="utf-8"))][::every]
    finder, analyzer, rng = FaceFinder(), Analyzer(concern_model=None), np.random.default_rng(0)
    rows = []
    for name in names:
        rgb = load_image(folder / name).rgb
        found = finder.find_photo(rgb)
        if found.face is None:
            continue
        landmarks = found.face.landmarks
        px_per_mm = align(rgb, landmarks).iod_photo / IPD_MM
        polygons = region_polygons(landmarks)
        where = polygon_mask(rgb.shape[:2], [polygons[k] for k in ("left_cheek", "right_cheek", "forehead", "chin")])
        for count in DRAWN:
            report = analyzer.analyze_array(papules(rgb, where, count, px_per_mm, rng) if count else rgb)
            if isinstance(report, SkinReport):
                rows.append({"drawn": count, "found": report.measures["overall"]["red_lesion_count"],
                             "acne": report.measures["scores"]["measures"]["acne"]})
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    from scipy.stats import spearmanr

    clear = [r for r in rows if r["drawn"] == 0]
    acne = np.array([r["acne"] for r in clear])
    out: dict[str, Any] = {
        "photos": len(clear),
        "clear_acne_score_median": round(float(np.median(acne)), 1),
        "clear_scored_mild_or_more": int((acne >= 25).sum()), "clear_scored_moderate_or_more": int((acne >= 50).sum()),
        "spearman_found_drawn": round(float(spearmanr([r["drawn"] for r in rows], [r["found"] for r in rows])[0]), 3),
    }
    for count in DRAWN:
        found = [r["found"] for r in rows if r["drawn"] == count]
        out[f"found_for_{count}"] = [float(np.percentile(found, q)) for q in (10, 50, 90)]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=Path, default=FACES)
    parser.add_argument("--every", type=int, default=8, help="use every N-th photo (quicker)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON line only")
    args = parser.parse_args(argv)
    if not (args.faces / "files.csv").is_file():
        print(f"no faces at {args.faces} (../shared/data/faces next to the repo)", file=sys.stderr)
        return 1
    result = summary(collect(args.faces, args.every))
    if not args.json:
        for key, value in result.items():
            print(f"{key}: {value}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
