"""The shine and flaking measures on synthetic samples with exact labels (`training.synth`), no real photo.

    python bench/oiliness_synthetic.py [--faces ../shared/data/faces] [--n 300]

Each rendered sample goes through the app's own analysis (`Analyzer.analyze_array`: view, crop, white balance,
measures), and per measure this prints its oily-vs-dry AUC over the samples the renderer typed oily or dry
(dry: flakes or rough texture drawn), per view kind, and how much it moves when the same sample is 20 %
darker or brighter (a measure of shine must follow the surface, not the exposure). This is where the
measures' levels are set: the real development photos only measure the result.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

MEASURES = ("shine_fraction", "specular_energy", "specular_peak", "highlight_energy", "flake_energy", "oily_shine")


def auc(pos: list[float], neg: list[float]) -> float | None:
    if not pos or not neg:
        return None
    p, n = np.asarray(pos)[:, None], np.asarray(neg)[None, :]
    return round(float(((p > n) + 0.5 * (p == n)).mean()), 3)


def collect(n: int, faces: Path | None) -> list[dict[str, Any]]:
    from desktop.ml.analyzer import Analyzer
    from desktop.ml.report import SKIN_TYPES, SkinReport
    from training import synth
    from training.bases import load_bases

    synth.use_bases(load_bases(faces, ROOT / "runs" / "cache"))
    analyzer = Analyzer(concern_model=None)
    rows = []
    for seed in range(n):
        sample = synth.render(10_000 + seed)
        row: dict[str, Any] = {"type": SKIN_TYPES[sample.skin_type], "oil": float(sample.scores[5])}
        for gain in (1.0, 0.8, 1.2):
            image = np.clip(sample.image.astype(np.float32) * gain, 0, 255).astype(np.uint8)
            report = analyzer.analyze_array(image)
            if not isinstance(report, SkinReport):
                break
            overall = report.measures["overall"]
            row["view"] = report.view
            row[gain] = {m: overall.get(m) for m in MEASURES}
        rows.append(row)
    return rows


def summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {"samples": len(rows)}
    for view in ("all", "closeup", "front", "left", "right"):
        chosen = [r for r in rows if 1.0 in r and (view == "all" or r.get("view") == view)]
        figures = {}
        for m in MEASURES:
            oily = [r[1.0][m] for r in chosen if r["type"] == "oily" and r[1.0][m] is not None]
            dry = [r[1.0][m] for r in chosen if r["type"] == "dry" and r[1.0][m] is not None]
            moves = [abs(r[g][m] - r[1.0][m]) / (abs(r[1.0][m]) + 1e-3) for r in chosen for g in (0.8, 1.2)
                     if g in r and r[g][m] is not None and r[1.0][m] is not None]
            figures[m] = {"auc_oily_dry": auc(oily, dry), "oily": len(oily), "dry": len(dry),
                          "median_oily": round(float(np.median(oily)), 4) if oily else None,
                          "median_dry": round(float(np.median(dry)), 4) if dry else None,
                          "exposure_move_median": round(float(np.median(moves)), 3) if moves else None}
        out[view] = figures
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faces", type=Path, default=None, help="studio faces folder (default: the astronaut)")
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--rows-out", type=Path, default=None)
    args = parser.parse_args(argv)
    rows = collect(args.n, args.faces)
    if args.rows_out:
        args.rows_out.write_text(json.dumps([{k if isinstance(k, str) else str(k): v for k, v in r.items()}
                                             for r in rows]))
    print(json.dumps(summary(rows), indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
