"""Skin tone on the studio faces of ../shared/data/faces: does the Monk level agree with ITA°, and is the
scale used where the people span it? `python bench/tone_faces.py [--every N] [--json]`

Each photo goes through the app's analysis (face, white balance, tone; no CNN). Prints the rank correlation
of ITA° with the Monk level (Spearman; −1 = the same order), the Monk levels used, and per self-reported
ethnicity (london_info.csv; the canada set is all white) the ITA° range and Monk levels. The photos are
licence-clear (CC BY 4.0, SOURCES.md) but are never shipped or shown: only figures come out.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

FACES = REPO.parent / "shared" / "data" / "faces"


def face_groups(folder: Path) -> dict[str, str]:
    """File (relative to `folder`) → self-reported ethnicity ("white" for the canada set)."""
    ethnicity = {row["face_id"]: row["face_eth"]
                 for row in csv.DictReader((folder / "london_info.csv").open(encoding="utf-8"))}
    groups = {}
    for row in csv.DictReader((folder / "files.csv").open(encoding="utf-8")):
        name = row["file"]
        stem = Path(name).stem
        groups[name] = ethnicity.get(stem.split("_")[1], "?") if name.startswith("london/") else "white"
    return groups


@dataclass(frozen=True)
class FaceTone:
    file: str
    group: str
    ita: float
    monk: int


def tones(folder: Path, every: int = 1) -> list[FaceTone]:
    """ITA° and Monk level of every `every`-th photo, as `skinlens analyze` measures them."""
    from desktop.ml.analyzer import Analyzer
    from desktop.ml.report import SkinReport

    analyzer = Analyzer()
    out = []
    for name, group in sorted(face_groups(folder).items())[::every]:
        report = analyzer.analyze(folder / name)
        if isinstance(report, SkinReport) and report.tone is not None:
            out.append(FaceTone(name, group, report.tone.ita, report.tone.monk))
    return out


def summary(rows: list[FaceTone]) -> dict[str, Any]:
    from scipy.stats import spearmanr

    groups: dict[str, Any] = {}
    for group in sorted({r.group for r in rows}):
        sub = [r for r in rows if r.group == group]
        values = [r.ita for r in sub]
        groups[group] = {"photos": len(sub), "ita_min": round(min(values), 1),
                         "ita_median": round(float(np.median(values)), 1), "ita_max": round(max(values), 1),
                         "monk": dict(sorted(Counter(r.monk for r in sub).items()))}
    return {"photos": len(rows), "spearman_ita_monk": round(float(spearmanr([r.ita for r in rows],
                                                                            [r.monk for r in rows])[0]), 3),
            "monk_levels_used": dict(sorted(Counter(r.monk for r in rows).items())), "groups": groups}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--faces", type=Path, default=FACES)
    parser.add_argument("--every", type=int, default=1, help="use every N-th photo only (quicker)")
    parser.add_argument("--json", action="store_true", help="print the summary as one JSON line only")
    args = parser.parse_args()
    if not (args.faces / "files.csv").is_file():
        print(f"no faces at {args.faces} (../shared/data/faces next to the repo)", file=sys.stderr)
        return 1
    result = summary(tones(args.faces, args.every))
    if not args.json:
        print(f"photos: {result['photos']}  Spearman(ITA, Monk): {result['spearman_ita_monk']}")
        print(f"Monk levels used: {result['monk_levels_used']}")
        for group, figures in result["groups"].items():
            print(f"  {group}: {figures}")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
