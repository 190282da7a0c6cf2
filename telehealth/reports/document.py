"""Report content model: the one structured source every output (SR, PDF, FHIR) is built from."""
from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass
from datetime import date, datetime


class ReportStatus(enum.StrEnum):
    """Lifecycle state of one report version."""

    DRAFT = "draft"
    FINAL = "final"
    AMENDED = "amended"


class Agreement(enum.StrEnum):
    """Agreement of the second opinion with the original read."""

    CONCORDANT = "concordant"
    MINOR_DISCREPANCY = "minor_discrepancy"
    MAJOR_DISCREPANCY = "major_discrepancy"


class MeasurementKind(enum.StrEnum):
    """What a measurement quantifies; each maps to a concept of PS3.16 CID 7469/7464."""

    LENGTH = "length"
    DIAMETER = "diameter"
    PERIMETER = "perimeter"
    AREA = "area"
    ANGLE = "angle"
    PROBE = "probe"
    MEAN = "mean"
    STANDARD_DEVIATION = "standard_deviation"
    MINIMUM = "minimum"
    MAXIMUM = "maximum"


class GraphicType(enum.StrEnum):
    """SCOORD graphic types usable for an image region (PS3.3 C.18.6.1.2)."""

    POINT = "POINT"
    POLYLINE = "POLYLINE"
    CIRCLE = "CIRCLE"
    ELLIPSE = "ELLIPSE"


#: UCUM units accepted per dimension, with how they read in the PDF.
UNIT_DISPLAY: dict[str, str] = {
    "um": "µm", "mm": "mm", "cm": "cm", "m": "m",
    "mm2": "mm²", "cm2": "cm²",
    "deg": "°",
    "[hnsf'U]": "HU", "1": "", "%": "%", "{pixel value}": "",
    "mm/s": "mm/s", "cm/s": "cm/s", "mm2/s": "mm²/s", "ms": "ms", "s": "s",
    "g/ml{SUVbw}": "SUVbw",
}
LENGTH_UNITS = frozenset({"um", "mm", "cm", "m"})
AREA_UNITS = frozenset({"mm2", "cm2"})
ANGLE_UNITS = frozenset({"deg"})
_UNITS_FOR_KIND: dict[MeasurementKind, frozenset[str]] = {
    MeasurementKind.LENGTH: LENGTH_UNITS,
    MeasurementKind.DIAMETER: LENGTH_UNITS,
    MeasurementKind.PERIMETER: LENGTH_UNITS,
    MeasurementKind.AREA: AREA_UNITS,
    MeasurementKind.ANGLE: ANGLE_UNITS,
}
_REGION_KINDS = frozenset({
    MeasurementKind.AREA, MeasurementKind.PERIMETER, MeasurementKind.MEAN,
    MeasurementKind.STANDARD_DEVIATION, MeasurementKind.MINIMUM, MeasurementKind.MAXIMUM,
})


def unit_display(ucum: str) -> str:
    """Human-readable form of a UCUM unit code (``mm2`` -> ``mm²``)."""
    return UNIT_DISPLAY.get(ucum, ucum)


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (dotted path) and what."""

    path: str
    message: str


class ReportInvalid(ValueError):
    """Raised when report content breaks a rule; ``problems`` lists every one found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{p.path}: {p.message}" for p in problems))


@dataclass(frozen=True)
class Code:
    """A coded concept (code value, coding scheme designator, code meaning)."""

    value: str
    scheme: str
    meaning: str


@dataclass(frozen=True)
class Person:
    """A named person; ``dicom_name`` is the PN form (``Family^Given``) when known."""

    name: str
    identifier: str = ""
    organization: str = ""
    dicom_name: str = ""

    def person_name(self) -> str:
        """DICOM PN (PS3.5 6.2) form of the name; ``Family^Given`` guessed from 'Given Family'."""
        if self.dicom_name:
            return self.dicom_name
        parts = self.name.replace("^", " ").split()
        if len(parts) < 2:
            return self.name
        return f"{parts[-1]}^{' '.join(parts[:-1])}"


@dataclass(frozen=True)
class Patient:
    """Patient details shown on the report (DICOM outputs copy the evidence's patient module)."""

    name: str
    identifier: str = ""
    birth_date: date | None = None
    sex: str = ""


@dataclass(frozen=True)
class CaseDetails:
    """The consult the report answers."""

    case_id: str
    reference: str
    patient: Patient
    clinical_question: str
    referrer: Person | None = None
    specialty: str = ""
    modality: str = ""
    priority: str = "routine"
    study_instance_uid: str = ""


@dataclass(frozen=True)
class ImageRef:
    """Reference to one image (and frame) by UIDs, never by URL."""

    study_instance_uid: str
    series_instance_uid: str
    sop_class_uid: str
    sop_instance_uid: str
    frame_number: int | None = None


@dataclass(frozen=True)
class FindingSection:
    """A titled findings section (titles come from the report template)."""

    title: str
    text: str


@dataclass(frozen=True)
class Measurement:
    """One value measured on an image region drawn as annotation ``annotation_id``."""

    annotation_id: str
    kind: MeasurementKind
    value: float
    unit: str
    image: ImageRef
    graphic_type: GraphicType
    points: tuple[tuple[float, float], ...]
    finding: str = ""
    finding_code: Code | None = None

    @property
    def display_value(self) -> str:
        """Value with its unit for humans, e.g. ``12.5 mm``."""
        unit = unit_display(self.unit)
        text = f"{self.value:.4g}" if abs(self.value) < 1e5 else f"{self.value:.6g}"
        if not unit:
            return text
        return f"{text}{unit}" if unit == "°" else f"{text} {unit}"


@dataclass(frozen=True)
class KeyImage:
    """A key image: the frame, its display window and the annotations drawn on it."""

    image: ImageRef
    window_center: float | None = None
    window_width: float | None = None
    annotation_ids: tuple[str, ...] = ()
    caption: str = ""


@dataclass(frozen=True)
class AgreementAssessment:
    """How the second opinion compares with the original read."""

    agreement: Agreement
    comment: str = ""


@dataclass(frozen=True)
class PredecessorRef:
    """The signed version an amendment replaces, with the UIDs of its DICOM SR."""

    version: int
    study_instance_uid: str
    series_instance_uid: str
    sop_instance_uid: str
    sop_class_uid: str = "1.2.840.10008.5.1.4.1.1.88.33"
    signed_at: datetime | None = None


@dataclass(frozen=True)
class Amendment:
    """Why this version amends an earlier one."""

    reason: str
    predecessor: PredecessorRef


@dataclass(frozen=True)
class Report:
    """One version of a case's report; validated on construction."""

    report_id: str
    case: CaseDetails
    author: Person
    status: ReportStatus = ReportStatus.DRAFT
    version: int = 1
    title: str = "Second opinion report"
    procedure: Code | None = None
    history: str = ""
    technique: str = ""
    comparison: str = ""
    findings: tuple[FindingSection, ...] = ()
    measurements: tuple[Measurement, ...] = ()
    impression: tuple[str, ...] = ()
    recommendations: tuple[str, ...] = ()
    agreement: AgreementAssessment | None = None
    key_images: tuple[KeyImage, ...] = ()
    signer: Person | None = None
    signed_at: datetime | None = None
    amendment: Amendment | None = None
    verification_code: str = ""
    created_at: datetime | None = None

    def __post_init__(self) -> None:
        problems = validate(self)
        if problems:
            raise ReportInvalid(problems)

    @property
    def is_signed(self) -> bool:
        """True for final and amended versions (signed, immutable)."""
        return self.status in (ReportStatus.FINAL, ReportStatus.AMENDED)

    def measurement_groups(self) -> dict[str, list[Measurement]]:
        """Measurements grouped by annotation (one TID 1410 group each), in input order."""
        groups: dict[str, list[Measurement]] = {}
        for m in self.measurements:
            groups.setdefault(m.annotation_id, []).append(m)
        return groups


_UID = re.compile(r"(0|[1-9][0-9]*)(\.(0|[1-9][0-9]*))+")


def _check_uid(value: str, path: str, problems: list[Problem], required: bool = True) -> None:
    if not value:
        if required:
            problems.append(Problem(path, "is required"))
        return
    if len(value) > 64 or not _UID.fullmatch(value):
        problems.append(Problem(path, f"{value!r} is not a valid DICOM UID (PS3.5 9.1)"))


def _check_image(ref: ImageRef, path: str, problems: list[Problem]) -> None:
    for name in ("study_instance_uid", "series_instance_uid", "sop_class_uid", "sop_instance_uid"):
        _check_uid(getattr(ref, name), f"{path}.{name}", problems)
    if ref.frame_number is not None and ref.frame_number < 1:
        problems.append(Problem(f"{path}.frame_number", "frame numbers start at 1"))


def _closed(points: tuple[tuple[float, float], ...]) -> bool:
    return len(points) >= 4 and points[0] == points[-1]


def _check_geometry(m: Measurement, path: str, problems: list[Problem]) -> None:
    """Point counts per SCOORD graphic type (PS3.3 C.18.6.1.2) and per measurement kind."""
    pts, gt = m.points, m.graphic_type
    if any(len(p) != 2 or not all(math.isfinite(c) for c in p) for p in pts):
        problems.append(Problem(f"{path}.points", "each point is a finite (column, row) pair"))
        return
    expected = {GraphicType.POINT: 1, GraphicType.CIRCLE: 2, GraphicType.ELLIPSE: 4}
    if gt in expected and len(pts) != expected[gt]:
        problems.append(Problem(f"{path}.points", f"{gt} needs {expected[gt]} points, got {len(pts)}"))
        return
    if gt is GraphicType.POLYLINE and len(pts) < 2:
        problems.append(Problem(f"{path}.points", "POLYLINE needs at least 2 points"))
        return
    kind = m.kind
    if kind in (MeasurementKind.LENGTH, MeasurementKind.DIAMETER) and not (
        gt is GraphicType.POLYLINE and len(pts) == 2
    ):
        problems.append(Problem(f"{path}.graphic_type", f"{kind} is drawn as a 2-point POLYLINE"))
    elif kind is MeasurementKind.ANGLE and not (gt is GraphicType.POLYLINE and len(pts) in (3, 4)):
        problems.append(Problem(f"{path}.graphic_type", "angle is drawn as a 3- or 4-point POLYLINE"))
    elif kind is MeasurementKind.PROBE and gt is not GraphicType.POINT:
        problems.append(Problem(f"{path}.graphic_type", "probe is a POINT"))
    elif kind in _REGION_KINDS and not (
        gt in (GraphicType.CIRCLE, GraphicType.ELLIPSE) or (gt is GraphicType.POLYLINE and _closed(pts))
    ):
        problems.append(Problem(
            f"{path}.graphic_type", f"{kind} needs an area: CIRCLE, ELLIPSE or closed POLYLINE"))


def _check_measurements(report: Report, problems: list[Problem]) -> None:
    first: dict[str, Measurement] = {}
    seen: set[tuple[str, MeasurementKind]] = set()
    for i, m in enumerate(report.measurements):
        path = f"measurements[{i}]"
        if not m.annotation_id:
            problems.append(Problem(f"{path}.annotation_id", "is required"))
        if not isinstance(m.value, (int, float)) or not math.isfinite(m.value):
            problems.append(Problem(f"{path}.value", "must be a finite number"))
        if not m.unit:
            problems.append(Problem(f"{path}.unit", "a UCUM unit is required"))
        allowed = _UNITS_FOR_KIND.get(m.kind)
        if allowed and m.unit not in allowed:
            problems.append(Problem(
                f"{path}.unit", f"{m.kind} takes one of {sorted(allowed)}, got {m.unit!r}"))
        if m.kind in (MeasurementKind.LENGTH, MeasurementKind.AREA, MeasurementKind.DIAMETER) \
                and isinstance(m.value, (int, float)) and m.value < 0:
            problems.append(Problem(f"{path}.value", f"{m.kind} cannot be negative"))
        _check_image(m.image, f"{path}.image", problems)
        _check_geometry(m, path, problems)
        key = (m.annotation_id, m.kind)
        if key in seen:
            problems.append(Problem(path, f"annotation {m.annotation_id} already has a {m.kind}"))
        seen.add(key)
        prior = first.setdefault(m.annotation_id, m)
        if prior is not m and (prior.image, prior.graphic_type, prior.points) != (
            m.image, m.graphic_type, m.points
        ):
            problems.append(Problem(
                path, f"measurements of annotation {m.annotation_id} must share one region"))


def validate(report: Report) -> list[Problem]:
    """Every rule the content breaks, as a list (empty when valid)."""
    problems: list[Problem] = []
    if not report.report_id:
        problems.append(Problem("report_id", "is required"))
    if report.version < 1:
        problems.append(Problem("version", "starts at 1"))
    if not report.case.clinical_question.strip():
        problems.append(Problem("case.clinical_question", "is required"))
    _check_uid(report.case.study_instance_uid, "case.study_instance_uid", problems, required=False)
    if not report.author.name.strip():
        problems.append(Problem("author.name", "is required"))
    for i, section in enumerate(report.findings):
        if not section.title.strip():
            problems.append(Problem(f"findings[{i}].title", "is required"))
    for name in ("impression", "recommendations"):
        for i, item in enumerate(getattr(report, name)):
            if not item.strip():
                problems.append(Problem(f"{name}[{i}]", "must not be empty"))
    _check_measurements(report, problems)
    for i, key in enumerate(report.key_images):
        _check_image(key.image, f"key_images[{i}].image", problems)
        if key.window_width is not None and key.window_width <= 0:
            problems.append(Problem(f"key_images[{i}].window_width", "must be positive"))
        if (key.window_center is None) != (key.window_width is None):
            problems.append(Problem(f"key_images[{i}]", "window centre and width go together"))
    if report.agreement is not None and report.agreement.agreement is not Agreement.CONCORDANT \
            and not report.agreement.comment.strip():
        problems.append(Problem("agreement.comment", "explain the discrepancy"))
    if report.is_signed:
        if report.signer is None:
            problems.append(Problem("signer", "a signed report names its signer"))
        if report.signed_at is None or report.signed_at.tzinfo is None:
            problems.append(Problem("signed_at", "a signed report has an aware signing time"))
        if not report.verification_code:
            problems.append(Problem("verification_code", "a signed report has a verification code"))
        if not report.impression:
            problems.append(Problem("impression", "a signed report has at least one impression"))
    if report.status is ReportStatus.AMENDED and report.amendment is None:
        problems.append(Problem("amendment", "an amended report gives a reason and predecessor"))
    if report.status is ReportStatus.FINAL and report.amendment is not None:
        problems.append(Problem("status", "a report with an amendment is 'amended' once signed"))
    if report.amendment is not None:
        if not report.amendment.reason.strip():
            problems.append(Problem("amendment.reason", "is required"))
        pred = report.amendment.predecessor
        if pred.version >= report.version:
            problems.append(Problem("amendment.predecessor.version", "must precede this version"))
        for name in ("study_instance_uid", "series_instance_uid", "sop_instance_uid", "sop_class_uid"):
            _check_uid(getattr(pred, name), f"amendment.predecessor.{name}", problems)
    return problems
