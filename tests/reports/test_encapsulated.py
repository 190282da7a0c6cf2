"""DICOM Encapsulated PDF of the report: valid under dciodvfy and carrying the exact PDF."""
from __future__ import annotations

from io import BytesIO

import pydicom
import pytest
from pydicom.dataset import Dataset

from telehealth.reports.encapsulated import (
    ENCAPSULATED_PDF,
    build_encapsulated_pdf,
    encapsulated_uids,
    to_bytes,
)
from telehealth.reports.pdf import Letterhead, render_pdf
from telehealth.reports.sr import build_sr
from tests.reports import samples

LETTERHEAD = Letterhead("Lakeside Imaging Consultants", ("12 Harbour Road", "8001 Zurich"))


@pytest.fixture(scope="module")
def pdfs() -> dict[str, bytes]:
    """PDFs of a draft, a final and an amended report (rendered once: weasyprint is slow)."""
    images = samples.evidence()
    final = samples.signed(samples.full_draft(images))
    return {
        "draft": render_pdf(samples.text_only(images), LETTERHEAD),
        "final": render_pdf(final, LETTERHEAD),
        "amended": render_pdf(samples.amended(final), LETTERHEAD),
    }


def _report(shape: str, images: list[Dataset]):
    final = samples.signed(samples.full_draft(images))
    return {"draft": samples.text_only(images), "final": final,
            "amended": samples.amended(final)}[shape]


@pytest.mark.parametrize("shape", ["draft", "final", "amended"])
def test_encapsulated_pdf_passes_dciodvfy(shape: str, images: list[Dataset], pdfs, dciodvfy) -> None:
    ds = build_encapsulated_pdf(_report(shape, images), pdfs[shape], images[0], institution="Lakeside")
    errors, output = dciodvfy(to_bytes(ds))
    assert errors == [], output
    assert "EncapsulatedPDF" in output


def test_pdf_bytes_round_trip(images: list[Dataset], pdfs) -> None:
    report = _report("amended", images)
    data = to_bytes(build_encapsulated_pdf(report, pdfs["amended"], images[0]))
    ds = pydicom.dcmread(BytesIO(data))
    length = int(ds.EncapsulatedDocumentLength)
    assert ds.EncapsulatedDocument[:length] == pdfs["amended"]
    assert (ds.SOPClassUID, ds.Modality, ds.MIMETypeOfEncapsulatedDocument) == (
        ENCAPSULATED_PDF, "DOC", "application/pdf")
    assert ds.DocumentTitle == "Second opinion report (amended)"
    assert ds.VerificationFlag == "VERIFIED"


def test_stored_beside_the_sr_in_the_case_study(images: list[Dataset], pdfs) -> None:
    report = _report("final", images)
    ds = build_encapsulated_pdf(report, pdfs["final"], images[0])
    sr = build_sr(report, images)
    assert ds.StudyInstanceUID == sr.StudyInstanceUID == images[0].StudyInstanceUID
    assert ds.SeriesInstanceUID != sr.SeriesInstanceUID  # one modality per series
    assert (ds.SeriesInstanceUID, ds.SOPInstanceUID) == encapsulated_uids(report)
    assert (ds.PatientName, ds.PatientID) == (images[0].PatientName, images[0].PatientID)
    assert (str(ds.ContentDate), str(ds.ContentTime)) == ("20261120", "143000")


def test_only_pdf_is_encapsulated(images: list[Dataset]) -> None:
    with pytest.raises(ValueError, match="not a PDF"):
        build_encapsulated_pdf(_report("draft", images), b"<html></html>", images[0])
