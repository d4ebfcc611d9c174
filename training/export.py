"""Export a trained ConcernNet to ONNX, with its config, labels, preprocessing and metrics in the file's
metadata (key "skinlens"), so the app's runtime needs nothing else to use it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import torch

from desktop.ml.model import ModelConfig
from desktop.ml.network import ConcernNet
from training.data import VAL_SEED_OFFSET, synthetic
from training.evaluate import evaluate

ONNX_NAME = "skin_cnn.onnx"
TORCH_NAME = "skin_cnn.pt"


def export_onnx(model: ConcernNet, folder: Path, metrics: dict[str, Any] | None = None) -> Path:
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
    keys = ("mae", "baseline_mae", "iou", "monk_gap", "mae_by_monk", "skin_type_accuracy")
    summary = {k: metrics[k] for k in keys if metrics and k in metrics}
    entry = proto.metadata_props.add()
    config = model.config.to_dict()
    entry.key, entry.value = "skinlens", json.dumps({"config": config, "metrics": summary})
    onnx.save(proto, str(path))
    torch.save({"config": config, "state_dict": model.state_dict(), "metrics": summary}, folder / TORCH_NAME)
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
    args = parser.parse_args(argv)
    state = torch.load(args.checkpoint, weights_only=False)
    model = ConcernNet(ModelConfig.from_dict(state["config"]))
    model.load_state_dict(state["state_dict"])
    metrics = state.get("metrics") or (state.get("history") or [{}])[-1]
    if args.evaluate:
        metrics = evaluate(model, synthetic(args.evaluate, VAL_SEED_OFFSET + args.seed, 2))
        print(json.dumps(metrics, indent=1))
    print(export_onnx(model, Path(args.out), metrics))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
