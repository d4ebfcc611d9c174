"""Write what the app outputs for a fixed set of inputs, so a restructuring can show it changed nothing.

python scripts/behaviour_snapshot.py OUT_DIR [SKINLENS_CMD]
then compare two such folders with `diff -r BEFORE AFTER` (empty output: nothing changed).

- analyze.jsonl: `skinlens analyze --json` on the astronaut and every photo in ../shared/data/faces
  (timings removed: they differ on every run);
- recommend.jsonl: `skinlens recommend --json` for the profiles of bench/eval_recommend.py (5 skin types ×
  9 concern sets), plus a few with preferences (budget, fragrance-free, vegan, pregnancy, avoid list);
- model.json: the bundled CNN's raw outputs (logits of every test-time view) on fixed inputs, printed with
  every float in full (repr), so "max difference 0.0" can be checked exactly.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
FACES = REPO.parent / "shared" / "data" / "faces"
SKIN_TYPES = ("oily", "dry", "normal", "combination", "sensitive")
CONCERN_SETS = (("acne",), ("redness",), ("dark_spots",), ("wrinkles",), ("pores",), ("oiliness",),
                ("texture",), ("acne", "dark_spots"), ("wrinkles", "dark_spots"))
EXTRA_PROFILES = (
    {"skin_type": "oily", "concerns": {"acne": 80}, "preferences": {"budget_max": 15, "currency": "GBP"}},
    {"skin_type": "dry", "concerns": {"wrinkles": 60}, "preferences": {"fragrance_free": True}},
    {"skin_type": "normal", "concerns": {"dark_spots": 50}, "preferences": {"vegan": True}},
    {"skin_type": "combination", "concerns": {"acne": 50, "wrinkles": 50}, "pregnant": True},
    {"skin_type": "sensitive", "concerns": {"redness": 70}, "sensitive": True,
     "preferences": {"avoid_ingredients": ["parabens", "alcohol denat."]}},
)


def _strip_timings(line: str) -> str:
    record = json.loads(line)
    record.pop("timings_ms", None)
    for view in record.get("views") or []:
        view.pop("timings_ms", None)
    return json.dumps(record, sort_keys=True)


def analyze(cmd: list[str], out: Path, env: dict[str, str]) -> None:
    from PIL import Image
    from skimage import data

    tmp = Path(tempfile.mkdtemp())
    astronaut = tmp / "astronaut.png"
    Image.fromarray(np.asarray(data.astronaut())).save(astronaut)
    images = [astronaut, *sorted(FACES.glob("*/*.jpg"))]
    lines: list[str] = []
    for i in range(0, len(images), 60):
        chunk = images[i:i + 60]
        proc = subprocess.run([*cmd, "analyze", "--json", *map(str, chunk)], capture_output=True, text=True,
                              env=env, check=False)
        got = [x for x in proc.stdout.splitlines() if x.startswith("{")]
        if len(got) != len(chunk):
            sys.exit(f"analyze printed {len(got)} lines for {len(chunk)} images:\n{proc.stderr[-2000:]}")
        for path, line in zip(chunk, got, strict=True):
            text = _strip_timings(line).replace(str(path), path.name)
            lines.append(text)
    (out / "analyze.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def recommend(cmd: list[str], out: Path, env: dict[str, str]) -> None:
    profiles = [{"skin_type": t, "concerns": dict.fromkeys(c, 70)} for t in SKIN_TYPES for c in CONCERN_SETS]
    profiles += list(EXTRA_PROFILES)
    tmp = Path(tempfile.mkdtemp())
    lines = []
    for n, profile in enumerate(profiles):
        path = tmp / f"profile{n}.json"
        path.write_text(json.dumps(profile), encoding="utf-8")
        proc = subprocess.run([*cmd, "recommend", "--profile", str(path), "--json", "--limit", "5"],
                              capture_output=True, text=True, env=env, check=False)
        lines.append(json.dumps({"profile": profile, "rc": proc.returncode,
                                 "out": json.loads(proc.stdout) if proc.stdout.strip() else None}, sort_keys=True))
    (out / "recommend.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")


def model(out: Path) -> None:
    from skimage import data

    from desktop.ml.infer import load_concern_model

    rng = np.random.default_rng(7)
    inputs = {"astronaut_crop": np.ascontiguousarray(np.asarray(data.astronaut())[30:286, 140:396]),
              "noise": rng.integers(0, 256, (240, 240, 3), dtype=np.uint8),
              "flat": np.full((200, 200, 3), (190, 150, 130), np.uint8)}
    record: dict[str, object] = {}
    for prefer in ("onnxruntime", "torch"):
        loaded = load_concern_model(prefer=prefer)
        if loaded is None:
            record[prefer] = None
            continue
        for name, image in inputs.items():
            record[f"{prefer}:{name}"] = [np.asarray(a, np.float64).ravel().tolist() for a in loaded.raw(image)]
    (out / "model.json").write_text(json.dumps(record), encoding="utf-8")


def main() -> None:
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    out = Path(sys.argv[1])
    out.mkdir(parents=True, exist_ok=True)
    cmd = [sys.argv[2]] if len(sys.argv) > 2 else [sys.executable, "-m", "desktop"]
    env = dict(os.environ, SKINLENS_HOME=tempfile.mkdtemp(prefix="skinlens-snapshot-"), QT_QPA_PLATFORM="offscreen")
    analyze(cmd, out, env)
    recommend(cmd, out, env)
    model(out)
    print(f"wrote {out}/analyze.jsonl, recommend.jsonl, model.json")


if __name__ == "__main__":
    main()
