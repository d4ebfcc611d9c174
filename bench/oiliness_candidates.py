"""The oiliness candidates of issue 19, fixed before measuring, scored on ONE run of the real-photo scorer.

    python ../shared/dev-eval/score.py .venv/bin/skinlens --json-out runs/eval/run.json
    python bench/oiliness_candidates.py runs/eval/run.json

Every report carries the shine measures (`measures.overall`) and the CNN's own score (`measures.scores.cnn`),
so each candidate below is computed from them afterwards and scored with score.py's own oily-vs-dry AUC over
the same photos. Each candidate's levels were set on principle or on synthetic samples
(`bench/oiliness_synthetic.py`), none on these photos; choosing the best of these five is the comparison the
real-photo rule allows. "shipped" is what the analysis itself returned in that run, for reference.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.fusion_candidates import DEV_EVAL, _scorer

CNN_SHARE = 0.6  # the shipped fusion's CNN share for oiliness (`scoring.cnn_weights` of the bundled model)


def _ramp(value: float, none: float, marked: float) -> float:
    return 100.0 * min(1.0, max(0.0, (value - none) / (marked - none)))


def candidate_scores(line: dict[str, Any]) -> dict[str, float | None]:
    """The five candidates' oiliness (0–100) for one report, and what it shipped; None where not measured."""
    measures = line.get("measures") or {}
    overall = measures.get("overall") or {}
    cnn = ((measures.get("scores") or {}).get("cnn") or {}).get("oiliness")
    shine = _ramp(overall["oily_shine"], 0.0, 0.04) if "oily_shine" in overall else None
    return {
        "shipped": (line.get("concerns") or {}).get("oiliness"),
        "cnn": cnn,
        "specular_peak": _ramp(overall["specular_peak"], 0.55, 2.25) if "specular_peak" in overall else None,
        "specular_energy": _ramp(overall["specular_energy"], 0.03, 0.25) if "specular_energy" in overall else None,
        "oily_shine": shine,
        "oily_shine+cnn": (1 - CNN_SHARE) * shine + CNN_SHARE * cnn if shine is not None and cnn is not None
        else shine,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="files written by score.py --json-out")
    parser.add_argument("--dev-eval", type=Path, default=DEV_EVAL)
    args = parser.parse_args(argv)
    score = _scorer(args.dev_eval)
    labels = {r["file"]: r["label"] for r in score.rows(0) if r["task"] == "skin_type"}
    for run in args.runs:
        results = json.loads(run.read_text())["results"]
        scored = [(labels[f], candidate_scores(line)) for f, line in results.items()
                  if f in labels and line and line.get("ok")]
        for name in scored[0][1] if scored else ():
            oily = [s[name] for label, s in scored if label == "oily" and s[name] is not None]
            dry = [s[name] for label, s in scored if label == "dry" and s[name] is not None]
            print(json.dumps({"run": run.name, "candidate": name, "oily": len(oily), "dry": len(dry),
                              "oily_auc": score.auc(oily, dry)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
