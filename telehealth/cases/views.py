"""Case routes: thin views over the case services."""

from __future__ import annotations

from flask import Blueprint, current_app, g

from telehealth import clock
from telehealth.accounts.models import User
from telehealth.api import route
from telehealth.cases import conversation, offers, service
from telehealth.cases.access import participant_role
from telehealth.cases.models import Case
from telehealth.cases.schemas import (
    CaseCreate,
    CaseList,
    CaseOut,
    CasePatch,
    CaseQuery,
    EventList,
    EventOut,
    InvitationIn,
    InvitationList,
    InvitationOut,
    MessageIn,
    MessageList,
    MessageOut,
    NoteIn,
    OfferIn,
    OfferList,
    OfferOut,
    ParticipantList,
    ParticipantOut,
    PersonRef,
    PostMessageIn,
)
from telehealth.extensions import db

bp = Blueprint("cases", __name__, url_prefix="/api/cases")


def case_out(case: Case, user: User) -> CaseOut:
    """Shape a case for this user, with the actions they may take."""
    return CaseOut(
        id=case.id,
        title=case.title,
        question=case.question,
        history=case.history,
        priority=case.priority,  # type: ignore[arg-type]
        status=case.status,  # type: ignore[arg-type]
        requested_specialty=case.requested_specialty,
        requested_specialist_id=case.requested_specialist_id,
        patient_name=case.patient_name,
        patient_birth_date=case.patient_birth_date,
        patient_sex=case.patient_sex,
        region=case.region,
        language=case.language,
        anonymous=case.anonymous,
        consent=case.consent_at is not None,
        created_by=PersonRef.model_validate(case.created_by),
        created_at=case.created_at,
        updated_at=case.updated_at,
        submitted_at=case.submitted_at,
        due_at=case.due_at,
        closed_at=case.closed_at,
        overdue=bool(
            case.due_at and case.due_at < clock.now() and case.status not in ("reported", "closed", "cancelled")
        ),
        my_role=participant_role(case, user),
        allowed_actions=service.actions_for(db.session, case, user),
    )


@route(bp, "", query=CaseQuery, response=CaseList, summary="Cases the caller may see (filtered, paged)")
def list_cases(query: CaseQuery) -> CaseList:
    status = [query.status] if isinstance(query.status, str) else query.status
    rows, total = service.list_cases(
        db.session,
        g.user,
        status=status,
        q=query.q,
        priority=query.priority,
        page=query.page,
        per_page=query.per_page,
        sort=query.sort,
    )
    return CaseList(items=[case_out(c, g.user) for c in rows], total=total, page=query.page, per_page=query.per_page)


@route(bp, "", methods=["POST"], body=CaseCreate, response=CaseOut, status=201, summary="Open a consult (draft)")
def create_case(body: CaseCreate) -> tuple[dict, int]:  # type: ignore[type-arg]
    fields = body.model_dump(exclude={"title", "question", "consent"}, exclude_none=True)
    case = service.create_case(
        db.session, g.user, title=body.title, question=body.question, consent=bool(body.consent), **fields
    )
    return case_out(case, g.user).model_dump(mode="json"), 201


@route(bp, "/<case_id>", response=CaseOut, summary="One case")
def get_case(case_id: str) -> CaseOut:
    return case_out(service.get_case(db.session, g.user, case_id), g.user)


@route(bp, "/<case_id>", methods=["PATCH"], body=CasePatch, response=CaseOut, summary="Edit a draft case")
def update_case(case_id: str, body: CasePatch) -> CaseOut:
    case = service.update_case(db.session, g.user, case_id, body.model_dump(exclude_unset=True))
    return case_out(case, g.user)


def _transition_view(action: str, summary: str, body_model: type | None) -> None:
    def view(case_id: str, body: NoteIn | MessageIn | None = None) -> CaseOut:
        note = getattr(body, "reason", None) or getattr(body, "message", None)
        return case_out(service.transition(db.session, g.user, case_id, action, note), g.user)

    view.__name__ = action
    route(
        bp,
        f"/<case_id>/{action.replace('_', '-')}",
        methods=["POST"],
        body=body_model,
        response=CaseOut,
        summary=summary,
    )(view)


_transition_view("submit", "Submit a draft for routing (needs consent)", None)
_transition_view("cancel", "Cancel an open case", NoteIn)
_transition_view("start_review", "The assigned specialist starts reading", None)
_transition_view("request_info", "The specialist asks the patient/referrer for more", MessageIn)
_transition_view("provide_info", "Answer the specialist's request; the case resumes", MessageIn)
_transition_view("close", "Close a reported case", NoteIn)


@route(bp, "/<case_id>/accept", methods=["POST"], response=CaseOut, summary="Accept the offer made to you")
def accept(case_id: str) -> CaseOut:
    return case_out(offers.respond(db.session, g.user, case_id, accept=True), g.user)


@route(
    bp,
    "/<case_id>/decline",
    methods=["POST"],
    body=NoteIn,
    response=CaseOut,
    summary="Decline the offer made to you (with a reason)",
)
def decline(case_id: str, body: NoteIn) -> CaseOut:
    return case_out(offers.respond(db.session, g.user, case_id, accept=False, reason=body.reason), g.user)


@route(
    bp,
    "/<case_id>/offers",
    methods=["POST"],
    body=OfferIn,
    response=OfferOut,
    status=201,
    summary="Coordinator: offer a triaged case to a specialist",
)
def offer(case_id: str, body: OfferIn) -> tuple[dict, int]:  # type: ignore[type-arg]
    o = offers.offer_case(db.session, g.user, case_id, body.specialist_id)
    return OfferOut.model_validate(o).model_dump(mode="json"), 201


@route(bp, "/<case_id>/offers", response=OfferList, summary="Coordinator: the offers made on the case, newest first")
def list_offers(case_id: str) -> OfferList:
    return OfferList(items=[OfferOut.model_validate(o) for o in offers.list_offers(db.session, g.user, case_id)])


@route(bp, "/<case_id>/messages", response=MessageList, summary="The case conversation")
def list_messages(case_id: str) -> MessageList:
    rows = conversation.list_messages(db.session, g.user, case_id)
    return MessageList(items=[MessageOut.model_validate(m) for m in rows])


@route(
    bp,
    "/<case_id>/messages",
    methods=["POST"],
    body=PostMessageIn,
    response=MessageOut,
    status=201,
    summary="Write to the case conversation",
)
def post_message(case_id: str, body: PostMessageIn) -> tuple[dict, int]:  # type: ignore[type-arg]
    msg = conversation.post_message(db.session, g.user, case_id, body.body)
    return MessageOut.model_validate(msg).model_dump(mode="json"), 201


@route(bp, "/<case_id>/timeline", response=EventList, summary="Status history of the case")
def timeline(case_id: str) -> EventList:
    return EventList(items=[EventOut.model_validate(e) for e in conversation.timeline(db.session, g.user, case_id)])


@route(bp, "/<case_id>/participants", response=ParticipantList, summary="Who takes part in the case")
def participants(case_id: str) -> ParticipantList:
    rows = conversation.list_participants(db.session, g.user, case_id)
    return ParticipantList(items=[ParticipantOut.model_validate(p) for p in rows])


@route(bp, "/<case_id>/invitations", response=InvitationList, summary="Invitations to the case")
def list_invitations(case_id: str) -> InvitationList:
    rows = conversation.list_invitations(db.session, g.user, case_id)
    return InvitationList(
        items=[
            InvitationOut(id=i.id, email=i.email, role=i.case_role, expires_at=i.expires_at, accepted_at=i.accepted_at)
            for i in rows
        ]
    )


@route(
    bp,
    "/<case_id>/invitations",
    methods=["POST"],
    body=InvitationIn,
    response=InvitationOut,
    status=201,
    summary="Invite the patient or the referrer to the case (e-mailed link)",
)
def invite(case_id: str, body: InvitationIn) -> tuple[dict, int]:  # type: ignore[type-arg]
    inv, token = conversation.invite(db.session, g.user, case_id, email=body.email, role=body.role)
    url = f"{current_app.config['PUBLIC_URL']}/invitations/{token}"
    from telehealth.mail import send_mail

    send_mail(
        inv.email,
        "You are invited to a consult",
        f"{g.user.name} invited you to take part in a consult on Telehealth. Open: {url}",
    )
    out = InvitationOut(id=inv.id, email=inv.email, role=inv.case_role, expires_at=inv.expires_at, accept_url=url)
    return out.model_dump(mode="json"), 201
