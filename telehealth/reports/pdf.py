"""PDF of a report: Jinja2 HTML template rendered by weasyprint."""
from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import jinja2
from weasyprint import HTML

from telehealth.reports.document import Agreement, Report, ReportStatus
from telehealth.reports.sr import AGREEMENT_TEXT

TEMPLATES = Path(__file__).parent / "templates"

_KIND_LABEL = {
    "length": "Length", "diameter": "Diameter", "perimeter": "Perimeter", "area": "Area",
    "angle": "Angle", "probe": "Point value", "mean": "Mean", "standard_deviation": "Std. dev.",
    "minimum": "Minimum", "maximum": "Maximum",
}


@dataclass(frozen=True)
class Letterhead:
    """Per-organization letterhead: name, address, contacts, logo (PNG/JPEG/SVG bytes), colour."""

    name: str
    address: tuple[str, ...] = ()
    phone: str = ""
    email: str = ""
    website: str = ""
    logo: bytes | None = None
    logo_mime: str = "image/png"
    accent: str = "#1d4e89"


@dataclass(frozen=True)
class RenderedKeyImage:
    """A key image already rendered with its annotations (PNG bytes) and its caption."""

    png: bytes
    caption: str = ""
    detail: str = ""


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
    )
    env.filters["data_uri"] = lambda data, mime="image/png": (
        f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}")
    env.filters["when"] = _format_datetime
    return env


def _format_datetime(value: datetime | None) -> str:
    if value is None:
        return ""
    return value.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC")


def _measurement_rows(report: Report) -> list[dict[str, str]]:
    rows = []
    numbers = {aid: i for i, aid in enumerate(report.measurement_groups(), start=1)}
    keys = {(k.image.sop_instance_uid, k.image.frame_number): i
            for i, k in reversed(list(enumerate(report.key_images, start=1)))}
    for m in report.measurements:
        frame = f", frame {m.image.frame_number}" if m.image.frame_number else ""
        key = keys.get((m.image.sop_instance_uid, m.image.frame_number))
        where = f"Key image {key}" if key else f"…{m.image.sop_instance_uid[-12:]}{frame}"
        rows.append({
            "number": str(numbers[m.annotation_id]),
            "finding": m.finding or (m.finding_code.meaning if m.finding_code else ""),
            "kind": _KIND_LABEL.get(m.kind.value, m.kind.value),
            "value": m.display_value,
            "image": where,
        })
    return rows


def render_html(
    report: Report,
    letterhead: Letterhead,
    key_images: Sequence[RenderedKeyImage] = (),
    *,
    generated_at: datetime | None = None,
    verify_url: str = "",
) -> str:
    """The report as a self-contained HTML page (the preview and the PDF source)."""
    agreement = None
    if report.agreement is not None:
        agreement = {
            "label": AGREEMENT_TEXT[report.agreement.agreement],
            "level": report.agreement.agreement.value,
            "comment": report.agreement.comment,
            "concordant": report.agreement.agreement is Agreement.CONCORDANT,
        }
    return _environment().get_template("report.html").render(
        report=report,
        case=report.case,
        patient=report.case.patient,
        lh=letterhead,
        amended=report.status is ReportStatus.AMENDED or report.amendment is not None,
        draft=not report.is_signed,
        agreement=agreement,
        measurements=_measurement_rows(report),
        key_images=list(key_images),
        generated_at=_format_datetime(generated_at or datetime.now(UTC)),
        verify_url=verify_url,
    )


def render_pdf(
    report: Report,
    letterhead: Letterhead,
    key_images: Sequence[RenderedKeyImage] = (),
    *,
    generated_at: datetime | None = None,
    verify_url: str = "",
) -> bytes:
    """The report as PDF bytes (PDF 1.7, fonts embedded)."""
    html = render_html(report, letterhead, key_images, generated_at=generated_at,
                       verify_url=verify_url)
    pdf = HTML(string=html, base_url=str(TEMPLATES)).write_pdf(
        pdf_identifier=f"{report.report_id}-{report.version}".encode(),
    )
    assert pdf is not None
    return pdf
