"""Train the concern CNN: `python -m training.train --out runs/cnn [--export resources/models]`.

Data: the synthetic generator (training.synth, seeded) and/or a labelled CSV of real photos for
fine-tuning (`--data labels.csv`; its format: training/data.py).

CPU-friendly: a small model, data rendered once into memory, 2 threads. Checkpoints every epoch (resumable
with --resume), evaluation on held-out synthetic seeds every epoch, fixed seeds throughout.

`--init resources/models/skin_cnn.pt` starts from the bundled weights instead of from scratch (fine-tuning
on your own photos then takes a few epochs, not an hour). `--consistency-epochs N` adds N epochs after the
main schedule in which each face and a copy of it after one of the stability check's changes (JPEG,
rescale, small rotation) are trained to agree
(training.consistency; 6 by default, as in the bundled model's recipe; 0 turns them off).
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch

from desktop.ml.model import DEFAULT_CONFIG
from desktop.ml.network import ConcernNet
from training import consistency
from training.bases import DEFAULT_FACES
from training.batches import augment, bar, losses, minibatches, to_tensor
from training.data import VAL_SEED_OFFSET, real_rows, synthetic
from training.evaluate import evaluate
from training.export import export_onnx
from training.priors import base_rates, count_parameters, start_from_priors

MAIN_SEED_STRIDE = 1_000_000  # the training samples of `--seed k` are the generator's seeds from k · stride on


def train(args: argparse.Namespace) -> dict[str, Any]:
    """One run: the main schedule, then the consistency epochs, with a checkpoint and an evaluation after
    every epoch; resumable (`--resume`) from the last checkpoint at either stage."""
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)
    torch.set_num_threads(args.threads)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    started = time.time()
    train_data, val_data = datasets(args)
    model = initial_model(args, train_data)
    checkpoint_path = out / "last.pt"
    state = torch.load(checkpoint_path, weights_only=False) if args.resume and checkpoint_path.exists() else None
    generator = torch.Generator().manual_seed(args.seed)
    if state is not None:
        model.load_state_dict(state["state_dict"])
        if "generator" in state:  # (older checkpoints did not keep it)
            generator.set_state(state["generator"])
        print(f"resumed after epoch {state['epoch']}")
    log = EpochLog(model, val_data, args, generator, checkpoint_path, state["history"] if state is not None else [])
    main_done = state.get("main_done", state["epoch"]) if state is not None else 0
    consistency_done = state.get("consistency_done", 0) if state is not None else 0
    if main_done < args.epochs:  # (more main epochs also restart the consistency stage after them)
        main_schedule(model, train_data, args, state, generator,
                      lambda epoch, loss, extra: log.finish_epoch(epoch, 0, loss, extra))
        state, consistency_done = None, 0
        if args.consistency_epochs:  # keep the model before them, to compare what they changed
            torch.save({"config": model.config.to_dict(), "state_dict": model.state_dict(), "metrics": log.history[-1]},
                       out / "main_stage.pt")
    plan = consistency.Plan(epochs=args.consistency_epochs, lr=args.lr / 10, batch=args.batch,
                            start=consistency_done, agreement_weight=args.agreement_weight,
                            optimizer_state=state.get("consistency_optimizer") if state is not None else None)
    for epoch, loss, optimizer_state in consistency.run_epochs(model, train_data, plan, generator):
        log.finish_epoch(args.epochs, epoch, loss, {"consistency_optimizer": optimizer_state})
    return save_result(model, log.history[-1], args, out, started)


def datasets(args: argparse.Namespace) -> tuple[tuple[np.ndarray, ...], tuple[np.ndarray, ...]]:
    """(training data, validation data): rendered pairs on the training people's faces and on the held-out
    people's (`--faces`, split by person), plus the labelled photos of `--data` for training."""
    started = time.time()
    cache = prepare_bases(args)
    print(f"rendering {args.train_samples} training and {args.val_samples} validation samples ...", flush=True)
    split = None if cache is None else False
    train_data = synthetic(args.train_samples // 2, args.seed * MAIN_SEED_STRIDE, args.workers, cache, split)
    if args.data:
        real = real_rows(Path(args.data))
        train_data = tuple(np.concatenate([a, b]) for a, b in zip(train_data, real, strict=True))
    val_data = synthetic(max(1, args.val_samples // 2), VAL_SEED_OFFSET + args.seed, args.workers, cache,
                         None if cache is None else True)
    print(f"  done in {time.time() - started:.0f} s", flush=True)
    return train_data, val_data


def prepare_bases(args: argparse.Namespace) -> Path | None:
    """Find and align the faces of `--faces` once (cached under `--cache`); None: the astronaut alone."""
    from training.bases import cache_file, load_bases

    folder = Path(args.faces) if args.faces else None
    if folder is None or not (folder / "files.csv").is_file():
        print(f"no faces at {folder}: the composites use the astronaut alone", flush=True)
        return None
    load_bases(folder, Path(args.cache))
    return cache_file(folder, Path(args.cache))


def initial_model(args: argparse.Namespace, train_data: tuple[np.ndarray, ...]) -> ConcernNet:
    """The network to train: the weights of `--init`, or new ones with outputs at the data's base rates."""
    model = ConcernNet(DEFAULT_CONFIG)
    if args.init:
        model.load_state_dict(torch.load(args.init, weights_only=False)["state_dict"])
        print(f"starting from the weights in {args.init}")
    else:
        start_from_priors(model, *base_rates(train_data))
    print(f"model: {count_parameters(model):,} parameters")
    return model


class EpochLog:
    """After every epoch: evaluate on the held-out data, add the figures to the history, write the checkpoint
    that `--resume` continues from."""

    def __init__(self, model: ConcernNet, val_data: tuple[np.ndarray, ...], args: argparse.Namespace,
                 generator: torch.Generator, path: Path, history: list[dict[str, Any]]) -> None:
        self.model, self.val_data, self.args, self.generator, self.path = model, val_data, args, generator, path
        self.history = history

    def finish_epoch(self, main_done: int, consistency_done: int, loss: float, extra: dict[str, Any]) -> None:
        metrics = evaluate(self.model, self.val_data)
        stage = "consistency" if consistency_done else "main"
        epoch = main_done + consistency_done
        self.history.append({"epoch": epoch, "stage": stage, "loss": loss, **metrics})
        gaps = [g for g in metrics["monk_gap"].values() if g is not None]
        print(f"\n  val MAE {metrics['mae']} | pair order {metrics['pair_order']} | worst Monk gap "
              f"{max(gaps) if gaps else None}", flush=True)
        torch.save({"state_dict": self.model.state_dict(), "epoch": epoch, "main_done": main_done,
                    "consistency_done": consistency_done, "history": self.history,
                    "config": self.model.config.to_dict(), "epochs_planned": self.args.epochs,
                    "generator": self.generator.get_state(), **extra}, self.path)


def save_result(model: ConcernNet, final: dict[str, Any], args: argparse.Namespace, out: Path,
                started: float) -> dict[str, Any]:
    """The trained model (skin_cnn.pt, and the ONNX file with `--export`) and its final figures."""
    final["train_seconds"] = round(time.time() - started)
    final["args"] = {k: v for k, v in vars(args).items() if k != "func"}
    (out / "metrics.json").write_text(json.dumps(final, indent=2))
    bundle = {"config": model.config.to_dict(), "state_dict": model.state_dict(), "metrics": final}
    torch.save(bundle, out / "skin_cnn.pt")
    if args.export:
        export_onnx(model, Path(args.export), final)
    return final


def main_schedule(model: ConcernNet, train_data: tuple[np.ndarray, ...], args: argparse.Namespace,
                  state: dict[str, Any] | None, generator: torch.Generator,
                  finish_epoch: Callable[[int, float, dict[str, Any]], None]) -> None:
    """AdamW with a one-cycle learning rate over `args.epochs`, resumable mid-way."""
    optimizer = torch.optim.AdamW(model.parameters(), lr=args.lr, weight_decay=1e-4)
    images, masks, scores, types, _, composite = train_data
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
                          torch.from_numpy(scores[idx]), torch.from_numpy(types[idx]).long(),
                          torch.from_numpy(composite[idx]))
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
    parser.add_argument("--faces", default=str(DEFAULT_FACES),
                        help="folder of real face photos for the composites (files.csv; default ../shared/data/"
                             "faces); '' for the astronaut alone")
    parser.add_argument("--cache", default="runs/cache", help="the faces' detected landmarks are kept here")
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
    parser.add_argument("--agreement-weight", type=float, default=consistency.AGREEMENT_WEIGHT,
                        help="what a disagreement between the two copies costs in the consistency epochs")
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
