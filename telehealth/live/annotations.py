"""Shared annotations: add, versioned update, tombstone delete, and reads for the report editor.

An update or delete names the `base_version` it was made on; when the annotation has moved
on since, the change is refused with the current annotation (never a silent overwrite).
"""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import User
from telehealth.api import _validation_details
from telehealth.audit.service import audit_event, record
from telehealth.cases.access import get_visible_case
from telehealth.db import new_id
from telehealth.errors import Conflict, Forbidden, NotFound, ValidationFailed
from telehealth.live import one_statement
from telehealth.live.models import Annotation, LiveEvent, LiveSession
from telehealth.live.schemas import AnnotationFields, AnnotationIn
from telehealth.live.service import (
    add_event,
    envelope,
    get_visible_session,
    iso,
    load_for_participant,
    next_seq,
    person,
)

FIELDS = ("kind", "study_instance_uid", "series_instance_uid", "sop_instance_uid", "frame_number", "graphic_type",
          "points", "measurements", "label")


def annotation_out(a: Annotation) -> dict[str, Any]:
    """An annotation as the protocol and the API show it."""
    return {
        "id": a.id, "session_id": a.session_id, "case_id": a.case_id, "kind": a.kind,
        "study_instance_uid": a.study_instance_uid, "series_instance_uid": a.series_instance_uid,
        "sop_instance_uid": a.sop_instance_uid, "frame_number": a.frame_number, "graphic_type": a.graphic_type,
        "points": a.points, "measurements": a.measurements, "label": a.label, "author": person(a.author),
        "version": a.version, "deleted": a.deleted, "created_at": iso(a.created_at), "updated_at": iso(a.updated_at),
        "deleted_at": iso(a.deleted_at),
    }


def _values(data: AnnotationFields) -> dict[str, Any]:
    dumped = data.model_dump(mode="json")
    return {k: dumped[k] for k in FIELDS}


def _same(a: Annotation, values: dict[str, Any]) -> bool:
    return all(getattr(a, k) == v for k, v in values.items())


def check_new(session: Session, case_id: str, annotation_id: str, values: dict[str, Any]) -> Annotation | None:
    """One statement for the two checks of an add: the annotation with this id, if any (returned: the caller
    decides whether it is a retry), and the referenced image, which must be one of the case's (study, series
    and SOP instance UIDs agree) with the frame within its Number of Frames."""
    from telehealth.dicom.models import DicomInstance, DicomSeries, DicomStudy

    frames = (
        select(func.coalesce(DicomInstance.number_of_frames, 1))
        .join(DicomSeries, DicomInstance.series_id == DicomSeries.id)
        .join(DicomStudy, DicomInstance.study_id == DicomStudy.id)
        .where(DicomInstance.case_id == case_id, DicomInstance.sop_instance_uid == values["sop_instance_uid"],
               DicomSeries.series_instance_uid == values["series_instance_uid"],
               DicomStudy.study_instance_uid == values["study_instance_uid"])
        .limit(1).scalar_subquery()
    )
    taken = select(Annotation.id).where(Annotation.id == annotation_id).exists()
    count, exists = session.execute(select(frames, taken)).one()
    if exists:
        return session.get(Annotation, annotation_id)
    if count is None:
        raise ValidationFailed("The annotated image is not one of this case's images", code="unknown_image",
                               details=[{"field": "annotation.sop_instance_uid", "message": "not in this case"}])
    if values["frame_number"] is not None and values["frame_number"] > max(count, 1):
        raise ValidationFailed(f"The image has {max(count, 1)} frame(s)", code="frame_out_of_range",
                               details=[{"field": "annotation.frame_number", "message": "beyond the last frame"}])
    return None


def add(session: Session, user: User, live_id: str, data: AnnotationIn, *,
        case_id: str | None = None) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Add an annotation; returns it and the event (None when this exact add was already accepted).

    With the session's `case_id` known (the connection joined it) on PostgreSQL, the add is one statement
    (`one_statement`); when that stores nothing, the ordinary add below says why or acknowledges a retry."""
    values = _values(data)
    engine = one_statement.engine_for(session, case_id)
    if engine is not None and case_id is not None:
        done = _add_in_one_statement(engine, user, live_id, case_id, data.id, values)
        if done is not None:
            return done
    live, case = load_for_participant(session, user, live_id)
    # The seq first: it locks the session's row until the commit, so an add of the same id racing in
    # another process waits here and then finds this one (a retry is acknowledged, not a failed insert).
    seq = next_seq(session, live.id)
    existing = check_new(session, case.id, data.id, values)
    if existing is not None:
        if existing.session_id == live.id and existing.author_id == user.id and _same(existing, values):
            session.rollback()  # a retried add: acknowledge it again, change nothing
            return annotation_out(existing), None
        raise Conflict("An annotation with this id exists already", code="duplicate_annotation")
    now = clock.now()
    a = Annotation(id=data.id, session_id=live.id, case_id=case.id, author_id=user.id, version=1, deleted=False,
                   created_at=now, updated_at=now, **values)
    a.author = user
    session.add(a)
    session.flush()
    out = annotation_out(a)
    env = add_event(session, live.id, seq, "annotation:add", {"annotation": out}, user)
    record(session, actor=user, action="annotation.created", entity_type="annotation", entity_id=a.id,
           case_id=case.id, details={"session_id": live.id, "kind": a.kind, "version": 1, "seq": seq})
    session.commit()
    return out, env


def _add_in_one_statement(engine: Engine, user: User, live_id: str, case_id: str, annotation_id: str,
                          values: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    now = clock.now()
    a = Annotation(id=annotation_id, session_id=live_id, case_id=case_id, author_id=user.id, updated_by_id=None,
                   version=1, deleted=False, created_at=now, updated_at=now, deleted_at=None, **values)
    a.author = user  # never added to the session: the statement stores it
    out = annotation_out(a)
    event = LiveEvent(id=new_id(), session_id=live_id, seq=None, type="annotation:add", payload={"annotation": out},
                      actor_id=user.id, at=now)
    audit = audit_event(actor=user, action="annotation.created", entity_type="annotation", entity_id=a.id,
                        case_id=case_id, details={"session_id": live_id, "kind": a.kind, "version": 1})
    audit.id, audit.at = new_id(), now
    seq = one_statement.add_annotation(engine, a, event, audit)
    if seq is None:
        return None
    event.seq, event.actor = seq, user
    return out, envelope(event)


def _for_change(session: Session, user: User, live: LiveSession, annotation_id: str,
                base_version: int) -> Annotation:
    # The session row locked by next_seq() serializes changes; no row lock is needed here.
    a = session.get(Annotation, annotation_id) if len(annotation_id) <= 36 else None
    if a is None or a.session_id != live.id:
        raise NotFound("No such annotation in this session", code="annotation_not_found")
    if user.id not in (a.author_id, live.host_id):
        raise Forbidden("Only its author or the host can change an annotation", code="not_author")
    if a.deleted:
        raise Conflict("The annotation was deleted", code="annotation_deleted",
                       details={"current": annotation_out(a)})
    if a.version != base_version:
        raise Conflict(f"The annotation is at version {a.version}, not {base_version}", code="stale_version",
                       details={"current": annotation_out(a)})
    return a


def update(session: Session, user: User, live_id: str, annotation_id: str, base_version: int,
           changes: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """Change the geometry, values or label of an annotation at `base_version`."""
    live, case = load_for_participant(session, user, live_id)
    seq = next_seq(session, live.id)
    session.refresh(live)
    a = _for_change(session, user, live, annotation_id, base_version)
    merged = {k: getattr(a, k) for k in FIELDS} | changes
    try:
        values = _values(AnnotationFields.model_validate(merged))
    except ValidationError as e:
        raise ValidationFailed("Invalid annotation", details=_validation_details(e)) from None
    for k, v in values.items():
        setattr(a, k, v)
    a.version += 1
    a.updated_by_id, a.updated_at = user.id, clock.now()
    out = annotation_out(a)
    env = add_event(session, live.id, seq, "annotation:update", {"annotation": out}, user)
    record(session, actor=user, action="annotation.updated", entity_type="annotation", entity_id=a.id,
           case_id=case.id, details={"session_id": live.id, "version": a.version, "fields": sorted(changes),
                                     "seq": seq})
    session.commit()
    return out, env


def delete(session: Session, user: User, live_id: str, annotation_id: str,
           base_version: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """Delete an annotation at `base_version`: a tombstone stays, with a new version."""
    live, case = load_for_participant(session, user, live_id)
    seq = next_seq(session, live.id)
    session.refresh(live)
    a = _for_change(session, user, live, annotation_id, base_version)
    now = clock.now()
    a.deleted, a.deleted_at, a.updated_at, a.updated_by_id = True, now, now, user.id
    a.version += 1
    out = annotation_out(a)
    env = add_event(session, live.id, seq, "annotation:delete", {"annotation": out}, user)
    record(session, actor=user, action="annotation.deleted", entity_type="annotation", entity_id=a.id,
           case_id=case.id, details={"session_id": live.id, "version": a.version, "seq": seq})
    session.commit()
    return out, env


def _query(include_deleted: bool, sop_instance_uid: str | None):  # type: ignore[no-untyped-def]
    q = select(Annotation)
    if not include_deleted:
        q = q.where(Annotation.deleted.is_(False))
    if sop_instance_uid:
        q = q.where(Annotation.sop_instance_uid == sop_instance_uid)
    return q.order_by(Annotation.created_at, Annotation.id)


def list_for_session(session: Session, actor: User, live_id: str, *, include_deleted: bool = False,
                     sop_instance_uid: str | None = None) -> list[Annotation]:
    """The annotations of a session (for the report editor), audited as a read."""
    live, case = get_visible_session(session, actor, live_id)
    rows = session.scalars(_query(include_deleted, sop_instance_uid).where(Annotation.session_id == live.id)).all()
    record(session, actor=actor, action="annotation.listed", entity_type="live_session", entity_id=live.id,
           case_id=case.id, details={"count": len(rows)})
    session.commit()
    return list(rows)


def list_for_case(session: Session, actor: User, case_id: str, *, include_deleted: bool = False,
                  sop_instance_uid: str | None = None) -> list[Annotation]:
    """The annotations of every session of a case, audited as a read."""
    case = get_visible_case(session, actor, case_id)
    rows = session.scalars(_query(include_deleted, sop_instance_uid).where(Annotation.case_id == case.id)).all()
    record(session, actor=actor, action="annotation.listed", entity_type="case", entity_id=case.id,
           case_id=case.id, details={"count": len(rows)})
    session.commit()
    return list(rows)
