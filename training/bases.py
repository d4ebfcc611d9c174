"""Real faces the training composites are drawn on: the studio photos of ../shared/data/faces (CC BY 4.0,
SOURCES.md; never committed, shipped or shown) and scikit-image's public-domain astronaut.

Each photo is found and aligned once, as the app aligns a face but at `BASE_SCALE` times the app's canonical
crop (the photos' own resolution: eyes about 190 px apart), so close-up crops keep real skin detail. The
478 mesh points keep their depth (z), from which `training.views` turns a frontal face into a side view.
Results are cached (`cache`), keyed by the list of files and their sizes, so a second run does not detect again.

Grace Hopper's portrait (matplotlib) is licence-clear too but is left out on purpose: it is the real face the
stability check (training/stability.py) has never seen in training.
"""

from __future__ import annotations

import csv
import hashlib
import sys
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from desktop.ml.align import CANON_SIZE

BASE_SCALE = 1.5  # base crops are BASE_SCALE × the app's canonical crop: CANON_SIZE · 1.5 px, eyes 192 px apart
BASE_SIZE = int(CANON_SIZE * BASE_SCALE)
DEFAULT_FACES = Path(__file__).resolve().parents[2] / "shared" / "data" / "faces"
ASTRONAUT = "astronaut"


@dataclass(frozen=True)
class Base:
    name: str  # file relative to the faces folder, or "astronaut"
    person: str  # the same person in two photos shares this (london neutral/smiling)
    group: str  # self-reported ethnicity where the set gives it, else ""
    image: np.ndarray  # BASE_SIZE² × 3 uint8, eye-aligned
    landmarks: np.ndarray  # 478 × 3 float32 in crop pixels (x, y, z; z relative, smaller = nearer)


def person_of(name: str) -> str:
    stem = Path(name).stem
    if name.startswith("london/"):
        return "london-" + stem.split("_")[1]
    if name.startswith("canada/"):
        return "canada-" + stem
    return stem


def face_files(folder: Path) -> list[tuple[str, str]]:
    """(file, ethnicity) of every photo in `folder`'s files.csv (ethnicity from london_info.csv, else "")."""
    info = folder / "london_info.csv"
    ethnicity = {}
    if info.is_file():
        ethnicity = {r["face_id"]: r["face_eth"] for r in csv.DictReader(info.open(encoding="utf-8"))}
    rows = list(csv.DictReader((folder / "files.csv").open(encoding="utf-8")))
    return [(r["file"], ethnicity.get(person_of(r["file"]).removeprefix("london-"), "")) for r in rows]


def aligned_base(name: str, group: str, rgb: np.ndarray, finder: object) -> Base | None:
    """The photo's face aligned at BASE_SCALE × the canonical crop, or None when no face is found."""
    import cv2

    from desktop.ml.align import align

    face = finder.find(rgb).face  # type: ignore[attr-defined]
    if face is None:
        return None
    matrix = align(rgb, face.landmarks).matrix * BASE_SCALE  # the canonical similarity, scaled up
    crop = cv2.warpAffine(rgb, matrix, (BASE_SIZE, BASE_SIZE), flags=cv2.INTER_AREA, borderMode=cv2.BORDER_REFLECT)
    scale = float(np.hypot(*matrix[0, :2]))
    points = np.empty((len(face.landmarks), 3), np.float32)
    points[:, :2] = face.landmarks[:, :2] @ matrix[:, :2].T + matrix[:, 2]
    points[:, 2] = face.landmarks[:, 2] * scale
    return Base(name, person_of(name), group, np.ascontiguousarray(crop), points)


def cache_file(folder: Path | None, cache: Path) -> Path:
    """Where `load_bases(folder, cache)` keeps its result."""
    files = face_files(folder) if folder is not None and (folder / "files.csv").is_file() else []
    key = hashlib.sha256(repr([(f, (folder / f).stat().st_size) for f, _ in files]).encode()).hexdigest()[:16] \
        if folder is not None and files else "astronaut"
    return cache / f"bases-{key}.npz"


def load_bases(folder: Path | None, cache: Path | None = None) -> list[Base]:
    """The astronaut, plus every face in `folder` (None or missing: the astronaut alone); with `cache`, read
    from and written to `cache_file(folder, cache)`."""
    from skimage import data

    from desktop.ml.face import FaceFinder
    from desktop.ml.imaging import load_image

    files = face_files(folder) if folder is not None and (folder / "files.csv").is_file() else []
    if folder is not None and not files:
        print(f"no faces at {folder}: composites use the astronaut alone", file=sys.stderr)
    cached = cache_file(folder, cache) if cache is not None else None
    if cached is not None and cached.is_file():
        return read_bases(cached)
    finder = FaceFinder()
    bases = [aligned_base(ASTRONAUT, "", np.asarray(data.astronaut()), finder)]
    for name, group in files:
        assert folder is not None
        bases.append(aligned_base(name, group, load_image(folder / name).rgb, finder))
    found = [b for b in bases if b is not None]
    print(f"bases: {len(found)} faces found in {len(bases)} photos", flush=True)
    if cached is not None:
        _write(cached, found)
    return found


def _write(path: Path, bases: list[Base]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, names=np.array([b.name for b in bases]), groups=np.array([b.group for b in bases]),
             images=np.stack([b.image for b in bases]), landmarks=np.stack([b.landmarks for b in bases]))


def read_bases(path: Path) -> list[Base]:
    with np.load(path) as data:
        return [Base(str(n), person_of(str(n)), str(g), i, m) for n, g, i, m in
                zip(data["names"], data["groups"], data["images"], data["landmarks"], strict=True)]


def is_validation(person: str, share: float) -> bool:
    """Whether a person's photos are held out for validation: a fixed hash of the person, so every run and
    every seed holds out the same people, and both photos of one person always fall on the same side."""
    return person != ASTRONAUT and (zlib.crc32(person.encode()) % 1000) < share * 1000


def split_by_person(bases: list[Base], share: float) -> tuple[list[Base], list[Base]]:
    """(training bases, validation bases); the astronaut always trains."""
    train = [b for b in bases if not is_validation(b.person, share)]
    val = [b for b in bases if is_validation(b.person, share)]
    return train, val
