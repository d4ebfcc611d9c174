"""Train the concern CNN: `python -m training.train --out runs/cnn [--export resources/models]`.

Data: the synthetic generator (training.synth, seeded) and/or a labelled CSV of real photos for
fine-tuning (`--data labels.csv`), one row per photo:

    image,acne,redness,dark_spots,wrinkles,pores,oiliness,dark_circles,texture,skin_type
    photos/0001.jpg,40,10,25,0,30,55,20,35,combination

Paths are relative to the CSV; scores are 0–100 (leave a cell empty when unknown: that score is not trained);
`skin_type` is one of oily, dry, normal, combination (or empty). Faces are found and aligned exactly as the
app does, so train and inference see the same crops. Real rows train scores and skin type, not heat maps.

CPU-friendly: a small model, data rendered once into memory, 2 threads. Checkpoints every epoch (resumable
with --resume), evaluation on held-out synthetic seeds every epoch, fixed seeds throughout.

`--init resources/models/skin_cnn.pt` starts from the bundled weights instead of from scratch (fine-tuning
on your own photos then takes a few epochs, not an hour). `--consistency-epochs N` adds N epochs after the
main schedule in which two differently framed and degraded copies of each face are trained to agree
(training.consistency; 6 by default, as in the bundled model's recipe; 0 turns them off).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

import numpy as np
import torch

from desktop.ml.model import DEFAULT_CONFIG, ConcernNet
from desktop.ml.report import CONCERNS, SKIN_TYPES
from training import consistency, synth
from training.batches import augment, bar, losses, minibatches, to_tensor
from training.priors import base_rates, count_parameters, start_from_priors

VAL_SEED_OFFSET = 10_000_000  # validation seeds never overlap training seeds
MONK_GROUPS = {"MST 1-3": (1, 3), "MST 4-6": (4, 6), "MST 7-10": (7, 10)}


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
    """Aligned crops and labels from a labelled CSV (see the module docstring); NaN marks unknown scores."""
    import cv2

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
            crop = cv2.resize(align(rgb, face.landmarks).rgb, (synth.SIZE, synth.SIZE), interpolation=cv2.INTER_AREA)
            images.append(crop)
            scores.append([float(row[c]) if row.get(c, "").strip() else np.nan for c in CONCERNS])
            types.append(SKIN_TYPES.index(row["skin_type"]) if row.get("skin_type") in SKIN_TYPES else -1)
    n = len(images)
    return (np.stack(images), np.full((n, len(CONCERNS), synth.MAP, synth.MAP), np.nan, np.float32),
            np.array(scores, np.float32), np.array(types), np.zeros(n, int))


@torch.no_grad()
def evaluate(model: ConcernNet, data: tuple[np.ndarray, ...]) -> dict[str, Any]:
    """Per-concern score MAE and map IoU, skin-type accuracy, and MAE per Monk group."""
    images, masks, scores, types, monk = data
    model.eval()
    preds, maps, type_preds = [], [], []
    for start in range(0, len(images), 128):
        m, s, t = model(to_tensor(images[start:start + 128], model.config))
        preds.append(torch.sigmoid(s).numpy() * 100)
        maps.append(torch.sigmoid(m).numpy())
        type_preds.append(t.argmax(1).numpy())
    pred, pred_maps, pred_types = np.concatenate(preds), np.concatenate(maps), np.concatenate(type_preds)
    error = np.abs(pred - scores)
    result: dict[str, Any] = {"samples": len(images), "mae": {}, "baseline_mae": {}, "iou": {}, "mae_by_monk": {}}
    for i, concern in enumerate(CONCERNS):
        result["mae"][concern] = round(float(np.mean(error[:, i])), 2)
        # what always answering the median score would achieve: the bar a learned concern must clear
        result["baseline_mae"][concern] = round(float(np.mean(np.abs(scores[:, i] - np.median(scores[:, i])))), 2)
        p, t = pred_maps[:, i] > 0.5, masks[:, i] > 0.5
        union = (p | t).reshape(len(p), -1).sum(1)
        inter = (p & t).reshape(len(p), -1).sum(1)
        seen = union > 0
        result["iou"][concern] = round(float(np.mean(inter[seen] / union[seen])), 3) if seen.any() else None
    for group, (low, high) in MONK_GROUPS.items():
        rows = (monk >= low) & (monk <= high)
        result["mae_by_monk"][group] = {c: round(float(np.mean(error[rows, i])), 2) for i, c in enumerate(CONCERNS)}
    result["monk_gap"] = {c: round(max(g[c] for g in result["mae_by_monk"].values())
                                   - min(g[c] for g in result["mae_by_monk"].values()), 2) for c in CONCERNS}
    result["skin_type_accuracy"] = round(float(np.mean(pred_types == types)), 3)
    return result


def train(args: argparse.Namespace) -> dict[str, Any]:
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    print(f"rendering {args.train_samples} training and {args.val_samples} validation samples ...", flush=True)
    train_data = synthetic(args.train_samples, args.seed * 1_000_000, args.workers)
    if args.data:
        real = real_rows(Path(args.data))
        train_data = tuple(np.concatenate([a, b]) for a, b in zip(train_data, real, strict=True))
    val_data = synthetic(args.val_samples, VAL_SEED_OFFSET + args.seed, args.workers)
    print(f"  done in {time.time() - started:.0f} s", flush=True)
    model = ConcernNet(DEFAULT_CONFIG)
    if args.init:
        model.load_state_dict(torch.load(args.init, weights_only=False)["state_dict"])
        print(f"starting from the weights in {args.init}")
    else:
        start_from_priors(model, *base_rates(train_data))
    print(f"model: {count_parameters(model):,} parameters")
    checkpoint_path = out / "last.pt"
    state = torch.load(checkpoint_path, weights_only=False) if args.resume and checkpoint_path.exists() else None
    history: list[dict[str, Any]] = state["history"] if state is not None else []
    generator = torch.Generator().manual_seed(args.seed)
    if state is not None:
        model.load_state_dict(state["state_dict"])
        if "generator" in state:  # (older checkpoints did not keep it)
            generator.set_state(state["generator"])
        print(f"resumed after epoch {state['epoch']}")

    def finish_epoch(main_done: int, consistency_done: int, loss: float, extra: dict[str, Any]) -> None:
        metrics = evaluate(model, val_data)
        stage = "consistency" if consistency_done else "main"
        history.append({"epoch": main_done + consistency_done, "stage": stage, "loss": loss, **metrics})
        print(f"\n  val MAE {metrics['mae']} | worst Monk gap {max(metrics['monk_gap'].values())}", flush=True)
        torch.save({"state_dict": model.state_dict(), "epoch": main_done + consistency_done, "main_done": main_done,
                    "consistency_done": consistency_done, "history": history, "config": model.config,
                    "epochs_planned": args.epochs, "generator": generator.get_state(), **extra}, checkpoint_path)

    main_done = state.get("main_done", state["epoch"]) if state is not None else 0
    consistency_done = state.get("consistency_done", 0) if state is not None else 0
    if main_done < args.epochs:  # (more main epochs also restart the consistency stage after them)
        main_schedule(model, train_data, args, state, generator,
                      lambda epoch, loss, extra: finish_epoch(epoch, 0, loss, extra))
        state, consistency_done = None, 0
        if args.consistency_epochs:  # keep the model before them, to compare what they changed
            torch.save({"config": model.config, "state_dict": model.state_dict(), "metrics": history[-1]},
                       out / "main_stage.pt")
    plan = consistency.Plan(epochs=args.consistency_epochs, lr=args.lr / 10, batch=args.batch,
                            start=consistency_done,
                            optimizer_state=state.get("consistency_optimizer") if state is not None else None)
    for epoch, loss, optimizer_state in consistency.run_epochs(model, train_data, plan, generator):
        finish_epoch(args.epochs, epoch, loss, {"consistency_optimizer": optimizer_state})
    final = history[-1]
    final["train_seconds"] = round(time.time() - started)
    final["args"] = {k: v for k, v in vars(args).items() if k != "func"}
    (out / "metrics.json").write_text(json.dumps(final, indent=2))
    bundle = {"config": model.config, "state_dict": model.state_dict(), "metrics": final}
    torch.save(bundle, out / "skin_cnn.pt")
    if args.export:
        from training.export import export_onnx

        export_onnx(model, Path(args.export), final)
    return final


def main_schedule(model: ConcernNet, train_data: tuple[np.ndarray, ...], args: argparse.Namespace,
                  state: dict[str, Any] | None, generator: torch.Generator,
                  finish_epoch: Callable[[int, float, dict[str, Any]], None]) -> None:
    """AdamW with a one-cycle learning rate over `args.epochs`, resumable mid-way."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    images, masks, scores, types, _ = train_data
    steps = (len(images) + args.batch - 1) // args.batch
    start_epoch = state.get("main_done", state["epoch"]) if state is not None else 0
    # an interrupted run resumes its schedule; a run extended to more epochs gets a new one for the rest
    same_plan = state is not None and state.get("epochs_planned") == args.epochs
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer, max_lr=args.lr, steps_per_epoch=steps,
        epochs=args.epochs if state is None or same_plan else args.epochs - start_epoch)
    if state is not None and "optimizer" in state:
        optimizer.load_state_dict(state["optimizer"])
        if same_plan:
            scheduler.load_state_dict(state["scheduler"])
    for epoch in range(start_epoch, args.epochs):
        model.train()
        total = 0.0
        for step, idx in minibatches(len(images), args.batch, generator):
            batch_images, batch_masks = augment(images[idx], masks[idx], generator)
            loss = losses(model(to_tensor(batch_images, model.config)), torch.from_numpy(batch_masks),
                          torch.from_numpy(scores[idx]), torch.from_numpy(types[idx]).long())
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            total += loss.item()
            bar(step + 1, steps, f"epoch {epoch + 1} loss {total / (step + 1):.4f}")
        finish_epoch(epoch + 1, round(total / steps, 4),
                     {"optimizer": optimizer.state_dict(), "scheduler": scheduler.state_dict()})


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m training.train", description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="runs/cnn", help="checkpoints and metrics go here")
    parser.add_argument("--export", help="also write skin_cnn.onnx (+ .pt) into this folder")
    parser.add_argument("--data", help="a labelled CSV of real photos to add to the synthetic data")
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--train-samples", type=int, default=8000)
    parser.add_argument("--val-samples", type=int, default=1200)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--lr", type=float, default=5e-3)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2, help="processes rendering synthetic data")
    parser.add_argument("--consistency-epochs", type=int, default=6,
                        help="epochs after the main schedule that train each face's two degraded copies to agree")
    parser.add_argument("--init", help="start from the weights of this checkpoint (e.g. the bundled skin_cnn.pt) "
                                       "to fine-tune instead of training from scratch")
    parser.add_argument("--resume", action="store_true")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.epochs + args.consistency_epochs < 1:
        parser.error("nothing to train: give --epochs or --consistency-epochs of at least 1")
    final = train(args)
    print(json.dumps({k: final[k] for k in ("mae", "iou", "monk_gap", "skin_type_accuracy", "train_seconds")}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
