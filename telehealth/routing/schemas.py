"""Request and response schemas of the routing API."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import Field

from telehealth.api import Out, Schema
from telehealth.cases.schemas import PersonRef, Priority, Status


class AbsenceIn(Schema):
    """A period a specialist is away (times with a UTC offset)."""

    starts_at: datetime
    ends_at: datetime
    reason: str | None = Field(default=None, max_length=200)


class ProfileIn(Schema):
    """Fields of a specialist profile; omitted fields stay as they are."""

    specialties: list[str] | None = Field(default=None, max_length=30)
    subspecialties: list[str] | None = Field(default=None, max_length=30)
    modalities: list[str] | None = Field(default=None, max_length=30)
    licensed_regions: list[str] | None = Field(default=None, max_length=50)
    languages: list[str] | None = Field(default=None, max_length=20)
    capacity: int | None = Field(default=None, ge=0, le=1000)
    time_zone: str | None = Field(default=None, max_length=64)
    working_hours: dict[str, list[list[str]]] | None = None
    absences: list[AbsenceIn] | None = Field(default=None, max_length=200)
    accepting: bool | None = None


class AbsenceOut(Out):
    """An absence."""

    starts_at: datetime
    ends_at: datetime
    reason: str | None = None


class ProfileOut(Out):
    """A specialist profile with the specialist's current load."""

    id: str
    user: PersonRef
    specialties: list[str]
    subspecialties: list[str]
    modalities: list[str]
    licensed_regions: list[str]
    languages: list[str]
    capacity: int
    time_zone: str
    working_hours: dict[str, list[list[str]]]
    absences: list[AbsenceOut]
    accepting: bool
    load: int = 0
    available_now: bool = True
    updated_at: datetime


class ProfileList(Out):
    """Specialist profiles."""

    items: list[ProfileOut]


class RuleIn(Schema):
    """A routing rule: match fields (empty = any) and what a matching case needs."""

    name: str = Field(min_length=1, max_length=200)
    position: int = Field(default=100, ge=0, le=100_000)
    active: bool = True
    match_specialty: str | None = Field(default=None, max_length=80)
    match_modality: str | None = Field(default=None, max_length=16)
    match_body_part: str | None = Field(default=None, max_length=64)
    match_region: str | None = Field(default=None, max_length=20)
    match_language: str | None = Field(default=None, max_length=10)
    required_specialty: str | None = Field(default=None, max_length=80)
    required_subspecialty: str | None = Field(default=None, max_length=80)
    weights: dict[Literal["specialty", "subspecialty", "modality", "language"], float] = Field(default_factory=dict)


class RulePatch(Schema):
    """A change to a routing rule."""

    name: str | None = Field(default=None, min_length=1, max_length=200)
    position: int | None = Field(default=None, ge=0, le=100_000)
    active: bool | None = None
    match_specialty: str | None = Field(default=None, max_length=80)
    match_modality: str | None = Field(default=None, max_length=16)
    match_body_part: str | None = Field(default=None, max_length=64)
    match_region: str | None = Field(default=None, max_length=20)
    match_language: str | None = Field(default=None, max_length=10)
    required_specialty: str | None = Field(default=None, max_length=80)
    required_subspecialty: str | None = Field(default=None, max_length=80)
    weights: dict[Literal["specialty", "subspecialty", "modality", "language"], float] | None = None


class RuleOut(Out):
    """A routing rule."""

    id: str
    name: str
    position: int
    active: bool
    match_specialty: str | None
    match_modality: str | None
    match_body_part: str | None
    match_region: str | None
    match_language: str | None
    required_specialty: str | None
    required_subspecialty: str | None
    weights: dict[str, float]
    updated_at: datetime


class RuleList(Out):
    """Routing rules in the order they are tried."""

    items: list[RuleOut]


class ReassignIn(Schema):
    """Coordinator: take the case back and offer it to a specialist (or to the next candidate)."""

    specialist_id: str | None = Field(default=None, min_length=1, max_length=36)
    reason: str | None = Field(default=None, max_length=5_000)


class HandBackIn(Schema):
    """Specialist: return the case, saying why."""

    reason: str = Field(min_length=1, max_length=5_000)


class HintsIn(Schema):
    """Coordinator: modality and body part for routing when the case has no indexed images."""

    modality: str | None = Field(default=None, max_length=16)
    body_part: str | None = Field(default=None, max_length=64)


class CandidateOut(Out):
    """A specialist considered for the case, best first; `excluded` says why one is not eligible."""

    specialist: PersonRef
    eligible: bool
    requested: bool
    fit: float
    load: int
    capacity: int
    available_now: bool
    last_offered_at: datetime | None
    excluded: list[str]


class CandidateList(Out):
    """The candidates for a case and the rule that applied."""

    rule: str | None
    required_specialty: str | None
    required_subspecialty: str | None
    requested_specialty: str | None
    region: str | None
    modalities: list[str]
    body_parts: list[str]
    items: list[CandidateOut]


class RoutingStateOut(Out):
    """Where a case stands in routing and against its due time."""

    case_id: str
    status: Status
    priority: Priority
    due_at: datetime | None
    expected_at: datetime | None
    overdue: bool
    sla_paused: bool
    paused_minutes: int
    warned_at: datetime | None
    breached_at: datetime | None
    flagged: bool
    flag_reason: str | None
    modality: str | None
    body_part: str | None


class WorklistQuery(Schema):
    """Which worklist, filters, sorting and paging."""

    view: Literal["specialist", "coordinator", "requester"] | None = None
    bucket: str | None = Field(default=None, max_length=40)
    status: list[Status] | Status | None = None
    priority: Priority | None = None
    q: str | None = Field(default=None, max_length=200)
    sort: Literal["due_at", "-due_at", "priority", "created_at", "-created_at", "updated_at", "-updated_at"] = "due_at"
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class WorkItem(Out):
    """A case on a worklist."""

    case_id: str
    title: str
    status: Status
    priority: Priority
    requested_specialty: str | None
    submitted_at: datetime | None
    due_at: datetime | None
    expected_at: datetime | None
    overdue: bool
    due_soon: bool
    sla_paused: bool
    flagged: bool
    flag_reason: str | None
    specialist: PersonRef | None
    offer_expires_at: datetime | None
    buckets: list[str]


class LoadOut(Out):
    """One specialist's load on the coordinator board."""

    specialist: PersonRef
    active: int
    pending_offers: int
    capacity: int
    accepting: bool
    available_now: bool


class WorklistOut(Out):
    """A worklist page with the count of every bucket."""

    view: str
    buckets: list[str]
    counts: dict[str, int]
    items: list[WorkItem]
    total: int
    page: int
    per_page: int
    load: list[LoadOut] | None = None
