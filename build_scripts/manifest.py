"""What goes into the PyInstaller bundle, as plain data: the spec reads it and a CI test checks it.

Kept free of PyInstaller imports so `tests/unit/test_bundle_manifest.py` can check it on every CI run without
building (bundling is slow): every file under resources/ is listed, the face models are collected, and the
training-only packages are excluded.
"""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NAME = "skinlens"

# Training, testing and server packages: the desktop app never imports them at run time (torch is only the
# fallback runtime of the CNN; ONNX Runtime runs it in the bundle; `training` is this project's training code).
# The server is a separate deployment.
EXCLUDES = [
    "training", "torch", "torchvision", "torchaudio", "onnx", "tensorboard", "triton", "sympy", "networkx",
    "pytest", "_pytest", "pytestqt", "hypothesis", "schemathesis", "mypy", "ruff", "importlinter",
    "sync_server", "fastapi", "starlette", "uvicorn", "uvloop", "httptools", "alembic", "psycopg",
    "jax", "jaxlib", "sounddevice", "matplotlib.tests", "scipy.tests", "skimage.tests", "tkinter",
    "IPython", "notebook", "PySide6.QtWebEngineCore", "PySide6.Qt3DCore", "PySide6.QtQuick",
]

# Imported lazily (inside functions), so PyInstaller's import graph cannot see them.
HIDDEN_IMPORTS = [
    "desktop.ui.main_window", "desktop.doctor", "onnxruntime", "segno", "keyring.backends.SecretService",
    "keyring.backends.kwallet", "keyring.backends.macOS", "keyring.backends.Windows", "keyring.backends.fail",
    "mediapipe.python.solutions.face_detection", "mediapipe.python.solutions.face_mesh",
    "skimage.data", "PySide6.QtPrintSupport", "desktop.report.pdf", "reportlab", "reportlab.graphics.charts.lineplots",
]

# The mediapipe graphs and models FaceFinder loads (face detection, full and short range; the face mesh with
# attention). Listed per file: a missing one fails the manifest test, not a customer's first photo.
MEDIAPIPE_MODULES = ("face_detection", "face_landmark")


def version() -> str:
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    if not match:
        raise ValueError("no version in pyproject.toml")
    return match.group(1)


def resource_files() -> list[Path]:
    return sorted(p for p in (ROOT / "resources").rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def resource_datas() -> list[tuple[str, str]]:
    """(source file, folder inside the bundle) for every file under resources/, keeping the tree."""
    return [(str(p), str(p.parent.relative_to(ROOT))) for p in resource_files()]


def package_dir(name: str) -> Path:
    spec = importlib.util.find_spec(name)
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError(f"{name} is not installed in this environment")
    return Path(next(iter(spec.submodule_search_locations)))


def mediapipe_datas() -> list[tuple[str, str]]:
    base = package_dir("mediapipe")
    datas = []
    for module in MEDIAPIPE_MODULES:
        for path in sorted((base / "modules" / module).iterdir()):
            if path.suffix in (".tflite", ".binarypb"):
                datas.append((str(path), f"mediapipe/modules/{module}"))
    return datas


def skimage_datas() -> list[tuple[str, str]]:
    """The public-domain astronaut photo: `skinlens doctor` checks the face models on it."""
    path = package_dir("skimage") / "data" / "astronaut.png"
    return [(str(path), "skimage/data")]


def opencv_datas() -> list[tuple[str, str]]:
    """OpenCV's profile-face cascade: the face search's last stage for faces in full profile."""
    path = package_dir("cv2") / "data" / "haarcascade_profileface.xml"
    return [(str(path), "cv2/data")]


def all_datas() -> list[tuple[str, str]]:
    return resource_datas() + mediapipe_datas() + skimage_datas() + opencv_datas()
