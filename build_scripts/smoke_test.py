"""Smoke test of a built bundle, on a clean environment: no venv, no repo, no Python paths.

python3 build_scripts/smoke_test.py dist/skinlens [--runs 5]

Standard library only, so any Python (or none of the project's) can run it. It checks `--version`, that
`doctor` loads every bundled model and data file, that `analyze --json` prints a valid line for a photo, and
that the window opens offscreen and closes; then it prints the bundle's size and its launch time.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def clean_env(home: Path) -> dict[str, str]:
    """Only system paths: the bundle must not lean on the build machine's venv or repo."""
    return {"PATH": "/usr/bin:/bin", "HOME": str(home), "SKINLENS_HOME": str(home / "data"),
            "QT_QPA_PLATFORM": "offscreen", "LANG": "C.UTF-8", "TMPDIR": str(home),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}


def run(cmd: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(cmd, env=env, cwd=cwd, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"FAILED: {' '.join(cmd)} exited {result.returncode}\n"
                         f"{result.stdout}\n{result.stderr[-3000:]}")
    return result


def folder_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("bundle", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    bundle = args.bundle.resolve()
    exe = bundle / ("skinlens.exe" if os.name == "nt" else "skinlens")
    home = Path(tempfile.mkdtemp(prefix="skinlens-smoke-"))
    env = clean_env(home)
    assert not any((bundle / "_internal" / name).exists() for name in ("torch", "sync_server", "pytest")), \
        "training, server or test packages leaked into the bundle"

    print(run([str(exe), "--version"], env, home).stdout.strip())
    doctor = json.loads(run([str(exe), "doctor", "--json"], env, home).stdout.strip().splitlines()[-1])
    for name, check in doctor["checks"].items():
        print(f"doctor: {name}: {check['detail']}")
    photo = home / "astronaut.png"
    shutil.copy(bundle / "_internal" / "skimage" / "data" / "astronaut.png", photo)
    line = run([str(exe), "analyze", "--json", str(photo)], env, home).stdout.strip().splitlines()[-1]
    report = json.loads(line)
    assert report["ok"] is True and set(report["concerns"]) >= {"acne", "redness", "wrinkles"}, line[:300]
    assert report["tone"]["monk"] in range(1, 11) and "+" in report["model"]["name"], report["model"]
    print(f"analyze --json: ok, model {report['model']['name']}, Monk {report['tone']['monk']}")

    launches = []
    for _ in range(args.runs):
        start = time.time()
        out = run([str(exe), "gui", "--quit-after-paint"], env, home).stdout
        painted = float(next(x for x in out.splitlines() if x.startswith("first paint at")).split()[-1])
        launches.append((painted - start) * 1000)
    print(f"window opened offscreen and closed: launch to first paint p50 {statistics.median(launches):.0f} ms, "
          f"max {max(launches):.0f} ms over {args.runs} runs")
    print(f"bundle size: {folder_size(bundle) / 1e6:.0f} MB in {bundle}")
    shutil.rmtree(home, ignore_errors=True)
    print("smoke test passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
