"""Live session routes: open, list, read and end sessions; annotations for the report editor."""
from __future__ import annotations

from flask import Blueprint, g

from telehealth.api import route
from telehealth.extensions import db
from telehealth.live import annotations as annotation_service
from telehealth.live import service
from telehealth.live.annotations import annotation_out
from telehealth.live.events import close_session_room
from telehealth.live.models import LiveSession
from telehealth.live.schemas import (
    AnnotationList,
    AnnotationOut,
    AnnotationQuery,
    SessionCreate,
    SessionList,
    SessionOut,
)

bp = Blueprint("live", __name__, url_prefix="/api")


def session_out(live: LiveSession) -> SessionOut:
    """Shape a session with its summary."""
    s = service.summary(db.session, live)
    return SessionOut(
        id=live.id, case_id=live.case_id, title=live.title, status=live.status,  # type: ignore[arg-type]
        host=service.person(live.host), presenter=service.person(live.presenter),  # type: ignore[arg-type]
        scheduled_at=live.scheduled_at, started_at=live.started_at, ended_at=live.ended_at,
        created_at=live.created_at, seq=live.last_seq, duration_seconds=s["duration_seconds"],
        annotation_count=s["annotation_count"], participants=s["participants"],
    )


@route(bp, "/cases/<case_id>/sessions", response=SessionList, summary="Live sessions of a case, with summaries")
def list_sessions(case_id: str) -> SessionList:
    return SessionList(items=[session_out(s) for s in service.list_sessions(db.session, g.user, case_id)])


@route(bp, "/cases/<case_id>/sessions", methods=["POST"], body=SessionCreate, response=SessionOut, status=201,
       summary="A specialist of the case opens a live session now or schedules it")
def create_session(case_id: str, body: SessionCreate) -> tuple[dict, int]:  # type: ignore[type-arg]
    live = service.create_session(db.session, g.user, case_id, title=body.title, scheduled_at=body.scheduled_at)
    return session_out(live).model_dump(mode="json"), 201


@route(bp, "/sessions/<session_id>", response=SessionOut, summary="One live session with its summary")
def get_session(session_id: str) -> SessionOut:
    live, _case = service.get_visible_session(db.session, g.user, session_id)
    return session_out(live)


@route(bp, "/sessions/<session_id>/end", methods=["POST"], response=SessionOut,
       summary="The host ends the live session")
def end_session(session_id: str) -> SessionOut:
    live, env = service.end_session(db.session, g.user, session_id)
    close_session_room(env)
    return session_out(live)


@route(bp, "/sessions/<session_id>/annotations", query=AnnotationQuery, response=AnnotationList,
       summary="Annotations made in a live session (for the report editor)")
def session_annotations(session_id: str, query: AnnotationQuery) -> AnnotationList:
    rows = annotation_service.list_for_session(db.session, g.user, session_id, include_deleted=query.include_deleted,
                                        sop_instance_uid=query.sop_instance_uid)
    return AnnotationList(items=[AnnotationOut.model_validate(annotation_out(a)) for a in rows])


@route(bp, "/cases/<case_id>/annotations", query=AnnotationQuery, response=AnnotationList,
       summary="Annotations of every live session of a case")
def case_annotations(case_id: str, query: AnnotationQuery) -> AnnotationList:
    rows = annotation_service.list_for_case(db.session, g.user, case_id, include_deleted=query.include_deleted,
                                     sop_instance_uid=query.sop_instance_uid)
    return AnnotationList(items=[AnnotationOut.model_validate(annotation_out(a)) for a in rows])
