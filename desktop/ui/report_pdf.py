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
    """Write `entry` as a PDF at `path` with the routine for `answers` and the trend up to that scan."""
    photo = None
    if entry.photo_path and Path(entry.photo_path).is_file():
        photo = Path(entry.photo_path).read_bytes()
    content = content_from_scan(entry.report, entry.created_at, photo, services.analyzer, services.recommender,
                                answers, services.history.analyses())
    return write_report_pdf(path, content)
