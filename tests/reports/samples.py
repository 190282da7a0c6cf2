"""Report shapes and evidence images shared by the reports tests and the benchmark."""
from __future__ import annotations

import copy
from dataclasses import replace
from datetime import UTC, date, datetime

import pydicom
from pydicom.data import get_testdata_file
from pydicom.dataset import Dataset

from telehealth.reports.document import (
    Agreement,
    AgreementAssessment,
    Amendment,
    CaseDetails,
    FindingSection,
    GraphicType,
    ImageRef,
    KeyImage,
    Measurement,
    MeasurementKind,
    Patient,
    Person,
    PredecessorRef,
    Report,
    ReportStatus,
)
from telehealth.reports.sr import COMPREHENSIVE_SR, sr_uids

SIGNED_AT = datetime(2026, 11, 20, 14, 30, tzinfo=UTC)


def evidence() -> list[Dataset]:
    """Two CT images of one study (the second a copy of CT_small under a new UID)."""
    ct = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    second = copy.deepcopy(ct)
    second.SOPInstanceUID = pydicom.uid.generate_uid(entropy_srcs=["reports-test-ct-2"])
    second.InstanceNumber = 2
    return [ct, second]


def ref(ds: Dataset) -> ImageRef:
    """ImageRef of an evidence dataset."""
    return ImageRef(ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.SOPClassUID, ds.SOPInstanceUID)


def case(study_uid: str) -> CaseDetails:
    """A second-opinion case on a chest CT."""
    return CaseDetails(
        case_id="5f0c2a4e-1111-4c3b-9d55-0a1b2c3d4e5f", reference="C-2026-0042",
        patient=Patient("Maria Šimková", "MRN-778812", date(1961, 3, 14), "F"),
        clinical_question="Is the 12 mm right upper lobe nodule suspicious for malignancy?",
        referrer=Person("Peter Novak", "u-ref", "City Hospital Radiology"),
        specialty="Thoracic radiology", modality="CT", study_instance_uid=study_uid,
    )


SPECIALIST = Person("Anna Keller", "u-spec-1", "Lakeside Imaging Consultants")


def text_only(images: list[Dataset]) -> Report:
    """A narrative-only draft."""
    return Report(
        report_id="rep-text", case=case(images[0].StudyInstanceUID), author=SPECIALIST,
        history="Ex-smoker, 30 pack-years.", technique="Non-contrast CT of the chest, 1 mm.",
        findings=(FindingSection("Lungs", "No consolidation."),),
        impression=("No acute abnormality.",),
    )


def measurements(images: list[Dataset]) -> tuple[Measurement, ...]:
    """One measurement of every kind, grouped into four annotations."""
    a, b = ref(images[0]), ref(images[1])
    line = ((10.0, 12.5), (40.25, 52.0))
    ellipse = ((30.0, 40.0), (70.0, 40.0), (50.0, 30.0), (50.0, 50.0))
    angle = ((20.0, 20.0), (60.0, 60.0), (100.0, 20.0))
    return (
        Measurement("0f8fad5b-d9cb-469f-a165-70867728950e", MeasurementKind.LENGTH, 12.4, "mm", a,
                    GraphicType.POLYLINE, line, finding="RUL nodule"),
        Measurement("7c9e6679-7425-40de-944b-e07fc1f90ae7", MeasurementKind.AREA, 113.1, "mm2", a,
                    GraphicType.ELLIPSE, ellipse, finding="RUL nodule ROI"),
        Measurement("7c9e6679-7425-40de-944b-e07fc1f90ae7", MeasurementKind.MEAN, -612.5,
                    "[hnsf'U]", a, GraphicType.ELLIPSE, ellipse),
        Measurement("7c9e6679-7425-40de-944b-e07fc1f90ae7", MeasurementKind.STANDARD_DEVIATION,
                    48.25, "[hnsf'U]", a, GraphicType.ELLIPSE, ellipse),
        Measurement("a3bb189e-8bf9-3888-9912-ace4e6543002", MeasurementKind.ANGLE, 90.0, "deg", b,
                    GraphicType.POLYLINE, angle, finding="Carinal angle"),
        Measurement("probe-1", MeasurementKind.PROBE, 35.0, "[hnsf'U]", b, GraphicType.POINT,
                    ((64.0, 64.0),)),
    )


def full_draft(images: list[Dataset]) -> Report:
    """A complete draft with measurements, agreement and key images."""
    return Report(
        report_id="rep-full", case=case(images[0].StudyInstanceUID), author=SPECIALIST,
        history="Ex-smoker, 30 pack-years. Nodule found on outside CT.",
        technique="Non-contrast CT of the chest, 1 mm slices, lung and soft-tissue kernels.",
        comparison="None available.",
        findings=(
            FindingSection("Lungs", "Solid 12 mm nodule in the right upper lobe with spiculated margin."),
            FindingSection("Mediastinum", "No enlarged lymph nodes."),
        ),
        measurements=measurements(images),
        impression=("Spiculated solid RUL nodule, Lung-RADS 4B.", "No lymphadenopathy."),
        recommendations=("PET-CT and tissue sampling.",),
        agreement=AgreementAssessment(Agreement.MAJOR_DISCREPANCY,
                                      "Original read called the nodule benign."),
        key_images=(
            KeyImage(ref(images[0]), 40.0, 400.0,
                     ("0f8fad5b-d9cb-469f-a165-70867728950e",), "RUL nodule"),
            KeyImage(ref(images[1]), -600.0, 1500.0, (), "Lung window"),
        ),
    )


def signed(report: Report) -> Report:
    """The same content, signed."""
    return replace(report, status=ReportStatus.FINAL, signer=SPECIALIST, signed_at=SIGNED_AT,
                   verification_code="K7QF-2M9X-TR4D")


def amended(final: Report) -> Report:
    """Version 2 amending ``final``, signed."""
    series, sop = sr_uids(final)
    pred = PredecessorRef(final.version, final.case.study_instance_uid, series, sop,
                          COMPREHENSIVE_SR, final.signed_at)
    return replace(final, version=final.version + 1, status=ReportStatus.AMENDED,
                   amendment=Amendment("Nodule size corrected after re-measurement.", pred),
                   signed_at=datetime(2026, 11, 21, 9, 5, tzinfo=UTC),
                   verification_code="P3NC-88WQ-ZL2K")
