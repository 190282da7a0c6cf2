"""DICOM SR of reports: valid under dciodvfy, readable by dcmtk, measurements round-trip."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import replace
from io import BytesIO

import highdicom as hd
import pydicom
import pytest
from pydicom.dataset import Dataset

from telehealth.reports.document import Report
from telehealth.reports.sr import (
    COMPREHENSIVE_SR,
    EvidenceMissing,
    build_sr,
    sr_bytes,
    sr_uids,
)
from tests.reports import samples

SHAPES: dict[str, Callable[[list[Dataset]], Report]] = {
    "text_only": samples.text_only,
    "measurements_draft": samples.full_draft,
    "final": lambda ev: samples.signed(samples.full_draft(ev)),
    "amended": lambda ev: samples.amended(samples.signed(samples.full_draft(ev))),
    "final_text_only": lambda ev: samples.signed(samples.text_only(ev)),
}


def _roundtrip(report: Report, images: list[Dataset]) -> tuple[bytes, hd.sr.ComprehensiveSR]:
    data = sr_bytes(build_sr(report, images, institution="Lakeside Imaging"))
    return data, hd.sr.ComprehensiveSR.from_dataset(pydicom.dcmread(BytesIO(data)))


@pytest.mark.parametrize("shape", SHAPES)
def test_sr_passes_dciodvfy_without_errors(shape: str, images: list[Dataset], dciodvfy) -> None:
    data = sr_bytes(build_sr(SHAPES[shape](images), images, institution="Lakeside Imaging"))
    errors, output = dciodvfy(data)
    assert errors == [], output
    assert "ComprehensiveSR" in output


@pytest.mark.parametrize("shape", SHAPES)
def test_dsrdump_shows_the_tree(shape: str, images: list[Dataset], run_tool) -> None:
    report = SHAPES[shape](images)
    data = sr_bytes(build_sr(report, images))
    tree = run_tool("dsrdump", data, "{path}", suffix=".dcm")
    assert '<CONTAINER:(,,"Imaging Measurement Report")=CONTINUOUS>' in tree
    assert '<contains TEXT:(,,"Request")=' in tree
    assert '<contains TEXT:(,,"Impression")="1. ' in tree
    if report.measurements:
        assert '<contains NUM:(,,"Length")="12.4" (mm,UCUM,"millimeter")>' in tree
        assert "<contains SCOORD:(,,\"Image Region\")=(ELLIPSE,30/40,...)>" in tree


def test_measurements_read_back_equal_the_input(images: list[Dataset]) -> None:
    report = samples.signed(samples.full_draft(images))
    _, sr = _roundtrip(report, images)
    groups = sr.content.get_planar_roi_measurement_groups()
    assert len(groups) == len(report.measurement_groups())
    for group, (annotation_id, expected) in zip(groups, report.measurement_groups().items(), strict=True):
        first = expected[0]
        if annotation_id != "probe-1":
            assert group.tracking_uid == f"2.25.{uuid.UUID(annotation_id).int}"
        assert group.tracking_identifier == (first.finding or f"Annotation {annotation_id}")
        region = group.roi
        assert region.graphic_type.value == first.graphic_type.value
        assert [tuple(p) for p in region.value.tolist()] == [tuple(p) for p in first.points]
        source = region.ReferencedSOPSequence[0] if "ReferencedSOPSequence" in region else \
            region.ContentSequence[0].ReferencedSOPSequence[0]
        assert source.ReferencedSOPInstanceUID == first.image.sop_instance_uid
        got = [(m.value, m.unit.value) for m in group.get_measurements()]
        assert got == [(m.value, m.unit) for m in expected]


def test_final_sr_is_verified_by_the_signer(images: list[Dataset]) -> None:
    report = samples.signed(samples.full_draft(images))
    _, sr = _roundtrip(report, images)
    assert (sr.VerificationFlag, sr.CompletionFlag, sr.PreliminaryFlag) == ("VERIFIED", "COMPLETE", "FINAL")
    observer = sr.VerifyingObserverSequence[0]
    assert str(observer.VerifyingObserverName) == "Keller^Anna"
    assert observer.VerifyingOrganization == "Lakeside Imaging Consultants"
    assert observer.VerificationDateTime == "20261120143000+0000"
    assert (sr.ContentDate, sr.ContentTime) == ("20261120", "143000")


def test_draft_sr_is_unverified_and_partial(images: list[Dataset]) -> None:
    _, sr = _roundtrip(samples.full_draft(images), images)
    assert (sr.VerificationFlag, sr.CompletionFlag, sr.PreliminaryFlag) == ("UNVERIFIED", "PARTIAL",
                                                                            "PRELIMINARY")
    assert "VerifyingObserverSequence" not in sr


def test_amended_sr_points_at_its_predecessor(images: list[Dataset]) -> None:
    final = samples.signed(samples.full_draft(images))
    amended = samples.amended(final)
    _, sr = _roundtrip(amended, images)
    series_uid, sop_uid = sr_uids(final)
    study = sr.PredecessorDocumentsSequence[0]
    assert study.StudyInstanceUID == images[0].StudyInstanceUID
    assert study.ReferencedSeriesSequence[0].SeriesInstanceUID == series_uid
    ref = study.ReferencedSeriesSequence[0].ReferencedSOPSequence[0]
    assert (ref.ReferencedSOPClassUID, ref.ReferencedSOPInstanceUID) == (COMPREHENSIVE_SR, sop_uid)
    texts = [item.TextValue for item in sr.ContentSequence[-1].ContentSequence]
    assert "Amends version 1: Nodule size corrected after re-measurement." in texts


def test_sr_joins_the_case_study_as_a_new_series(images: list[Dataset]) -> None:
    report = samples.full_draft(images)
    _, sr = _roundtrip(report, images)
    assert sr.StudyInstanceUID == images[0].StudyInstanceUID
    assert sr.SeriesInstanceUID not in {ds.SeriesInstanceUID for ds in images}
    assert (sr.Modality, sr.SOPClassUID) == ("SR", COMPREHENSIVE_SR)
    assert (sr.PatientName, sr.PatientID) == (images[0].PatientName, images[0].PatientID)
    evidence = sr.CurrentRequestedProcedureEvidenceSequence[0].ReferencedSeriesSequence[0]
    assert {r.ReferencedSOPInstanceUID for r in evidence.ReferencedSOPSequence} == {
        ds.SOPInstanceUID for ds in images}


def test_uids_are_stable_per_version(images: list[Dataset]) -> None:
    final = samples.signed(samples.full_draft(images))
    first, second = build_sr(final, images), build_sr(final, images)
    assert (first.SeriesInstanceUID, first.SOPInstanceUID) == (second.SeriesInstanceUID,
                                                                second.SOPInstanceUID)
    amended = build_sr(samples.amended(final), images)
    assert amended.SeriesInstanceUID == first.SeriesInstanceUID
    assert amended.SOPInstanceUID != first.SOPInstanceUID


def test_narrative_is_kept_as_text_items(images: list[Dataset]) -> None:
    _, sr = _roundtrip(samples.signed(samples.full_draft(images)), images)
    items = sr.ContentSequence[-1].ContentSequence
    named = [(i.ConceptNameCodeSequence[0].CodeMeaning, i.TextValue) for i in items]
    assert named[0] == ("Request", samples.full_draft(images).case.clinical_question)
    assert ("Finding", "Lungs: Solid 12 mm nodule in the right upper lobe with spiculated margin.") in named
    assert ("Impression", "2. No lymphadenopathy.") in named
    assert ("Disagreement with prior findings",
            "Major discrepancy with the original read. Original read called the nodule benign.") in named


def test_missing_evidence_is_named(images: list[Dataset]) -> None:
    with pytest.raises(EvidenceMissing, match=images[1].SOPInstanceUID):
        build_sr(samples.full_draft(images), images[:1])
    with pytest.raises(EvidenceMissing, match="at least one image"):
        build_sr(samples.text_only(images), [])


def test_evidence_from_another_study_is_refused_as_primary(images: list[Dataset]) -> None:
    report = samples.text_only(images)
    other = replace(report, case=replace(report.case, study_instance_uid="1.2.3.4"))
    with pytest.raises(EvidenceMissing, match="case's study 1.2.3.4"):
        build_sr(other, images)


def test_non_ascii_text_survives(images: list[Dataset]) -> None:
    report = replace(samples.text_only(images), history="Anamnèse: µ-Läsion, 5° Winkel")
    _, sr = _roundtrip(report, images)
    assert sr.SpecificCharacterSet == "ISO_IR 192"
    assert "Anamnèse: µ-Läsion, 5° Winkel" in [i.TextValue for i in sr.ContentSequence[-1].ContentSequence]
