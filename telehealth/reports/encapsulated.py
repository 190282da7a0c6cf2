"""DICOM Encapsulated PDF (PS3.3 A.45.1) of the report PDF, in the case's study beside the SR.

highdicom has no Encapsulated PDF class, so the instance is its generic ``SOPClass``
(Patient, General Study, SOP Common, series attributes) plus the Encapsulated Document
Series, SC Equipment and Encapsulated Document modules (PS3.3 C.24.1, C.8.6.1, C.24.2).
"""
from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO

from highdicom.base import SOPClass
from pydicom.dataset import Dataset
from pydicom.uid import UID
from pydicom.valuerep import DA, TM

from telehealth.reports.document import Report
from telehealth.reports.sr import MANUFACTURER, derived_uid

ENCAPSULATED_PDF = UID("1.2.840.10008.5.1.4.1.1.104.1")
DOC_SERIES_NUMBER = 9002


def encapsulated_uids(report: Report) -> tuple[UID, UID]:
    """(series, SOP instance) UIDs: one DOC series per report, one instance per version."""
    return (
        derived_uid("telehealth-report-pdf-series", report.report_id),
        derived_uid("telehealth-report-pdf", report.report_id, str(report.version)),
    )


def _title(report: Report) -> str:
    title = report.title or "Report"
    if report.status.value == "amended":
        title += " (amended)"
    elif not report.is_signed:
        title += " (draft)"
    return title[:64]


def build_encapsulated_pdf(
    report: Report,
    pdf: bytes,
    study_header: Dataset,
    *,
    institution: str = "",
    now: datetime | None = None,
) -> Dataset:
    """Encapsulated PDF instance; patient and study attributes copied from ``study_header``."""
    if not pdf.startswith(b"%PDF-"):
        raise ValueError("not a PDF document")
    series_uid, sop_uid = encapsulated_uids(report)
    when = ((report.signed_at if report.is_signed else None) or now
            or datetime.now(UTC)).astimezone(UTC)
    ds = SOPClass(
        study_instance_uid=study_header.StudyInstanceUID,
        series_instance_uid=series_uid,
        series_number=DOC_SERIES_NUMBER,
        sop_instance_uid=sop_uid,
        sop_class_uid=ENCAPSULATED_PDF,
        instance_number=report.version,
        modality="DOC",
        manufacturer=MANUFACTURER,
        series_description="Second opinion report (PDF)",
        institution_name=institution or None,
        specific_character_set="ISO_IR 192",
        transfer_syntax_uid="1.2.840.10008.1.2.1",
    )
    ds.copy_patient_and_study_information(study_header)
    if ds.get("PatientWeight") in (0, "0"):
        del ds.PatientWeight  # zero is a placeholder in many headers, not a weight
    ds.ContentDate = ds.SeriesDate = DA(when.strftime("%Y%m%d"))
    ds.ContentTime = ds.SeriesTime = TM(when.strftime("%H%M%S"))
    ds.AcquisitionDateTime = when.strftime("%Y%m%d%H%M%S+0000")
    # SC Equipment (PS3.3 C.8.6.1): the PDF is a synthetic image of a workstation.
    ds.ConversionType = "WSD"
    # Encapsulated Document (PS3.3 C.24.2).
    ds.BurnedInAnnotation = "YES"
    ds.RecognizableVisualFeatures = "NO"
    ds.DocumentTitle = _title(report)
    concept = Dataset()
    concept.CodeValue, concept.CodingSchemeDesignator = "18748-4", "LN"
    concept.CodeMeaning = "Diagnostic imaging study"
    ds.ConceptNameCodeSequence = [concept]
    ds.VerificationFlag = "VERIFIED" if report.is_signed else "UNVERIFIED"
    ds.MIMETypeOfEncapsulatedDocument = "application/pdf"
    ds.EncapsulatedDocument = pdf + (b"\0" if len(pdf) % 2 else b"")
    ds.EncapsulatedDocumentLength = len(pdf)
    return ds


def to_bytes(ds: Dataset) -> bytes:
    """The instance as a DICOM Part 10 file."""
    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()
