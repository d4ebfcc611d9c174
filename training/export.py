"""Export a trained ConcernNet to ONNX, with its config, labels, preprocessing and metrics in the file's
metadata (key "skinlens"), so the app's runtime needs nothing else to use it."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import torch

from desktop.ml.model import ModelConfig
from desktop.ml.network import ConcernNet
from training.data import VAL_SEED_OFFSET, synthetic
from training.evaluate import evaluate
from training.validation import statuses

ONNX_NAME = "skin_cnn.onnx"
TORCH_NAME = "skin_cnn.pt"


TRAINED_VIEWS = ("front", "left", "right", "closeup")  # what training.synth draws: the app may use it on all


def export_onnx(model: ConcernNet, folder: Path, metrics: dict[str, Any] | None = None,
                real_photos: dict[str, Any] | None = None, views: tuple[str, ...] = TRAINED_VIEWS) -> Path:
    """The ONNX file and the torch file of `model`, both carrying its config, held-out figures, the views it
    was trained for and, when measured, its real-photo statuses (`training.validation`)."""
    import onnx

    folder.mkdir(parents=True, exist_ok=True)
    model.eval()
    size = model.config.input_size
    path = folder / ONNX_NAME
    dummy = torch.zeros(1, 3, size, size)
    torch.onnx.export(model, (dummy,), str(path), input_names=["image"], output_names=["maps", "scores", "types"],
                      dynamic_axes={"image": {0: "batch"}, "maps": {0: "batch"}, "scores": {0: "batch"},
                                    "types": {0: "batch"}}, opset_version=17, dynamo=False)
    proto = onnx.load(str(path))
    keys = ("mae", "baseline_mae", "iou", "monk_gap", "mae_by_monk", "skin_type_accuracy", "pair_order")
    summary = {k: metrics[k] for k in keys if metrics and k in metrics}
    entry = proto.metadata_props.add()
    config = model.config.to_dict()
    described = {"config": config, "metrics": summary, "views": list(views), "real_photos": real_photos or {}}
    entry.key, entry.value = "skinlens", json.dumps(described)
    onnx.save(proto, str(path))
    torch.save({**described, "state_dict": model.state_dict()}, folder / TORCH_NAME)
    return path


def main(argv: list[str] | None = None) -> int:
    """Export a checkpoint; with --evaluate, measure it on the held-out synthetic seeds first (the figures
    then travel in the model file and feed the app's fusion weights)."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m training.export")
    parser.add_argument("checkpoint", help="a skin_cnn.pt or last.pt written by training.train")
    parser.add_argument("--out", default="resources/models")
    parser.add_argument("--evaluate", type=int, metavar="N", help="evaluate on N held-out synthetic samples")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--real-photos", type=Path, metavar="SCORE_JSON",
                        help="the last line of ../shared/dev-eval/score.py run with this model: its statuses "
                             "(training.validation) go into the file")
    parser.add_argument("--faces", type=Path, default=None, help="with --evaluate: the faces cache of training")
    parser.add_argument("--views", default=None,
                        help="comma-separated views the model was trained for (default: what the checkpoint says, "
                             "else front,left,right,closeup)")
    parser.add_argument("--version", help="the version the files carry (default: the checkpoint's own): a model "
                                          "chosen to ship gets the next release's number")
    args = parser.parse_args(argv)
    state = torch.load(args.checkpoint, weights_only=False)
    config = ModelConfig.from_dict(state["config"])
    model = ConcernNet(replace(config, version=args.version) if args.version else config)
    model.load_state_dict(state["state_dict"])
    metrics = state.get("metrics") or (state.get("history") or [{}])[-1]
    if args.evaluate:
        cache = args.faces
        metrics = evaluate(model, synthetic(max(1, args.evaluate // 2), VAL_SEED_OFFSET + args.seed, 2, cache,
                                            None if cache is None else True))
        print(json.dumps(metrics, indent=1))
    real = state.get("real_photos") or None
    if args.real_photos:
        summary = json.loads(args.real_photos.read_text().strip().splitlines()[-1])
        real = statuses(summary)
        print(json.dumps(real, indent=1))
    views = tuple(args.views.split(",")) if args.views else tuple(state.get("views", TRAINED_VIEWS))
    print(export_onnx(model, Path(args.out), metrics, real, views))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
