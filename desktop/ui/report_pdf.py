"""A scan as a one-page PDF (Qt's own PDF writer: no extra dependency), for the user to keep or share.

Runs in a worker: QTextDocument and QPdfWriter are reentrant, so a long export never freezes the window.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from PySide6.QtCore import QMarginsF, QUrl
from PySide6.QtGui import QImage, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from desktop import __version__
from desktop.explain import SKIN_TYPE_WORDS, describe
from desktop.ml.report import CONCERNS, DISCLAIMER


def report_html(report: dict[str, Any], when: str, with_photo: bool) -> str:
    tone = report.get("tone") or {}
    skin_type = (report.get("skin_type") or {}).get("label")
    concerns = report.get("concerns") or {}
    quality = report.get("quality") or {}
    parts = [f"<h1>SkinLens report</h1><p>Scan of {html.escape(when)} · SkinLens {__version__}</p>"]
    if with_photo:
        parts.append("<p><img src='photo' width='260'></p>")
    if tone:
        parts.append(f"<p><b>Skin tone</b>: Monk {tone.get('monk')} of 10, ITA {tone.get('ita', 0):.0f}° "
                     f"({html.escape(str(tone.get('category', '')))}), {html.escape(str(tone.get('undertone', '')))}"
                     " undertone</p>")
    parts.append(f"<p><b>Skin type</b>: {html.escape(SKIN_TYPE_WORDS.get(skin_type or '', 'not measured'))}</p>")
    parts.append("<ul>" + "".join(f"<li>{html.escape(describe(c, concerns.get(c)))}</li>" for c in CONCERNS)
                 + "</ul>")
    if not quality.get("ok", True):
        parts.append("<p><b>Photo quality notes</b>: "
                     + html.escape(" ".join(quality.get("instructions", []))) + "</p>")
    parts.append(f"<p><i>{html.escape(DISCLAIMER)} Analysed on the user's own computer; the photo was not "
                 "uploaded anywhere.</i></p>")
    return "".join(parts)


def write_pdf(path: Path, report: dict[str, Any], when: str, photo: bytes | None = None) -> Path:
    """Write the report; `photo` is the kept photo as JPEG bytes (history keeps it sealed, never as a file)."""
    writer = QPdfWriter(str(path))
    writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
    writer.setPageMargins(QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    writer.setTitle("SkinLens report")
    writer.setCreator(f"SkinLens {__version__}")
    document = QTextDocument()
    image = QImage.fromData(photo) if photo else QImage()
    if not image.isNull():
        document.addResource(QTextDocument.ResourceType.ImageResource.value, QUrl("photo"), image)
    document.setHtml(report_html(report, when, not image.isNull()))
    document.print_(writer)
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"The PDF could not be written to {path}.")
    return path
