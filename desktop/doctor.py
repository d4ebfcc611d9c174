"""`skinlens doctor`: load every bundled model and data file once and say which (if any) is broken.

Written for installers: PyInstaller silently drops data files it was not told about, and a missing face model
would only show up when someone takes a photo. This runs each loader the app uses, on this installation.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable

import numpy as np

from desktop.resources import resource, resources_dir


def _catalog() -> str:
    from catalog_format import parse_catalog_file

    parsed = parse_catalog_file(resource("catalog", "demo_catalog.csv"))
    if parsed.errors or not parsed.rows:
        raise ValueError(f"demo catalog: {len(parsed.rows)} rows, {len(parsed.errors)} errors")
    return f"{len(parsed.rows)} demo products"


def _knowledge() -> str:
    from desktop.catalog.knowledge import default_knowledge

    kb = default_knowledge()
    return f"{len(kb.actives)} actives, {len(kb.fragrance_allergens)} fragrance allergens"


def _signing_key() -> str:
    from desktop.sync.client import default_public_key

    default_public_key()
    return "catalog signing key loaded"


def _face_models() -> str:
    from skimage import data

    from desktop.ml.face import FaceFinder

    found = FaceFinder().find(np.ascontiguousarray(data.astronaut()))
    if found.face is None:
        raise RuntimeError("the face models loaded but found no face in the reference photo")
    return f"face detector + 478-point mesh ({found.face.landmarks.shape[0]} landmarks)"


def _concern_model() -> str:
    from desktop.ml.infer import load_concern_model

    model = load_concern_model()
    if model is None:
        raise RuntimeError("no concern model could be loaded")
    size = model.config.input_size
    out = model.predict(np.zeros((size, size, 3), np.uint8))
    return f"{model.name} {model.version} ({type(model).__name__}, {len(out['concerns'])} concerns)"


def _skin_tone_tables() -> str:
    from desktop.ml.colour import monk_palette_lab

    return f"Monk palette with {len(monk_palette_lab())} tones"


def _qr() -> str:
    import segno

    segno.make("https://example.com").save(io.BytesIO(), kind="png")
    return "QR codes"


CHECKS: dict[str, Callable[[], str]] = {
    "demo catalog": _catalog, "ingredient knowledge": _knowledge, "signing key": _signing_key,
    "face models (mediapipe)": _face_models, "concern CNN": _concern_model, "skin-tone tables": _skin_tone_tables,
    "QR codes": _qr,
}


def run(as_json: bool = False) -> int:
    results = {}
    for name, check in CHECKS.items():
        try:
            results[name] = {"ok": True, "detail": check()}
        except Exception as exc:  # each check reports its own failure; the others still run
            results[name] = {"ok": False, "detail": f"{type(exc).__name__}: {exc}"}
    if as_json:
        print(json.dumps({"resources": str(resources_dir()), "checks": results}))
    else:
        print(f"resources: {resources_dir()}")
        for name, result in results.items():
            print(f"{'ok ' if result['ok'] else 'BAD'} {name}: {result['detail']}")
    return 0 if all(r["ok"] for r in results.values()) else 1
