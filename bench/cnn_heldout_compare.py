"""Compare CNN checkpoints on one render of held-out synthetic samples (the held-out people's faces).

A checkpoint's own figures come from the render of the run that trained it; after a change to the renderer,
two models can only be compared on the same samples. This renders them once and prints, per checkpoint, the
figures `training.evaluate` gives every epoch: score MAE on the exact samples, the widest MAE gap between Monk
groups (the fairness figure), and the pairs' order on the composites.

    python bench/cnn_heldout_compare.py resources/models/skin_cnn.pt runs/j3/skin_cnn.pt --pairs 150
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch

from desktop.ml.model import ModelConfig
from desktop.ml.network import ConcernNet
from desktop.ml.report import CONCERNS
from training.bases import DEFAULT_FACES, cache_file, load_bases
from training.data import VAL_SEED_OFFSET, synthetic
from training.evaluate import evaluate

# seeds apart from every training run's validation seeds (VAL_SEED_OFFSET + --seed), so no model chose its
# epoch on these samples
COMPARE_SEED = VAL_SEED_OFFSET + 7


def load(path: Path) -> ConcernNet:
    """The network a checkpoint describes, with its weights."""
    bundle = torch.load(path, weights_only=False)
    model = ConcernNet(ModelConfig.from_dict(bundle["config"]))
    model.load_state_dict(bundle["state_dict"])
    return model


def table(results: dict[str, dict[str, Any]]) -> str:
    """One row per checkpoint and figure, one column per concern."""
    head = f"{'checkpoint':<34}{'figure':<12}" + "".join(f"{c[:11]:>12}" for c in CONCERNS)
    lines = [head]
    for name, metrics in results.items():
        for figure in ("mae", "monk_gap", "pair_order"):
            cells = "".join(f"{'-' if metrics[figure][c] is None else metrics[figure][c]:>12}" for c in CONCERNS)
            lines.append(f"{name[-33:]:<34}{figure:<12}{cells}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkpoints", nargs="+", type=Path)
    parser.add_argument("--faces", type=Path, default=DEFAULT_FACES)
    parser.add_argument("--cache", type=Path, default=Path("runs/cache"))
    parser.add_argument("--pairs", type=int, default=150)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json-out", type=Path)
    args = parser.parse_args()
    torch.set_num_threads(2)
    load_bases(args.faces, args.cache)
    data = synthetic(args.pairs, COMPARE_SEED, args.workers, cache_file(args.faces, args.cache), True)
    results = {str(path): evaluate(load(path), data) for path in args.checkpoints}
    composites = int(data[5].sum())
    print(f"{len(data[5]) - composites} exact samples, {composites} composites, held-out people, seed {COMPARE_SEED}")
    print(table(results))
    if args.json_out:
        args.json_out.parent.mkdir(parents=True, exist_ok=True)
        args.json_out.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
