"""Compare fusion rules, chosen beforehand, on the real development photos, from ONE run of their scorer.

    python ../shared/dev-eval/score.py .venv/bin/skinlens --json-out runs/eval/run.json
    python bench/fusion_candidates.py runs/eval/run.json [more.json ...]

Every report keeps the scores of its two sources before fusion (`measures.scores`: "measures" and "cnn"), so
each rule below is applied to them afterwards and scored with score.py's own acne Spearman and oily-vs-dry
AUC, over the same photos score.py scores. The rules are fixed in advance, not fitted: measures alone, the
CNN alone (where it ran), their plain mean, and what the analysis shipped in that run. Choosing the best of
these few is the comparison the real-photo rule allows (DEVELOPERS.md); the chosen rule is then confirmed by
score.py on the app itself. Prints one JSON line per file and rule.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

DEV_EVAL = Path(__file__).resolve().parents[2] / "shared" / "dev-eval"
RULES = ("measures", "cnn", "blend", "shipped")


def _scorer(folder: Path) -> Any:
    spec = importlib.util.spec_from_file_location("score", folder / "score.py")
    if spec is None or spec.loader is None:
        sys.exit(f"no score.py in {folder}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def rule_score(line: dict[str, Any], concern: str, rule: str) -> float | None:
    """The score `rule` gives one concern of one report; None where the report left it unmeasured."""
    shipped = (line.get("concerns") or {}).get(concern)
    if shipped is None or rule == "shipped":
        return shipped
    sources = (line.get("measures") or {}).get("scores") or {}
    measure = (sources.get("measures") or {}).get(concern)
    cnn = (sources.get("cnn") or {}).get(concern)
    if rule == "measures" or cnn is None:
        return measure
    if rule == "cnn" or measure is None:
        return float(cnn)
    return (float(measure) + float(cnn)) / 2


def figures(score: Any, results: dict[str, Any], labels: dict[str, tuple[str, str]], rule: str) -> dict[str, Any]:
    acne: list[tuple[int, float]] = []
    oily: list[float] = []
    dry: list[float] = []
    typed = 0  # skin-type photos with an oiliness score (score.py's oily_scored)
    for file, line in results.items():
        if not line or not line.get("ok") or file not in labels:
            continue
        task, label = labels[file]
        if task == "acne_grade" and (value := rule_score(line, "acne", rule)) is not None:
            acne.append((int(label), value))
        if task == "skin_type" and (value := rule_score(line, "oiliness", rule)) is not None:
            typed += 1
            (oily if label == "oily" else dry if label == "dry" else []).append(value)
    return {"rule": rule, "acne_scored": len(acne),
            "acne_spearman": score.spearman([a for _, a in acne], [g for g, _ in acne]) if acne else None,
            "oily_scored": typed, "oily_auc": score.auc(oily, dry)}


def photo_type_accuracy(results: dict[str, Any], labels: dict[str, tuple[str, str]]) -> dict[str, Any]:
    """What the skin type from the photo would score if it were shown: the measures' estimate
    (`scoring.skin_type_probabilities` of each report's `measures.overall`) against the skin-type labels. The
    report itself says `source: "unknown"` unless this beats chance by 15 points (issue 19)."""
    from desktop.ml.scoring import skin_type_probabilities

    pairs = [(labels[file][1], skin_type_probabilities(line["measures"]["overall"]))
             for file, line in results.items()
             if line and line.get("ok") and labels.get(file, ("", ""))[0] == "skin_type"
             and (line.get("measures") or {}).get("overall")]
    classes = sorted({label for task, label in labels.values() if task == "skin_type"})
    right = sum(max(p, key=p.__getitem__) == label for label, p in pairs)
    return {"rule": "skin_type_from_measures", "typed": len(pairs),
            "type_accuracy": round(right / len(pairs), 3) if pairs else None,
            "type_chance": round(1 / len(classes), 3) if classes else None}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("runs", nargs="+", type=Path, help="files written by score.py --json-out")
    parser.add_argument("--dev-eval", type=Path, default=DEV_EVAL)
    args = parser.parse_args(argv)
    score = _scorer(args.dev_eval)
    labels = {r["file"]: (r["task"], r["label"]) for r in score.rows(0)}
    for run in args.runs:
        results = json.loads(run.read_text())["results"]
        for rule in RULES:
            print(json.dumps({"run": run.name, **figures(score, results, labels, rule)}))
        print(json.dumps({"run": run.name, **photo_type_accuracy(results, labels)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
