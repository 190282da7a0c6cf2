"""PDF of the report: the text a reader sees (pdftotext) and rendered pages (pdftoppm)."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from pydicom.dataset import Dataset

from telehealth.reports.document import Report
from telehealth.reports.keyimages import draw_annotations, shapes_from_measurements, to_jpeg, to_png, window_frame
from telehealth.reports.pdf import Letterhead, RenderedKeyImage, render_html, render_pdf
from tests.reports import samples

LOGO = to_png(Image.new("RGB", (240, 60), (29, 78, 137)))
LETTERHEAD = Letterhead("Lakeside Imaging Consultants", ("12 Harbour Road", "8001 Zurich"),
                        phone="+41 44 555 0100", email="reports@lakeside.example", logo=LOGO)


def key_images(report: Report, images: list[Dataset]) -> list[RenderedKeyImage]:
    """Key images rendered with their measured annotations drawn."""
    by_uid = {ds.SOPInstanceUID: ds for ds in images}
    out = []
    for key in report.key_images:
        frame = window_frame(by_uid[key.image.sop_instance_uid], key.image.frame_number,
                             key.window_center, key.window_width)
        drawn = draw_annotations(frame, shapes_from_measurements(report.measurements, key.annotation_ids))
        out.append(RenderedKeyImage(to_jpeg(drawn), key.caption, f"W {key.window_width:g} / L {key.window_center:g}"))
    return out


@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[Report, bytes]]:
    """Draft, final and amended PDFs (rendered once per module)."""
    images = samples.evidence()
    draft = samples.full_draft(images)
    final = samples.signed(draft)
    amended = samples.amended(final)
    return {name: (r, render_pdf(r, LETTERHEAD, key_images(r, images)))
            for name, r in (("draft", draft), ("final", final), ("amended", amended),
                            ("text_only", samples.text_only(images)))}


def _text(run_tool, pdf: bytes) -> str:
    return re.sub(r"\s+", " ", run_tool("pdftotext", pdf, "-layout", "{path}", "-", suffix=".pdf"))


def test_final_pdf_reads_as_the_report(rendered, run_tool) -> None:
    report, pdf = rendered["final"]
    text = _text(run_tool, pdf)
    for expected in (
        "Lakeside Imaging Consultants", "12 Harbour Road", "Maria Šimková", "MRN-778812",
        "14 Mar 1961", "C-2026-0042", "Peter Novak", "City Hospital Radiology",
        report.case.clinical_question, "Ex-smoker, 30 pack-years", "Non-contrast CT of the chest",
        "Solid 12 mm nodule in the right upper lobe", "12.4 mm", "113.1 mm²", "-612.5 HU", "90°",
        "Spiculated solid RUL nodule, Lung-RADS 4B.", "PET-CT and tissue sampling.",
        "Major discrepancy with the original read", "Original read called the nodule benign.",
        "Electronically signed by", "Anna Keller", "20 Nov 2026, 14:30 UTC", "K7QF-2M9X-TR4D",
        "Key image 1", "RUL nodule",
    ):
        assert expected in text, expected
    assert "DRAFT" not in text and "AMENDED" not in text


def test_amended_pdf_says_so(rendered, run_tool) -> None:
    _, pdf = rendered["amended"]
    text = _text(run_tool, pdf)
    assert "AMENDED REPORT." in text
    assert "replaces version 1 signed 20 Nov 2026, 14:30 UTC" in text
    assert "Nodule size corrected after re-measurement." in text
    assert "P3NC-88WQ-ZL2K" in text and "K7QF-2M9X-TR4D" not in text
    assert "C-2026-0042 · v2 · AMENDED" in text  # running footer on every page


def test_draft_pdf_is_marked_unsigned(rendered, run_tool) -> None:
    _, pdf = rendered["draft"]
    text = _text(run_tool, pdf)
    assert "DRAFT" in text and "Not signed. This draft is not a medical report." in text
    assert "Electronically signed" not in text


def test_text_only_report_has_no_empty_sections(rendered, run_tool) -> None:
    _, pdf = rendered["text_only"]
    text = _text(run_tool, pdf)
    assert "Measurements".upper() not in text and "KEY IMAGES" not in text
    assert "No consolidation." in text


def test_key_images_are_embedded(rendered, run_tool) -> None:
    report, pdf = rendered["final"]
    listing = run_tool("pdfimages", pdf, "-list", "{path}", suffix=".pdf").splitlines()[2:]
    sizes = {(int(line.split()[3]), int(line.split()[4])) for line in listing}
    assert len(listing) == len(report.key_images) + 1  # plus the logo
    assert (512, 512) in sizes and (240, 60) in sizes


def test_pages_render(rendered, tmp_path: Path) -> None:
    _, pdf = rendered["amended"]
    source = tmp_path / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(source), str(tmp_path / "page")], check=True)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert 1 <= len(pages) <= 3
    first = np.asarray(Image.open(pages[0]).convert("RGB")).astype(int)
    assert first.std() > 20  # not a blank page
    # the red AMENDED banner sits near the top of page 1
    red = (first[:, :, 0] > 150) & (first[:, :, 1] < 80) & (first[:, :, 2] < 80)
    assert red[: first.shape[0] // 3].sum() > 50


def test_html_escapes_user_text(images: list[Dataset]) -> None:
    from dataclasses import replace

    report = replace(samples.text_only(images), history="<script>alert(1)</script>")
    html = render_html(report, LETTERHEAD)
    assert "<script>alert(1)" not in html and "&lt;script&gt;" in html
