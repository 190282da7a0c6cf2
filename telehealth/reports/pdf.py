"""PDF of a report: Jinja2 HTML template rendered by weasyprint."""
from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

import jinja2
from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

from telehealth.reports.document import Agreement, Report, ReportStatus
from telehealth.reports.sr import AGREEMENT_TEXT

TEMPLATES = Path(__file__).parent / "templates"
ASSET = "report-asset:"

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
    """A key image already rendered with its annotations (JPEG or PNG bytes) and its caption.

    JPEG is preferred: weasyprint embeds it as is, while PNG is re-encoded (slow).
    """

    data: bytes
    caption: str = ""
    detail: str = ""
    mime: str = "image/jpeg"


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
    inline_images: bool = True,
) -> str:
    """The report as a self-contained HTML page (the preview and the PDF source).

    With ``inline_images`` false, images are ``report-asset:`` URLs that ``render_pdf`` serves:
    weasyprint's HTML parser is slow on large data URIs.
    """
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
        logo_src=(_data_uri(letterhead.logo, letterhead.logo_mime) if inline_images else f"{ASSET}logo")
        if letterhead.logo else "",
        image_src=lambda i: _data_uri(key_images[i].data, key_images[i].mime) if inline_images else f"{ASSET}{i}",
    )


class _AssetFetcher(URLFetcher):
    """Serves the report's own images; a report never loads anything from the network or the disk."""

    def __init__(self, assets: dict[str, tuple[bytes, str]]) -> None:
        super().__init__(fail_on_errors=True)
        self.assets = assets

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """The asset's bytes, or an error for anything else."""
        if url not in self.assets:
            raise ValueError(f"report asset {url!r} is not available")
        data, mime = self.assets[url]
        return URLFetcherResponse(url, data, {"Content-Type": mime})


def _data_uri(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


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
                       verify_url=verify_url, inline_images=False)
    assets = {f"{ASSET}{i}": (image.data, image.mime) for i, image in enumerate(key_images)}
    if letterhead.logo:
        assets[f"{ASSET}logo"] = (letterhead.logo, letterhead.logo_mime)

    pdf = HTML(string=html, base_url=str(TEMPLATES), url_fetcher=_AssetFetcher(assets)).write_pdf(
        pdf_identifier=f"{report.report_id}-{report.version}".encode(),
    )
    assert pdf is not None
    return pdf
