"""The app's PDF export of a stored scan: the same report as `skinlens report --pdf` (desktop.report), here
filled from the history entry, its kept photo and the person's saved answers.

Runs in a worker (the history controller's task runner): re-measuring the heat maps on the kept photo and
writing the PDF take a second or two, and the window must not freeze meanwhile. No Qt is needed for any of it.
"""

from __future__ import annotations

from pathlib import Path

from desktop.recommend.questionnaire import Answers
from desktop.report.compose import content_from_scan
from desktop.report.pdf import write_report_pdf
from desktop.services import Services
from desktop.ui.history_page import HistoryEntry


def export_report(services: Services, entry: HistoryEntry, path: Path, answers: Answers) -> Path:
    """Write `entry` as a PDF at `path` with the routine for `answers` and the trend up to that scan; the PDF is
    recorded with the history so that "Delete all my data" knows of it."""
    history = services.history
    photo = history.photo(entry.id) if entry.has_photo else None  # sealed on disk: opened here, never a file
    content = content_from_scan(entry.report, entry.created_at, photo, services.analyzer, services.recommender,
                                answers, history.analyses())
    written = write_report_pdf(path, content)
    history.record_export(written)
    return written
