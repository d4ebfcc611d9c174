"""CNN inference latency at its input size on 2 threads: ONNX Runtime and PyTorch.

python bench/bench_cnn.py [--runs 100]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from desktop.ml.infer import OnnxConcernModel, TorchConcernModel
from desktop.resources import resource


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args()
    face = np.random.default_rng(0).integers(0, 255, (384, 384, 3), dtype=np.uint8)
    for kind, name in ((OnnxConcernModel, "skin_cnn.onnx"), (TorchConcernModel, "skin_cnn.pt")):
        model = kind(resource("models", name))
        for _ in range(5):
            model.predict(face)
        times = []
        for _ in range(args.runs):
            start = time.perf_counter()
            model.predict(face)
            times.append((time.perf_counter() - start) * 1000)
        times.sort()
        size = model.config.input_size
        print(f"{model.runtime:<12} {size}x{size}: p50 {statistics.median(times):.2f} ms, "
              f"p95 {times[int(0.95 * (len(times) - 1))]:.2f} ms (incl. resize and normalisation)")


if __name__ == "__main__":
    main()
