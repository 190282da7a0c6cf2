"""Schemas of the live session protocol (socket events) and of its HTTP API.

Socket payloads are validated here before any service runs; unknown fields are refused.
"""
from __future__ import annotations

import math
import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, StringConstraints, field_validator, model_validator

from telehealth.api import Out, Schema
from telehealth.cases.schemas import PersonRef

Id = Annotated[str, StringConstraints(min_length=1, max_length=36)]
# A DICOM UID (PS3.5 §9.1): dot-separated numeric components without leading zeros, at most 64 chars.
Uid = Annotated[str, StringConstraints(pattern=r"^[0-2](\.(0|[1-9][0-9]*))+$", max_length=64)]
Coordinate = Annotated[float, Field(ge=-65536, le=131072)]
Point = tuple[Coordinate, Coordinate]
# A UCUM unit code (e.g. mm, mm2, deg, [hnsf'U]): printable ASCII without spaces.
UcumCode = Annotated[str, StringConstraints(pattern=r"^[!-~]{1,32}$")]

GraphicType = Literal["POINT", "MULTIPOINT", "POLYLINE", "CIRCLE", "ELLIPSE"]
# kind -> (graphic type, min points, max points, closed): SR SCOORD shapes (PS3.3 C.18.6.1.2).
KINDS: dict[str, tuple[str, int, int, bool]] = {
    "length": ("POLYLINE", 2, 2, False),
    "arrow": ("POLYLINE", 2, 2, False),
    "angle": ("POLYLINE", 3, 3, False),
    "cobb_angle": ("POLYLINE", 4, 4, False),
    "bidirectional": ("MULTIPOINT", 4, 4, False),
    "rectangle_roi": ("POLYLINE", 5, 5, True),
    "polygon_roi": ("POLYLINE", 4, 2000, True),
    "freehand_roi": ("POLYLINE", 4, 2000, True),
    "ellipse_roi": ("ELLIPSE", 4, 4, False),
    "circle_roi": ("CIRCLE", 2, 2, False),
    "probe": ("POINT", 1, 1, False),
    "text": ("POINT", 1, 1, False),
}
Kind = Literal["length", "arrow", "angle", "cobb_angle", "bidirectional", "rectangle_roi", "polygon_roi",
               "freehand_roi", "ellipse_roi", "circle_roi", "probe", "text"]


def _finite(v: float) -> float:
    if not math.isfinite(v):
        raise ValueError("must be a finite number")
    return v


class Measurement(Schema):
    """One measured value with its UCUM unit, e.g. {"name": "length", "value": 12.3, "unit": "mm"}."""

    name: str = Field(min_length=1, max_length=64)
    value: float
    unit: UcumCode

    _check_value = field_validator("value")(_finite)


class AnnotationFields(Schema):
    """What a client may set on an annotation (the geometry part may change later)."""

    kind: Kind
    study_instance_uid: Uid
    series_instance_uid: Uid
    sop_instance_uid: Uid
    frame_number: int | None = Field(default=None, ge=1, le=100_000)
    graphic_type: GraphicType
    points: list[Point] = Field(min_length=1, max_length=2000)
    measurements: list[Measurement] = Field(default_factory=list, max_length=16)
    label: str | None = Field(default=None, max_length=2000)

    @model_validator(mode="after")
    def _shape(self) -> AnnotationFields:
        graphic_type, low, high, closed = KINDS[self.kind]
        if self.graphic_type != graphic_type:
            raise ValueError(f"a {self.kind} is a {graphic_type}, not a {self.graphic_type}")
        if not low <= len(self.points) <= high:
            want = str(low) if low == high else f"{low} to {high}"
            raise ValueError(f"a {self.kind} has {want} points, not {len(self.points)}")
        if closed and tuple(self.points[0]) != tuple(self.points[-1]):
            raise ValueError(f"a {self.kind} is a closed POLYLINE: its last point repeats the first")
        for p in self.points:
            _finite(p[0])
            _finite(p[1])
        if self.kind == "text" and not (self.label and self.label.strip()):
            raise ValueError("a text annotation needs a label")
        return self


class AnnotationIn(AnnotationFields):
    """A new annotation; its id is a UUID made by the client."""

    id: str = Field(min_length=36, max_length=36)

    @field_validator("id")
    @classmethod
    def _uuid(cls, v: str) -> str:
        try:
            return str(uuid.UUID(v))
        except ValueError:
            raise ValueError("must be a UUID") from None


class AnnotationPatch(Schema):
    """The changeable part of an annotation: geometry, measured values and label."""

    graphic_type: GraphicType | None = None
    points: list[Point] | None = Field(default=None, min_length=1, max_length=2000)
    measurements: list[Measurement] | None = Field(default=None, max_length=16)
    label: str | None = Field(default=None, max_length=2000)


class ViewState(Schema):
    """The presenter's viewport: which image, how it is shown, and the layout."""

    study_instance_uid: Uid | None = None
    series_instance_uid: Uid | None = None
    sop_instance_uid: Uid | None = None
    image_index: int | None = Field(default=None, ge=0, le=1_000_000)
    frame_number: int | None = Field(default=None, ge=1, le=100_000)
    window_center: float | None = Field(default=None, ge=-1e6, le=1e6)
    window_width: float | None = Field(default=None, gt=0, le=1e7)
    zoom: float | None = Field(default=None, gt=0, le=1000)
    pan: Point | None = None
    rotation: float | None = Field(default=None, ge=-360, le=360)
    flip_horizontal: bool | None = None
    flip_vertical: bool | None = None
    invert: bool | None = None
    layout: Annotated[str, StringConstraints(pattern=r"^[1-4]x[1-4]$")] | None = None
    viewport_index: int | None = Field(default=None, ge=0, le=15)


class SessionRef(Schema):
    """Any event that acts within one session."""

    session_id: Id


class JoinIn(SessionRef):
    """Join a session; the ack carries a snapshot."""


class LeaveIn(SessionRef):
    """Leave a session."""


class ResyncIn(SessionRef):
    """Ask for the events after `since_seq` (or a snapshot when too far behind)."""

    since_seq: int = Field(ge=0, le=2**31)


class ViewIn(SessionRef):
    """The presenter's new viewport."""

    view: ViewState


class PointerIn(SessionRef):
    """Where the pointer is on an image (x, y in image pixel coordinates), or hidden."""

    sop_instance_uid: Uid | None = None
    frame_number: int | None = Field(default=None, ge=1, le=100_000)
    x: Coordinate | None = None
    y: Coordinate | None = None
    visible: bool = True


class AnnotationAddIn(SessionRef):
    """Add an annotation."""

    annotation: AnnotationIn


class AnnotationUpdateIn(SessionRef):
    """Change an annotation that is at `base_version`."""

    id: Id
    base_version: int = Field(ge=1)
    changes: AnnotationPatch


class AnnotationDeleteIn(SessionRef):
    """Delete (tombstone) an annotation that is at `base_version`."""

    id: Id
    base_version: int = Field(ge=1)


class PresenterGrantIn(SessionRef):
    """Hand the presenter role to a participant present in the session."""

    user_id: Id


class FollowIn(SessionRef):
    """Follow the presenter's view, or go free."""

    following: bool


class ChatIn(SessionRef):
    """A chat line, stored as a case message."""

    body: str = Field(min_length=1, max_length=4000)


class RtcDescriptionIn(SessionRef):
    """A WebRTC offer or answer (SDP) for one connection in the same session."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)  # SDP lines end in CRLF

    to: str = Field(min_length=1, max_length=64)
    sdp: str = Field(min_length=1, max_length=60_000)


class IceCandidate(Schema):
    """An RTCIceCandidateInit."""

    candidate: str = Field(max_length=2000)
    sdpMid: str | None = Field(default=None, max_length=64)  # noqa: N815 - the WebRTC field name
    sdpMLineIndex: int | None = Field(default=None, ge=0, le=1000)  # noqa: N815
    usernameFragment: str | None = Field(default=None, max_length=256)  # noqa: N815


class RtcCandidateIn(SessionRef):
    """A trickled ICE candidate for one connection in the same session."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    to: str = Field(min_length=1, max_length=64)
    candidate: IceCandidate


# HTTP API


class SessionCreate(Schema):
    """Start a live session now, or schedule it."""

    title: str = Field(min_length=1, max_length=200)
    scheduled_at: datetime | None = None

    @field_validator("scheduled_at")
    @classmethod
    def _aware(cls, v: datetime | None) -> datetime | None:
        if v is not None and v.tzinfo is None:
            raise ValueError("give a time zone (e.g. 2026-01-02T10:00:00Z)")
        return v


class AnnotationOut(Out):
    """An annotation as stored."""

    id: str
    session_id: str | None
    case_id: str
    kind: str
    study_instance_uid: str
    series_instance_uid: str
    sop_instance_uid: str
    frame_number: int | None
    graphic_type: str
    points: list[list[float]]
    measurements: list[dict[str, Any]]
    label: str | None
    author: PersonRef
    version: int
    deleted: bool
    created_at: datetime
    updated_at: datetime
    deleted_at: datetime | None


class AnnotationList(Out):
    """Annotations of a session or a case."""

    items: list[AnnotationOut]


class AnnotationQuery(Schema):
    """Filters of the annotation lists."""

    include_deleted: bool = False
    sop_instance_uid: Uid | None = None


class ParticipationOut(Out):
    """One person's part in a session."""

    user: PersonRef
    first_joined_at: datetime
    last_left_at: datetime | None
    present: bool
    seconds: int


class SessionOut(Out):
    """A live session with its summary."""

    id: str
    case_id: str
    title: str
    status: Literal["scheduled", "live", "ended"]
    host: PersonRef
    presenter: PersonRef | None
    scheduled_at: datetime | None
    started_at: datetime | None
    ended_at: datetime | None
    created_at: datetime
    seq: int
    duration_seconds: int | None
    annotation_count: int
    participants: list[ParticipationOut]


class SessionList(Out):
    """The live sessions of a case."""

    items: list[SessionOut]
