"""Analysis latency: p50/p95 per photo size of
- the live quality check (face detection + landmarks + every capture check), as the camera view runs it;
- the full `analyze` excluding the CNN (decode → face → quality → white balance → tone → measures → scores);
and two costs the code is shaped around: loading the face models (why FaceFinder loads them on first use) and
the measures' wide Gaussian blurs on the 384 px crop, at full size against on a 4× smaller copy (what
`measures._blur` does), with the largest difference between the two.

python bench/bench_analyze.py [--runs 30]. Uses the public-domain astronaut photo resized to each size.
Torch/ORT thread counts are limited to 2 to match the target machines.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import time

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("GLOG_minloglevel", "2")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    from PIL import Image
    from skimage import data

    from desktop.ml.analyzer import Analyzer
    from desktop.ml.face import FaceFinder
    from desktop.ml.quality import assess

    analyzer = Analyzer()
    base = Image.fromarray(data.astronaut())
    print(f"{'size':>10} {'stage':>22} {'p50 ms':>8} {'p95 ms':>8}")
    for size in ((640, 480), (1920, 1080)):
        canvas = Image.new("RGB", size, (120, 120, 120))
        face = base.resize((size[1], size[1]))
        canvas.paste(face, ((size[0] - size[1]) // 2, 0))
        buf = io.BytesIO()
        canvas.save(buf, "JPEG", quality=92)
        encoded = buf.getvalue()
        analyzer.analyze(encoded)  # warm-up: model load
        totals = []
        for _ in range(args.runs):
            start = time.perf_counter()
            analyzer.analyze(encoded)
            totals.append((time.perf_counter() - start) * 1000)
        import numpy as np

        rgb = np.asarray(canvas)
        finder = FaceFinder()
        finder.find(rgb)
        quality = []
        for _ in range(args.runs):
            start = time.perf_counter()
            assess(rgb, finder.find(rgb))
            quality.append((time.perf_counter() - start) * 1000)
        label = f"{size[0]}x{size[1]}"
        print(f"{label:>10} {'full analyze (no CNN)':>22} {statistics.median(totals):8.1f} "
              f"{percentile(totals, 0.95):8.1f}")
        print(f"{label:>10} {'live quality check':>22} {statistics.median(quality):8.2f} "
              f"{percentile(quality, 0.95):8.2f}")


def face_model_load(runs: int) -> None:
    from desktop.ml.face import FaceFinder

    times = []
    for _ in range(runs + 1):  # the first also imports mediapipe, unless main() already has
        finder = FaceFinder()
        start = time.perf_counter()
        finder._ensure_models()
        times.append((time.perf_counter() - start) * 1000)
    print(f"{'':>10} {'face models load':>22} {statistics.median(times[1:]):8.1f} "
          f"{percentile(times[1:], 0.95):8.1f} (the first in this process: {times[0]:.0f} ms)")


def wide_blurs(runs: int) -> None:
    import cv2
    import numpy as np

    from desktop.ml.align import CANON_IOD, CANON_SIZE
    from desktop.ml.measures import _blur

    image = np.random.default_rng(0).uniform(0, 100, (CANON_SIZE, CANON_SIZE)).astype(np.float32)
    image = cv2.GaussianBlur(image, (0, 0), 3)  # skin-like: smooth at the scale of a few pixels
    for sigma in (CANON_IOD * 0.35, CANON_IOD * 0.12, 8.0):  # the widths measures.py uses
        full, small = [], []
        for _ in range(runs):
            start = time.perf_counter()
            exact = cv2.GaussianBlur(image, (0, 0), sigma)
            full.append((time.perf_counter() - start) * 1000)
            start = time.perf_counter()
            fast = _blur(image, sigma)
            small.append((time.perf_counter() - start) * 1000)
        gap = float(np.abs(exact - fast).max())
        print(f"{'384x384':>10} {f'blur sigma {sigma:.1f}':>22} {statistics.median(full):8.2f} (full size) "
              f"{statistics.median(small):8.2f} (4x smaller), largest difference {gap:.3f} of a 0-100 range")


if __name__ == "__main__":
    main()
    face_model_load(5)
    wide_blurs(30)
