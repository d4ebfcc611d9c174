"""The PyInstaller bundle's manifest (build_scripts/manifest.py), checked on every CI run without building."""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def manifest():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("skinlens_bundle_manifest", ROOT / "build_scripts" / "manifest.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_every_resource_file_is_bundled_in_its_folder(manifest) -> None:  # type: ignore[no-untyped-def]
    on_disk = {p.relative_to(ROOT).as_posix() for p in (ROOT / "resources").rglob("*") if p.is_file()}
    listed = {(Path(dest) / Path(src).name).as_posix() for src, dest in manifest.all_datas()
              if dest.split("/")[0] == "resources"}
    assert on_disk and on_disk == listed
    for must in ("resources/models/skin_cnn.onnx", "resources/catalog/demo_catalog.csv",
                 "resources/keys/catalog_signing_dev.pub.pem", "resources/knowledge/knowledge.json",
                 "resources/ATTRIBUTION.md"):
        assert must in listed


def test_the_face_models_the_app_loads_are_collected(manifest) -> None:  # type: ignore[no-untyped-def]
    names = {Path(src).name for src, _dest in manifest.mediapipe_datas()}
    assert {"face_detection_full_range_cpu.binarypb", "face_detection_full_range_sparse.tflite",
            "face_detection_short_range.tflite", "face_landmark_front_cpu.binarypb",
            "face_landmark_with_attention.tflite"} <= names
    assert all(Path(src).is_file() for src, _dest in manifest.all_datas())


def test_training_and_server_packages_are_excluded_and_lazy_imports_declared(manifest) -> None:  # type: ignore[no-untyped-def]
    assert {"training", "torch", "onnx", "pytest", "sync_server", "fastapi", "schemathesis"} <= set(manifest.EXCLUDES)
    assert {"onnxruntime", "segno", "desktop.ui.main_window"} <= set(manifest.HIDDEN_IMPORTS)
    assert manifest.version() == __import__("desktop").__version__


def test_the_spec_takes_everything_from_the_manifest() -> None:
    spec = (ROOT / "build_scripts" / "skinlens.spec").read_text(encoding="utf-8")
    ast.parse(spec)  # valid Python
    for needle in ("manifest.all_datas()", "manifest.HIDDEN_IMPORTS", "manifest.EXCLUDES", "entry.py"):
        assert needle in spec
