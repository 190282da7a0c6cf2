"""DICOM Comprehensive SR of a report: PS3.16 TID 1500 Measurement Report built with highdicom.

Tree (PS3.16 TID 1500): language (TID 1204), observation context (TID 1001), procedure
reported, image library (TID 1600) of the measured and key images, Imaging Measurements
with one TID 1410 planar ROI group per annotation (SCOORD referencing the measured image
and frame), and a Qualitative Evaluations container holding the narrative as TEXT items
named with PS3.16 CID 7002 report elements. Header per PS3.3 A.35.3 (Comprehensive SR IOD).
"""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import highdicom as hd
import numpy as np
from highdicom.sr import (
    CodedConcept,
    ComprehensiveSR,
    ContainerContentItem,
    ContentSequence,
    ImageLibrary,
    ImageRegion,
    LanguageOfContentItemAndDescendants,
    MeasurementReport,
    ObservationContext,
    ObserverContext,
    PersonObserverIdentifyingAttributes,
    PlanarROIMeasurementsAndQualitativeEvaluations,
    RelationshipTypeValues,
    SourceImageForRegion,
    TextContentItem,
    TrackingIdentifier,
)
from highdicom.sr import (
    Measurement as SRMeasurement,
)
from pydicom.dataset import Dataset
from pydicom.sr.codedict import codes
from pydicom.uid import UID
from pydicom.valuerep import DA, TM

from telehealth.reports.document import (
    Agreement,
    Code,
    Measurement,
    MeasurementKind,
    Report,
)

COMPREHENSIVE_SR = UID("1.2.840.10008.5.1.4.1.1.88.33")
SR_SERIES_NUMBER = 9001
MANUFACTURER = "Telehealth second opinion"

#: Concept name of each measurement kind (PS3.16 CID 7469 / CID 7464 / SCT).
_KIND_CONCEPT: dict[MeasurementKind, CodedConcept] = {
    MeasurementKind.LENGTH: CodedConcept("410668003", "SCT", "Length"),
    MeasurementKind.DIAMETER: CodedConcept("81827009", "SCT", "Diameter"),
    MeasurementKind.PERIMETER: CodedConcept("131191004", "SCT", "Perimeter"),
    MeasurementKind.AREA: CodedConcept("42798000", "SCT", "Area"),
    MeasurementKind.ANGLE: CodedConcept("1483009", "SCT", "Angle"),
    MeasurementKind.MEAN: CodedConcept("373098007", "SCT", "Mean"),
    MeasurementKind.STANDARD_DEVIATION: CodedConcept("386136009", "SCT", "Standard Deviation"),
    MeasurementKind.MINIMUM: CodedConcept("255605001", "SCT", "Minimum"),
    MeasurementKind.MAXIMUM: CodedConcept("56851009", "SCT", "Maximum"),
}
_ATTENUATION = CodedConcept("112031", "DCM", "Attenuation Coefficient")

_UCUM_MEANING = {
    "um": "micrometer", "mm": "millimeter", "cm": "centimeter", "m": "meter",
    "mm2": "square millimeter", "cm2": "square centimeter", "deg": "degree",
    "[hnsf'U]": "Hounsfield unit", "1": "no units", "%": "percent",
}

# PS3.16 TID 1500 row "Qualitative Evaluations" and CID 7002 report element names.
QUALITATIVE_EVALUATIONS = CodedConcept("C0034375", "UMLS", "Qualitative Evaluations")
REQUEST = CodedConcept("55115-0", "LN", "Request")
HISTORY = CodedConcept("11329-0", "LN", "History")
PROCEDURE_DESCRIPTION = CodedConcept("121065", "DCM", "Procedure Description")
COMPARISON = CodedConcept("111424", "DCM", "Comparison to previous studies")
FINDING = CodedConcept("121071", "DCM", "Finding")
IMPRESSION = CodedConcept("121073", "DCM", "Impression")
RECOMMENDATION = CodedConcept("121075", "DCM", "Recommendation")
AGREEMENT = CodedConcept("122775", "DCM", "Agreement with prior findings")
DISAGREEMENT = CodedConcept("122776", "DCM", "Disagreement with prior findings")
ADDENDUM = CodedConcept("121078", "DCM", "Addendum")

#: Procedure reported (PS3.16 CID 100) by modality when the report names none.
_PROCEDURE_BY_MODALITY = {
    "CT": CodedConcept("25045-6", "LN", "CT unspecified body region"),
    "MR": CodedConcept("25056-3", "LN", "MRI unspecified body region"),
    "PT": CodedConcept("44136-0", "LN", "PET unspecified body region"),
}
_IMAGING_PROCEDURE = CodedConcept("363679005", "SCT", "Imaging procedure")

AGREEMENT_TEXT = {
    Agreement.CONCORDANT: "Concordant with the original read",
    Agreement.MINOR_DISCREPANCY: "Minor discrepancy with the original read",
    Agreement.MAJOR_DISCREPANCY: "Major discrepancy with the original read",
}


class EvidenceMissing(ValueError):
    """Raised when the report references an image whose header was not supplied."""


_UID_NAMESPACE = uuid.UUID("6f1c3b0e-5d8e-4f43-9a57-2f7f1e0c4b21")


def derived_uid(*parts: str) -> UID:
    """Deterministic ``2.25`` UID from its parts, so rebuilding an output keeps its UIDs."""
    return UID(f"2.25.{uuid.uuid5(_UID_NAMESPACE, '/'.join(parts)).int}")


def sr_uids(report: Report) -> tuple[UID, UID]:
    """(series, SOP instance) UIDs of the SR: one series per report, one instance per version."""
    return sr_uids_of(report.report_id, report.version)


def sr_uids_of(report_id: str, version: int) -> tuple[UID, UID]:
    """SR UIDs of a report version known only by id and number (e.g. an amendment's predecessor)."""
    return (
        derived_uid("telehealth-report-sr-series", report_id),
        derived_uid("telehealth-report-sr", report_id, str(version)),
    )


def _coded(code: Code) -> CodedConcept:
    return CodedConcept(code.value, code.scheme, code.meaning)


def _unit(ucum: str) -> CodedConcept:
    return CodedConcept(ucum, "UCUM", _UCUM_MEANING.get(ucum, ucum))


def _tracking_uid(annotation_id: str) -> UID:
    try:
        return UID(f"2.25.{uuid.UUID(annotation_id).int}")
    except ValueError:
        return derived_uid("telehealth-annotation", annotation_id)


def _concept(m: Measurement) -> CodedConcept:
    if m.kind is MeasurementKind.PROBE:
        return _ATTENUATION if m.unit == "[hnsf'U]" else _KIND_CONCEPT[MeasurementKind.MEAN]
    return _KIND_CONCEPT[m.kind]


def _measurement_group(group: list[Measurement]) -> PlanarROIMeasurementsAndQualitativeEvaluations:
    """One TID 1410 group: the annotation's region and every value measured in it."""
    first = group[0]
    ref = first.image
    source = SourceImageForRegion(
        referenced_sop_class_uid=ref.sop_class_uid,
        referenced_sop_instance_uid=ref.sop_instance_uid,
        referenced_frame_numbers=[ref.frame_number] if ref.frame_number else None,
    )
    region = ImageRegion(
        graphic_type=first.graphic_type.value,
        graphic_data=np.array(first.points, dtype=float),
        source_image=source,
    )
    label = next((m.finding for m in group if m.finding), "") or f"Annotation {first.annotation_id}"
    finding_code = next((m.finding_code for m in group if m.finding_code), None)
    return PlanarROIMeasurementsAndQualitativeEvaluations(
        tracking_identifier=TrackingIdentifier(
            uid=_tracking_uid(first.annotation_id), identifier=label[:64]),
        referenced_region=region,
        finding_type=_coded(finding_code) if finding_code else None,
        measurements=[
            SRMeasurement(name=_concept(m), value=float(m.value), unit=_unit(m.unit)) for m in group
        ],
    )


def _text(name: CodedConcept, value: str) -> TextContentItem:
    return TextContentItem(name=name, value=value, relationship_type=RelationshipTypeValues.CONTAINS)


def narrative_items(report: Report) -> list[TextContentItem]:
    """The narrative as TEXT content items, in reading order."""
    items: list[TextContentItem] = [_text(REQUEST, report.case.clinical_question.strip())]
    for name, value in ((HISTORY, report.history), (PROCEDURE_DESCRIPTION, report.technique),
                        (COMPARISON, report.comparison)):
        if value.strip():
            items.append(_text(name, value.strip()))
    for section in report.findings:
        if section.text.strip():
            items.append(_text(FINDING, f"{section.title.strip()}: {section.text.strip()}"))
    for i, text in enumerate(report.impression, start=1):
        items.append(_text(IMPRESSION, f"{i}. {text.strip()}"))
    for i, text in enumerate(report.recommendations, start=1):
        items.append(_text(RECOMMENDATION, f"{i}. {text.strip()}"))
    if report.agreement is not None:
        a = report.agreement
        name = AGREEMENT if a.agreement is Agreement.CONCORDANT else DISAGREEMENT
        comment = f". {a.comment.strip()}" if a.comment.strip() else ""
        items.append(_text(name, AGREEMENT_TEXT[a.agreement] + comment))
    if report.amendment is not None:
        items.append(_text(
            ADDENDUM, f"Amends version {report.amendment.predecessor.version}: "
            f"{report.amendment.reason.strip()}"))
    return items


def _procedure(report: Report) -> CodedConcept:
    if report.procedure is not None:
        return _coded(report.procedure)
    return _PROCEDURE_BY_MODALITY.get(report.case.modality.upper(), _IMAGING_PROCEDURE)


def _observation_context(report: Report) -> ObservationContext:
    person = report.signer if report.signer is not None else report.author
    return ObservationContext(observer_person_context=ObserverContext(
        observer_type=codes.cid270.Person,
        observer_identifying_attributes=PersonObserverIdentifyingAttributes(
            name=person.person_name(),
            login_name=person.identifier or None,
            organization_name=person.organization or None,
        ),
    ))


def content_tree(report: Report, library: Sequence[Dataset]) -> ContentSequence:
    """Root TID 1500 container for the report."""
    groups = [_measurement_group(g) for g in report.measurement_groups().values()]
    context = _observation_context(report)
    if groups:
        tree: ContentSequence = MeasurementReport(
            observation_context=context, procedure_reported=_procedure(report),
            imaging_measurements=groups, referenced_images=list(library) or None,
        )
        root = tree[0]
    else:
        # highdicom's MeasurementReport insists on measurements; TID 1500 only needs one of
        # rows 6, 8 or 10, so a narrative-only report carries just Qualitative Evaluations.
        root = ContainerContentItem(name=codes.cid7021.ImagingMeasurementReport, template_id="1500")
        root.ContentSequence = ContentSequence()
        root.ContentSequence.extend(LanguageOfContentItemAndDescendants(
            CodedConcept("en-US", "RFC5646", "English (United States)")))
        root.ContentSequence.extend(context)
        root.ContentSequence.append(hd.sr.CodeContentItem(
            name=codes.DCM.ProcedureReported, value=_procedure(report),
            relationship_type=RelationshipTypeValues.HAS_CONCEPT_MOD))
        if library:
            root.ContentSequence.extend(ImageLibrary(list(library)))
        tree = ContentSequence([root], is_root=True)
    evaluations = ContainerContentItem(
        name=QUALITATIVE_EVALUATIONS, relationship_type=RelationshipTypeValues.CONTAINS)
    evaluations.ContentSequence = ContentSequence(narrative_items(report))
    root.ContentSequence.append(evaluations)
    return tree


def _order_evidence(report: Report, evidence: Sequence[Dataset]) -> list[Dataset]:
    """Evidence with an image of the case's study first (the SR joins that study)."""
    if not evidence:
        raise EvidenceMissing("an SR needs at least one image header of the case's study")
    study = report.case.study_instance_uid or evidence[0].StudyInstanceUID
    same = [ds for ds in evidence if ds.StudyInstanceUID == study]
    if not same:
        raise EvidenceMissing(f"no evidence image belongs to the case's study {study}")
    return same + [ds for ds in evidence if ds.StudyInstanceUID != study]


def _library(report: Report, evidence: Sequence[Dataset]) -> list[Dataset]:
    by_uid = {str(ds.SOPInstanceUID): ds for ds in evidence}
    wanted = [m.image for m in report.measurements] + [k.image for k in report.key_images]
    library: dict[str, Dataset] = {}
    for ref in wanted:
        ds = by_uid.get(ref.sop_instance_uid)
        if ds is None:
            raise EvidenceMissing(f"header of referenced image {ref.sop_instance_uid} not supplied")
        if str(ds.SOPClassUID) != ref.sop_class_uid:
            raise EvidenceMissing(f"image {ref.sop_instance_uid} is {ds.SOPClassUID}, "
                                  f"not {ref.sop_class_uid}")
        frames = int(ds.get("NumberOfFrames", 1) or 1)
        if ref.frame_number is not None and ref.frame_number > frames:
            raise EvidenceMissing(f"image {ref.sop_instance_uid} has {frames} frame(s), "
                                  f"not frame {ref.frame_number}")
        library.setdefault(ref.sop_instance_uid, ds)
    return list(library.values())


def build_sr(
    report: Report,
    evidence: Sequence[Dataset],
    *,
    institution: str = "",
    now: datetime | None = None,
) -> ComprehensiveSR:
    """Comprehensive SR (PS3.3 A.35.3) of one report version, in the case's study."""
    ordered = _order_evidence(report, evidence)
    library = _library(report, ordered)
    series_uid, sop_uid = sr_uids(report)
    signed = report.is_signed
    signer = report.signer
    when = (report.signed_at if signed else None) or now or datetime.now(UTC)
    sr = ComprehensiveSR(
        evidence=ordered,
        content=content_tree(report, library),
        series_instance_uid=series_uid,
        series_number=SR_SERIES_NUMBER,
        sop_instance_uid=sop_uid,
        instance_number=report.version,
        manufacturer=MANUFACTURER,
        is_complete=signed,
        is_final=signed,
        is_verified=signed,
        institution_name=institution or None,
        verifying_observer_name=signer.person_name() if signed and signer else None,
        verifying_organization=(signer.organization or institution or "Unknown") if signed and signer else None,
        previous_versions=[_predecessor_header(report)] if report.amendment else None,
        specific_character_set="ISO_IR 192",
        series_description="Second opinion report",
    )
    local = when.astimezone(UTC)
    sr.ContentDate = sr.SeriesDate = DA(local.strftime("%Y%m%d"))
    sr.ContentTime = sr.SeriesTime = TM(local.strftime("%H%M%S"))
    if signed:
        sr.VerifyingObserverSequence[0].VerificationDateTime = local.strftime("%Y%m%d%H%M%S+0000")
    if sr.get("PatientWeight") in (0, "0"):
        del sr.PatientWeight  # a zero weight copied from the images is a placeholder, not data
    return sr


def _predecessor_header(report: Report) -> Dataset:
    """Minimal header of the amended SR for the Predecessor Documents Sequence (PS3.3 C.17.2)."""
    assert report.amendment is not None
    pred = report.amendment.predecessor
    ds = Dataset()
    ds.StudyInstanceUID = pred.study_instance_uid
    ds.SeriesInstanceUID = pred.series_instance_uid
    ds.SOPInstanceUID = pred.sop_instance_uid
    ds.SOPClassUID = pred.sop_class_uid
    return ds


def sr_bytes(sr: Dataset) -> bytes:
    """The SR as a DICOM Part 10 file."""
    from io import BytesIO

    buffer = BytesIO()
    sr.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()
