"""The printed report as a PDF (reportlab, no Qt): the one writer behind `skinlens report --pdf` and the app's
export.

Page one is the skin: the photos, the heat maps of the concerns that stand out, every score with its meaning,
tone and type. Then the routine, each pick with its reasons, monthly cost and a QR code of its link (a printout
cannot be clicked), the trend over the stored scans, and the disclaimer on every page. Text is set in DejaVu
Sans (shipped with matplotlib) so every character a product name or reason uses prints.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    CondPageBreak,
    Image,
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from desktop.explain import CONCERN_NAMES, SKIN_TYPE_WORDS, level, meaning
from desktop.ml.report import DISCLAIMER
from desktop.ml.scoring import VALIDATED
from desktop.recommend.routine import Pick, Routine, RoutineStep, money
from desktop.recommend.steps import STEP_TITLES, WHEN_WORDS
from desktop.report import images
from desktop.report.content import ReportContent, main_concerns
from desktop.report.trend import trend_chart
from desktop.vocabulary import CONCERN_KEYS, ESTIMATE_WORDS

FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
INK, MUTED, ACCENT = colors.HexColor("#1d2430"), colors.HexColor("#5a6472"), colors.HexColor("#8a3b12")
QR_SIDE = 26 * mm
PRIVACY = "Analysed on this computer; the photos were not uploaded anywhere."
SEE_A_DOCTOR = ("See a dermatologist or your doctor for anything that worries you: a mole that changes, a sore "
                "that does not heal, pain, bleeding, or a rash that does not settle.")


def _fonts() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT in pdfmetrics.getRegisteredFontNames():
        return
    import matplotlib

    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


def _styles() -> dict[str, ParagraphStyle]:
    body = ParagraphStyle("body", fontName=FONT, fontSize=9.5, leading=12.5, textColor=INK)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=20, leading=24, spaceAfter=2),
        "h2": ParagraphStyle("h2", parent=body, fontName=BOLD, fontSize=13, leading=16, spaceBefore=8, spaceAfter=4),
        "h3": ParagraphStyle("h3", parent=body, fontName=BOLD, fontSize=10.5, leading=13, spaceBefore=4),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=MUTED),
        "caption": ParagraphStyle("caption", parent=body, fontSize=8.5, leading=10.5, alignment=TA_CENTER),
        "box": ParagraphStyle("box", parent=body, fontSize=9, leading=12, textColor=ACCENT),
    }


def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _image(png: bytes, width: float) -> Image:
    from PIL import Image as PILImage

    with PILImage.open(io.BytesIO(png)) as probe:
        w, h = probe.size
    return Image(io.BytesIO(png), width=width, height=width * h / w)


def write_report_pdf(path: Path, content: ReportContent) -> Path:
    """Write the report; raises OSError when the file cannot be written."""
    _fonts()
    st = _styles()
    story: list[Flowable] = []
    story += _header(content, st)
    story += _photos(content, st)
    story += _heat_maps(content, st)
    story += _scores(content, st)
    story += _routine(content.routine, st)
    story += _trend(content, st)
    if content.failed:
        story.append(Paragraph("Photos that could not be analysed", st["h2"]))
        story += [Paragraph(f"{_esc(name)}: {_esc(why)}", st["body"]) for name, why in content.failed]
    document = SimpleDocTemplate(str(path), pagesize=A4, leftMargin=16 * mm, rightMargin=16 * mm,
                                 topMargin=15 * mm, bottomMargin=20 * mm, title="SkinLens skin report",
                                 author="SkinLens", creator=f"SkinLens {content.version}")
    document.build(story, onFirstPage=_footer, onLaterPages=_footer)
    if not path.exists() or path.stat().st_size == 0:
        raise OSError(f"The PDF could not be written to {path}.")
    return path


def _footer(canvas: Any, document: Any) -> None:
    canvas.saveState()
    canvas.setFont(FONT, 7.5)
    canvas.setFillColor(MUTED)
    canvas.drawString(16 * mm, 10 * mm, f"SkinLens · {DISCLAIMER}")
    canvas.drawRightString(A4[0] - 16 * mm, 10 * mm, f"page {document.page}")
    canvas.restoreState()


def _header(content: ReportContent, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    count = len(content.views)
    photos = f"{count} photo{'s' if count != 1 else ''}"
    box = Table([[Paragraph(f"<b>{_esc(DISCLAIMER)}</b> {_esc(SEE_A_DOCTOR)}", st["box"])]], colWidths=[178 * mm])
    box.setStyle(TableStyle([("BOX", (0, 0), (-1, -1), 0.8, ACCENT), ("LEFTPADDING", (0, 0), (-1, -1), 6),
                             ("TOPPADDING", (0, 0), (-1, -1), 5), ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return [Paragraph("SkinLens skin report", st["title"]),
            Paragraph(f"{_esc(content.when)} · {photos} · SkinLens {_esc(content.version)} · {PRIVACY}",
                      st["small"]),
            Spacer(1, 4 * mm), box, Spacer(1, 3 * mm)]


def _summary(combined: dict[str, Any]) -> str:
    concerns = combined.get("concerns") or {}
    standing = [f"{CONCERN_NAMES.get(k, k).lower()} ({level(float(concerns[k]))}, {float(concerns[k]):.0f}/100)"
                for k in main_concerns(combined) if float(concerns[k]) >= 25]
    if not standing:
        return "What stands out in this scan: nothing above the low range."
    return "What stands out in this scan: " + ", ".join(standing) + "."


def _photos(content: ReportContent, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    """The photos beside what stands out, the tone and the type."""
    about = [Paragraph(_esc(_summary(content.combined)), st["body"]), Spacer(1, 2 * mm)]
    about += _tone_and_type(content.combined, st)
    shown = [v for v in content.views if v.rgb is not None]
    if not shown:
        return [Paragraph("The photo was not kept, so it and its heat maps are not in this report.", st["small"]),
                *about]
    width = 52 * mm if len(shown) == 1 else min(46 * mm, 176 * mm / len(shown))
    tiles = [[_image(images.photo_png(v.rgb), width - 4 * mm),
              Paragraph(_esc(v.report.get("view") or Path(v.name).name), st["caption"])]
             for v in shown if v.rgb is not None]
    if len(shown) == 1:
        table = Table([[tiles[0], about]], colWidths=[width, 178 * mm - width])
        table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
        return [table]
    row = Table([tiles], colWidths=[width] * len(tiles), hAlign="LEFT")
    return [row, *about]


def _heat_maps(content: ReportContent, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    concerns = content.combined.get("concerns") or {}
    tiles, captions = [], []
    for concern in main_concerns(content.combined):
        view = max((v for v in content.views if v.maps is not None and v.rgb is not None and v.landmarks is not None),
                   key=lambda v: float((v.report.get("concerns") or {}).get(concern) or 0.0), default=None)
        if view is None or view.rgb is None or view.maps is None or view.landmarks is None:
            continue
        png = images.heat_map_pngs(view.rgb, view.maps, view.landmarks, view.report.get("concerns") or {},
                                   [concern], view.face_box).get(concern)
        if png is not None:
            tiles.append(_image(png, 48 * mm))
            captions.append(Paragraph(f"<b>{_esc(CONCERN_NAMES.get(concern, concern))}</b> "
                                      f"{float(concerns[concern]):.0f}/100", st["caption"]))
    if not tiles:
        return [Paragraph("No heat maps: this scan measured no map of the face.", st["small"])]
    legend = Table([[Paragraph("low", st["small"]), _image(images.legend_png(), 60 * mm),
                     Paragraph("marked", st["small"])]], colWidths=[18 * mm, 64 * mm, 24 * mm], hAlign="LEFT")
    return [KeepTogether([Paragraph("Where the main concerns show", st["h2"]),
                          Table([tiles, captions], colWidths=[54 * mm] * len(tiles), hAlign="LEFT"),
                          Spacer(1, 1 * mm), legend,
                          Paragraph("Each map marks where the concern shows on the skin in the photo: clear where it "
                                    "does not, light yellow to dark red as it shows more (the colours of the score "
                                    "levels). It is a map of the photo, not a diagnosis.",
                                    st["small"])])]


def _scores(content: ReportContent, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    combined = content.combined
    concerns = combined.get("concerns") or {}
    unmeasured = {u.get("concern"): u.get("reason") for u in combined.get("unmeasured") or []
                  if isinstance(u, dict)}
    status = combined.get("concern_status") or {}  # no status: no real-photo figures, every score an estimate
    rows = [[Paragraph("<b>Concern</b>", st["body"]), Paragraph("<b>Score</b>", st["body"]),
             Paragraph("<b>What it means</b>", st["body"])]]
    for key in CONCERN_KEYS:
        value = concerns.get(key)
        score = f"{float(value):.0f} / 100" if isinstance(value, int | float) else "—"
        text = meaning(key, float(value) if isinstance(value, int | float) else None)
        if value is None and unmeasured.get(key):
            text += f" ({unmeasured[key]})"
        elif value is not None and status.get(key) != VALIDATED:
            text += f" · {ESTIMATE_WORDS}"
        rows.append([Paragraph(_esc(CONCERN_NAMES.get(key, key)), st["body"]), Paragraph(score, st["body"]),
                     Paragraph(_esc(text), st["body"])])
    table = Table(rows, colWidths=[34 * mm, 22 * mm, 122 * mm], repeatRows=1)
    table.setStyle(TableStyle([("LINEBELOW", (0, 0), (-1, 0), 0.8, INK), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f3f1ee")])]))
    return [CondPageBreak(62 * mm), Paragraph("Scores", st["h2"]),
            Paragraph("0–100: how visible each concern is in this photo; higher means more.", st["small"]), table]


def _tone_and_type(combined: dict[str, Any], st: dict[str, ParagraphStyle]) -> list[Flowable]:
    tone = combined.get("tone") or {}
    skin_type = combined.get("skin_type") or {}
    out: list[Flowable] = []
    if tone:
        out.append(Paragraph(f"<b>Skin tone</b>: Monk {tone.get('monk')} of 10; ITA {float(tone.get('ita', 0)):.0f}° "
                             f"({_esc(tone.get('category', ''))}); {_esc(tone.get('undertone', ''))} undertone.",
                             st["body"]))
    else:
        out.append(Paragraph("<b>Skin tone</b>: not measured in this photo.", st["body"]))
    label = skin_type.get("label")
    words = SKIN_TYPE_WORDS.get(label or "", "not told by the photo: the routine uses your answers")
    out.append(Paragraph(f"<b>Skin type</b>: {_esc(words)}", st["body"]))
    quality = combined.get("quality") or {}
    if not quality.get("ok", True) and quality.get("instructions"):
        out.append(Paragraph("<b>Photo notes</b>: " + _esc(" ".join(quality["instructions"])), st["body"]))
    return out


def _routine(routine: Routine | None, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    out: list[Flowable] = [PageBreak(), Paragraph("Your routine", st["h2"])]
    if routine is None or not any(s.products for s in routine.steps):
        return [*out, Paragraph("No routine: no product in the catalog fits these answers.", st["body"])]
    total, currency, unknown = routine.monthly_cost()
    cost = f"About {money(total, currency)} a month" + (
        f" for the steps with a known pack size (not {', '.join(STEP_TITLES.get(s, s) for s in unknown)})"
        if unknown else "")
    out += [Paragraph(f"One product per step. <b>{_esc(cost)}.</b> {_esc(routine.cost_note)}", st["small"])]
    shown: set[str] = set()
    for when in ("am", "pm"):
        out.append(Paragraph(WHEN_WORDS[when], st["h3"]))
        for step in (s for s in routine.steps if when in s.when and s.products):
            if step.step in shown:
                pick = step.products[0]
                out.append(Paragraph(f"<b>{_esc(STEP_TITLES.get(step.step, step.step))}</b>: {_esc(pick.brand)} "
                                     f"{_esc(pick.name)}, as in the morning.", st["body"]))
            else:
                out.append(_step(step, st))
                shown.add(step.step)
    for warning in routine.warnings:
        out.append(Paragraph(f"⚠ {_esc(warning)}", st["box"]))
    out += [Paragraph(_esc(note), st["body"]) for note in routine.notes]
    out += [Paragraph(_esc(line), st["small"]) for line in routine.left_out()]
    return out


def _step(step: RoutineStep, st: dict[str, ParagraphStyle]) -> Flowable:
    pick = step.products[0]
    both = " (morning and evening)" if len(step.when) == 2 else ""
    lines = [Paragraph(f"<b>{_esc(STEP_TITLES.get(step.step, step.step))}</b>{both}", st["body"]),
             Paragraph(f"<b>{_esc(pick.brand)}</b> — {_esc(pick.name)}", st["body"]),
             Paragraph(_esc(_price_line(pick)), st["small"])]
    lines += [Paragraph(f"• {_esc(reason)}", st["body"]) for reason in pick.reasons]
    if step.alternatives:
        lines.append(Paragraph("Alternatives: " + _esc("; ".join(f"{a.brand} {a.name}" for a in step.alternatives)),
                               st["small"]))
    qr = [_image(images.qr_png(pick.url), QR_SIDE), Paragraph("Scan for the shop page", st["caption"])] \
        if pick.url else [Paragraph("No link in the catalog", st["small"])]
    table = Table([[lines, qr]], colWidths=[142 * mm, 36 * mm])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.4, MUTED),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 6)]))
    return KeepTogether([table])


def _price_line(pick: Pick) -> str:
    parts = [money(pick.price, pick.currency)]
    if pick.size:
        parts.append(pick.size)
    parts.append(f"about {money(pick.monthly_cost, pick.currency)} a month" if pick.monthly_cost is not None
                 else "monthly cost unknown (no pack size)")
    return " · ".join(parts)


def _trend(content: ReportContent, st: dict[str, ParagraphStyle]) -> list[Flowable]:
    if len(content.trend) < 2:
        return []
    chart = trend_chart(content.trend, main_concerns(content.combined))
    if chart is None:
        return []
    first, last = content.trend[0][0], content.trend[-1][0]
    from datetime import datetime

    span = f"{datetime.fromtimestamp(first):%d %b %Y} to {datetime.fromtimestamp(last):%d %b %Y}"
    return [CondPageBreak(90 * mm), Paragraph("Your history", st["h2"]),
            Paragraph(f"{len(content.trend)} scans from {span}, on a time axis (gaps between scans are to scale).",
                      st["small"]), chart]
