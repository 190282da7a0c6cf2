"""Request and response schemas of the cases API."""
from __future__ import annotations

import re
from datetime import datetime
from typing import Literal

from pydantic import Field, field_validator

from telehealth.accounts.schemas import EmailStr
from telehealth.api import Out, Schema

Priority = Literal["stat", "urgent", "routine"]
Status = Literal["draft", "submitted", "triage", "offered", "accepted", "in_review", "info_requested",
                 "reported", "closed", "cancelled"]


class CaseFields(Schema):
    """Fields a patient or referrer sets on a case."""

    history: str | None = Field(default=None, max_length=20_000)
    priority: Priority | None = None
    requested_specialty: str | None = Field(default=None, max_length=80)
    requested_specialist_id: str | None = Field(default=None, max_length=36)
    patient_name: str | None = Field(default=None, max_length=200)
    patient_birth_date: str | None = None
    patient_sex: Literal["F", "M", "O"] | None = None
    region: str | None = Field(default=None, max_length=20)
    language: str | None = Field(default=None, max_length=10)
    anonymous: bool | None = None
    consent: bool | None = None

    @field_validator("patient_birth_date")
    @classmethod
    def _date(cls, v: str | None) -> str | None:
        if v is not None and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", v):
            raise ValueError("use YYYY-MM-DD")
        if v is not None:
            datetime.strptime(v, "%Y-%m-%d")
        return v


class CaseCreate(CaseFields):
    """A new consult: at least a title and the clinical question."""

    title: str = Field(min_length=1, max_length=200)
    question: str = Field(min_length=1, max_length=20_000)


class CasePatch(CaseFields):
    """Edit a draft."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    question: str | None = Field(default=None, min_length=1, max_length=20_000)


class PersonRef(Out):
    """A person, as others see them."""

    id: str
    name: str


class CaseOut(Out):
    """A case as the caller sees it, with what they may do next."""

    id: str
    title: str
    question: str
    history: str | None
    priority: Priority
    status: Status
    requested_specialty: str | None
    requested_specialist_id: str | None
    patient_name: str | None
    patient_birth_date: str | None
    patient_sex: str | None
    region: str | None
    language: str | None
    anonymous: bool
    consent: bool
    created_by: PersonRef
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None
    due_at: datetime | None
    overdue: bool
    closed_at: datetime | None
    my_role: str | None
    allowed_actions: list[str]


class CaseList(Out):
    """A page of cases."""

    items: list[CaseOut]
    total: int
    page: int
    per_page: int


class CaseQuery(Schema):
    """Filters, sorting and paging of the case list."""

    status: list[Status] | Status | None = None
    priority: Priority | None = None
    q: str | None = Field(default=None, max_length=200)
    sort: Literal["updated_at", "-updated_at", "created_at", "-created_at", "due_at", "-due_at"] = "-updated_at"
    page: int = Field(default=1, ge=1, le=100_000)
    per_page: int = Field(default=20, ge=1, le=100)


class NoteIn(Schema):
    """An optional reason or note for a transition."""

    reason: str | None = Field(default=None, max_length=5_000)


class MessageIn(Schema):
    """A message for the case conversation, or the text of an info request/answer."""

    message: str = Field(min_length=1, max_length=10_000)


class PostMessageIn(Schema):
    """A new message in the case conversation."""

    body: str = Field(min_length=1, max_length=10_000)


class MessageOut(Out):
    """One message."""

    id: str
    author: PersonRef | None
    kind: str
    body: str
    created_at: datetime
    live_session_id: str | None = None


class MessageList(Out):
    """The case conversation."""

    items: list[MessageOut]


class EventOut(Out):
    """One timeline entry."""

    id: str
    action: str
    from_status: str | None
    to_status: str | None
    actor: PersonRef | None
    note: str | None
    at: datetime


class EventList(Out):
    """The case timeline."""

    items: list[EventOut]


class ParticipantUser(Out):
    """A participant's identity."""

    id: str
    name: str
    email: str


class ParticipantOut(Out):
    """Someone taking part in the case."""

    user: ParticipantUser
    role: str
    added_at: datetime


class ParticipantList(Out):
    """The case's people."""

    items: list[ParticipantOut]


class InvitationIn(Schema):
    """Invite the patient (by a referrer) or the referrer (by a patient)."""

    email: EmailStr
    role: Literal["patient", "referrer"]


class InvitationOut(Out):
    """An invitation to the case."""

    id: str
    email: str
    role: str | None = None
    expires_at: datetime
    accepted_at: datetime | None = None
    accept_url: str | None = None


class InvitationList(Out):
    """Invitations to the case."""

    items: list[InvitationOut]


class OfferIn(Schema):
    """A coordinator offers the case to a specialist."""

    specialist_id: str = Field(min_length=1, max_length=36)


class OfferOut(Out):
    """An offer to a specialist."""

    id: str
    case_id: str
    specialist: PersonRef
    status: str
    created_at: datetime
    expires_at: datetime | None
    responded_at: datetime | None
    reason: str | None


class OfferList(Out):
    """The offers of a case, newest first."""

    items: list[OfferOut]
