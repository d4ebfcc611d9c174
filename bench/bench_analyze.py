"""Analysis latency: p50/p95 per photo size of
- the live quality check (face detection + landmarks + every capture check), as the camera view runs it;
- the full `analyze` excluding the CNN (decode → face → quality → white balance → tone → measures → scores).

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


if __name__ == "__main__":
    main()
