"""Validation rules of the report content model."""
from __future__ import annotations

from dataclasses import replace

import pytest
from pydicom.dataset import Dataset

from telehealth.reports.document import (
    Agreement,
    AgreementAssessment,
    GraphicType,
    MeasurementKind,
    Person,
    ReportInvalid,
    ReportStatus,
    unit_display,
)
from tests.reports import samples


def _problems(excinfo: pytest.ExceptionInfo[ReportInvalid]) -> dict[str, str]:
    return {p.path: p.message for p in excinfo.value.problems}


def test_sample_shapes_are_valid(images: list[Dataset]) -> None:
    final = samples.signed(samples.full_draft(images))
    amended = samples.amended(final)
    assert final.is_signed and amended.is_signed
    assert amended.amendment is not None and amended.amendment.predecessor.version == 1
    assert list(final.measurement_groups()) == [
        "0f8fad5b-d9cb-469f-a165-70867728950e", "7c9e6679-7425-40de-944b-e07fc1f90ae7",
        "a3bb189e-8bf9-3888-9912-ace4e6543002", "probe-1"]


def test_length_must_be_a_two_point_line(images: list[Dataset]) -> None:
    report = samples.full_draft(images)
    bad = replace(report.measurements[0], points=((1.0, 1.0), (2.0, 2.0), (3.0, 3.0)))
    with pytest.raises(ReportInvalid) as excinfo:
        replace(report, measurements=(bad,))
    assert "2-point POLYLINE" in _problems(excinfo)["measurements[0].graphic_type"]


@pytest.mark.parametrize(("kind", "unit"), [
    (MeasurementKind.LENGTH, "mm2"), (MeasurementKind.AREA, "mm"), (MeasurementKind.ANGLE, "rad"),
])
def test_unit_must_fit_the_kind(images: list[Dataset], kind: MeasurementKind, unit: str) -> None:
    report = samples.full_draft(images)
    template = {MeasurementKind.LENGTH: 0, MeasurementKind.AREA: 1, MeasurementKind.ANGLE: 4}[kind]
    bad = replace(report.measurements[template], unit=unit)
    with pytest.raises(ReportInvalid) as excinfo:
        replace(report, measurements=(bad,))
    assert f"got {unit!r}" in _problems(excinfo)["measurements[0].unit"]


def test_point_counts_follow_scoord_graphic_types(images: list[Dataset]) -> None:
    report = samples.full_draft(images)
    bad = replace(report.measurements[1], points=((1.0, 1.0), (2.0, 2.0)))
    with pytest.raises(ReportInvalid) as excinfo:
        replace(report, measurements=(bad,))
    assert _problems(excinfo)["measurements[0].points"] == "ELLIPSE needs 4 points, got 2"


def test_values_of_one_annotation_share_its_region(images: list[Dataset]) -> None:
    report = samples.full_draft(images)
    moved = replace(report.measurements[2], graphic_type=GraphicType.CIRCLE,
                    points=((5.0, 5.0), (9.0, 5.0)))
    with pytest.raises(ReportInvalid) as excinfo:
        replace(report, measurements=report.measurements[:2] + (moved,))
    assert "share one region" in _problems(excinfo)["measurements[2]"]


def test_non_finite_values_and_bad_uids_are_refused(images: list[Dataset]) -> None:
    report = samples.full_draft(images)
    image = replace(report.measurements[0].image, sop_instance_uid="1.2.abc")
    bad = replace(report.measurements[0], value=float("nan"), image=image)
    with pytest.raises(ReportInvalid) as excinfo:
        replace(report, measurements=(bad,))
    problems = _problems(excinfo)
    assert problems["measurements[0].value"] == "must be a finite number"
    assert "not a valid DICOM UID" in problems["measurements[0].image.sop_instance_uid"]


def test_signed_report_needs_signer_time_code_and_impression(images: list[Dataset]) -> None:
    with pytest.raises(ReportInvalid) as excinfo:
        replace(samples.full_draft(images), status=ReportStatus.FINAL, impression=())
    assert set(_problems(excinfo)) == {"signer", "signed_at", "verification_code", "impression"}


def test_discrepancy_needs_a_comment(images: list[Dataset]) -> None:
    with pytest.raises(ReportInvalid) as excinfo:
        replace(samples.full_draft(images),
                agreement=AgreementAssessment(Agreement.MINOR_DISCREPANCY, " "))
    assert _problems(excinfo) == {"agreement.comment": "explain the discrepancy"}


def test_amended_status_needs_an_amendment(images: list[Dataset]) -> None:
    final = samples.signed(samples.full_draft(images))
    with pytest.raises(ReportInvalid) as excinfo:
        replace(final, status=ReportStatus.AMENDED)
    assert "amendment" in _problems(excinfo)


def test_amendment_points_back_in_time(images: list[Dataset]) -> None:
    amended = samples.amended(samples.signed(samples.full_draft(images)))
    with pytest.raises(ReportInvalid) as excinfo:
        replace(amended, version=1)
    assert "amendment.predecessor.version" in _problems(excinfo)


def test_error_message_names_every_problem(images: list[Dataset]) -> None:
    with pytest.raises(ReportInvalid, match=r"version: starts at 1; case.clinical_question"):
        replace(samples.text_only(images), version=0,
                case=replace(samples.text_only(images).case, clinical_question=""))


def test_display_values_and_person_names() -> None:
    assert unit_display("mm2") == "mm²" and unit_display("[hnsf'U]") == "HU"
    assert Person("Anna Maria Keller").person_name() == "Keller^Anna Maria"
    assert Person("X", dicom_name="Keller^Anna^^Dr").person_name() == "Keller^Anna^^Dr"
