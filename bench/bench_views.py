"""Full report latency per photo, at the photos' own sizes, by view: the CLI's analyser (face search at any
yaw, view, quality, white balance, tone, measures, the CNN where the view has it, scores).

python bench/bench_views.py [--photos DIR] [--limit N] [--repeat R]

Photos: the real development photos in ../shared/dev-eval/images (front, side and close-up views, 200–1024 px)
when present, else any folder of photos given with --photos. They are only timed here, never stored or
learned from. Prints p50/p95 of `timings_ms.total` per view and overall, the CPU time per photo of this
process, the load average before and after (the machine is shared: figures taken under load are slower, so
take them when it is quiet and quote the load with them), and the thread limits (2, the target machines).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "2")
os.environ.setdefault("GLOG_minloglevel", "2")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEV_EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "dev-eval" / "images"
SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".bmp", ".tif", ".tiff", ".gif"}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def photos(folder: Path, limit: int) -> list[Path]:
    found = sorted(p for p in folder.rglob("*") if p.suffix.lower() in SUFFIXES)
    step = max(1, len(found) // limit) if limit else 1
    return found[::step][:limit] if limit else found


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=Path, default=DEV_EVAL)
    parser.add_argument("--limit", type=int, default=0, help="time at most N photos, spread over the folder")
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    if not args.photos.is_dir():
        sys.exit(f"no photos at {args.photos}: pass --photos DIR")
    from desktop.ml.analyzer import Analyzer
    from desktop.ml.infer import load_concern_model
    from desktop.ml.report import SkinReport

    analyzer = Analyzer(model_loader=load_concern_model)
    files = photos(args.photos, args.limit)
    analyzer.analyze(files[0])  # model loads are not part of a photo's time
    load_before = os.getloadavg()
    by_view: dict[str, list[float]] = defaultdict(list)
    cpu_start, wall_start, failed = time.process_time(), time.perf_counter(), 0
    for _ in range(args.repeat):
        for path in files:
            result = analyzer.analyze(path)
            if isinstance(result, SkinReport):
                by_view[str(result.view)].append(result.timings_ms["total"])
            else:
                failed += 1
    count = args.repeat * len(files)
    cpu = (time.process_time() - cpu_start) / count * 1000
    wall = (time.perf_counter() - wall_start) / count * 1000
    load_after = os.getloadavg()
    every = [t for times in by_view.values() for t in times]
    print(f"{len(files)} photos x {args.repeat} from {args.photos} ({failed} not analysed)")
    for view, times in sorted(by_view.items()):
        print(f"full report, {view:8s}: {statistics.median(times):6.1f} ms p50, {percentile(times, 0.95):6.1f} ms p95"
              f" ({len(times)})")
    print(f"full report, all     : {statistics.median(every):6.1f} ms p50, {percentile(every, 0.95):6.1f} ms p95")
    print(f"per photo incl. decoding: {wall:.1f} ms wall, {cpu:.1f} ms CPU of this process")
    print(f"load average (1 min) before {load_before[0]:.2f}, after {load_after[0]:.2f} on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
