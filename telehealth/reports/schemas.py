"""Request and response schemas of the reports API (the stored content has the same shape)."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import Field, StringConstraints

from telehealth.api import Out, Schema

Uid = Annotated[str, StringConstraints(pattern=r"^[0-2](\.(0|[1-9][0-9]*))+$", max_length=64)]
Text = Annotated[str, Field(max_length=20_000)]
Line = Annotated[str, Field(max_length=2_000)]
Point = tuple[float, float]
MeasurementKind = Literal["length", "diameter", "perimeter", "area", "angle", "probe", "mean",
                          "standard_deviation", "minimum", "maximum"]


class FindingSectionIn(Schema):
    """One findings section (key and title come from the template)."""

    key: str = Field(default="", max_length=64)
    title: str = Field(min_length=1, max_length=200)
    text: Text = ""


class MeasurementIn(Schema):
    """A measured value of an annotation, with the image region it was measured on (SCOORD)."""

    annotation_id: str = Field(min_length=1, max_length=64)
    kind: MeasurementKind
    value: float
    unit: str = Field(min_length=1, max_length=32)
    study_instance_uid: Uid
    series_instance_uid: Uid
    sop_class_uid: Uid
    sop_instance_uid: Uid
    frame_number: int | None = Field(default=None, ge=1)
    graphic_type: Literal["POINT", "POLYLINE", "CIRCLE", "ELLIPSE"]
    points: list[Point] = Field(min_length=1, max_length=2000)
    finding: str = Field(default="", max_length=200)


class AgreementIn(Schema):
    """Agreement with the original read."""

    agreement: Literal["concordant", "minor_discrepancy", "major_discrepancy"]
    comment: Text = ""


class KeyImageIn(Schema):
    """A key image: frame, window and the annotations drawn on it."""

    study_instance_uid: Uid
    series_instance_uid: Uid
    sop_class_uid: Uid
    sop_instance_uid: Uid
    frame_number: int | None = Field(default=None, ge=1)
    window_center: float | None = None
    window_width: float | None = Field(default=None, gt=0)
    annotation_ids: list[str] = Field(default_factory=list, max_length=100)
    caption: str = Field(default="", max_length=500)


class ReportContent(Schema):
    """The editable body of a report version."""

    title: str = Field(default="Second opinion report", min_length=1, max_length=200)
    history: Text = ""
    technique: Text = ""
    comparison: Text = ""
    findings: list[FindingSectionIn] = Field(default_factory=list, max_length=50)
    measurements: list[MeasurementIn] = Field(default_factory=list, max_length=500)
    impression: list[Line] = Field(default_factory=list, max_length=50)
    recommendations: list[Line] = Field(default_factory=list, max_length=50)
    agreement: AgreementIn | None = None
    key_images: list[KeyImageIn] = Field(default_factory=list, max_length=12)


class ReportSave(ReportContent):
    """Autosave of the draft: the whole body plus the version it was based on."""

    base_version: int = Field(ge=1)


class ReportCreate(Schema):
    """Start the draft, optionally from a template."""

    template_id: str | None = Field(default=None, max_length=36)


class ReportSign(Schema):
    """Sign the draft: re-authenticate with the password or a TOTP code (or after ``POST /api/auth/reauth``)."""

    password: str | None = Field(default=None, min_length=1, max_length=1000)
    totp: str | None = Field(default=None, pattern=r"^[0-9]{6,8}$")
    base_version: int = Field(ge=1)


class ReportAmend(Schema):
    """Open an amendment of the signed report."""

    reason: str = Field(min_length=3, max_length=2000)
    base_version: int = Field(ge=1)


class VersionQuery(Schema):
    """Pick a document version (default: the newest one the caller may see)."""

    version: int | None = Field(default=None, ge=1)


class VersionOut(Out):
    """Summary of one document version."""

    number: int
    status: str
    signed_at: datetime | None = None
    signer: str | None = None
    amendment_reason: str | None = None


class ReportOut(Out):
    """A report version as the editor and the portal show it."""

    id: str
    case_id: str
    version: int
    document_version: int
    status: str
    template_id: str | None = None
    content: dict[str, Any]
    author: str
    signer: str | None = None
    signed_at: datetime | None = None
    verification_code: str | None = None
    amendment_reason: str | None = None
    predecessor_version: int | None = None
    required_fields: list[str] = Field(default_factory=list)
    missing_fields: list[str] = Field(default_factory=list)
    can_edit: bool = False
    can_sign: bool = False
    can_amend: bool = False
    versions: list[VersionOut] = Field(default_factory=list)
    updated_at: datetime


class TemplateSection(Schema):
    """One findings section of a template."""

    key: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9_]+$")
    title: str = Field(min_length=1, max_length=200)
    required: bool = False
    hint: str = Field(default="", max_length=1000)
    default: str = Field(default="", max_length=5000)


class TemplateIn(Schema):
    """A report template (admins)."""

    name: str = Field(min_length=1, max_length=200)
    specialty: str | None = Field(default=None, max_length=80)
    modality: str | None = Field(default=None, max_length=16)
    title: str = Field(default="Second opinion report", min_length=1, max_length=200)
    sections: list[TemplateSection] = Field(default_factory=list, max_length=50)
    required_fields: list[Literal["history", "technique", "comparison", "findings", "impression",
                                  "recommendations", "agreement", "key_images", "measurements"]] = \
        Field(default_factory=list)
    active: bool = True


class TemplateOut(Out):
    """A report template."""

    id: str
    name: str
    specialty: str | None
    modality: str | None
    title: str
    sections: list[dict[str, Any]]
    required_fields: list[str]
    active: bool


class TemplateList(Out):
    """Templates."""

    items: list[TemplateOut]


class DeliveryOut(Out):
    """One push of a signed version to the referrer's DICOMweb endpoint."""

    id: str
    document_version: int
    url: str
    status: str
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    last_status_code: int | None
    delivered_at: datetime | None
    created_at: datetime


class DeliveryList(Out):
    """The delivery log of a case."""

    items: list[DeliveryOut]


class AnnotationImport(Out):
    """Live measurements in report form; ``skipped`` says which values could not be used and why."""

    items: list[dict[str, Any]]
    skipped: list[dict[str, str]]


class VerificationOut(Out):
    """What a verification code proves: who signed which version when, and whether it was superseded."""

    valid: bool
    status: str | None = None
    document_version: int | None = None
    signed_at: datetime | None = None
    signer: str | None = None
    organization: str | None = None
    superseded_by_version: int | None = None
    content_sha256: str | None = None
