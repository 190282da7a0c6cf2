"""The live events that write, an annotation add and the presenter's view, in one statement each: one round
trip to PostgreSQL.

Through the ORM an add costs about ten round trips: BEGIN, the participation check, the seq UPDATE, the
id and image checks, three INSERTs (annotation, event, audit) and COMMIT; a view about six. Under load a
round trip took about 1.3 ms on the 2-core bench machine (0.1 ms idle), so their count made these slow.
Here each is one statement run in autocommit: the seq UPDATE carries every check in its WHERE clause
(the user takes part in the session's open case, the session has not ended; for an add the image is one
of the case's and the id is new, for a view the user presents), and the INSERTs are data-modifying CTEs
that read its RETURNING, so either all of it is stored, under the next seq, or nothing is.

When nothing was stored (a check failed, a retry of an add that is stored already, or the same id raced
in from another process), the caller runs the ordinary service, which says why or acknowledges the retry.
SQLite has no data-modifying CTEs, and no round trips to save: it always takes the ordinary services.
"""
from __future__ import annotations

from functools import cache
from typing import Any, cast

from sqlalchemy import (
    CTE,
    JSON,
    ColumnElement,
    Integer,
    Select,
    Table,
    bindparam,
    exists,
    func,
    insert,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from telehealth.audit.models import AuditEvent
from telehealth.cases.models import Case, CaseParticipant
from telehealth.live.models import Annotation, LiveEvent, LiveSession

CLOSED_CASE = ("cancelled", "closed")


def _table(model: type) -> Table:
    return cast(Table, model.__table__)  # type: ignore[attr-defined]


def _param(table: Table, column: str) -> Any:
    """The bound parameter of one column of one stored row, named `<table>_<column>`."""
    return bindparam(f"{table.name}_{column}", type_=table.c[column].type)


def _params(row: Any) -> dict[str, Any]:
    table = _table(type(row))
    return {f"{table.name}_{c.name}": getattr(row, c.key) for c in table.columns}


def _taken(*checks: ColumnElement[bool], **values: Any) -> CTE:
    """The session's next seq (with `values` set on its row), if the user `by_user` takes part in the open case
    `of_case` of the session `of_session`, which has not ended, and `checks` hold. (No parameter is named
    like a column of live_session: SQLAlchemy would add such a one to the UPDATE's SET.)"""
    sessions, participants, cases = (_table(m) for m in (LiveSession, CaseParticipant, Case))
    case_id: Any = bindparam("of_case")
    takes_part = exists().where(participants.c.case_id == cases.c.id, participants.c.user_id == bindparam("by_user"),
                                cases.c.id == case_id, cases.c.status.not_in(CLOSED_CASE))
    return (update(sessions)
            .where(sessions.c.id == bindparam("of_session"), sessions.c.case_id == case_id,
                   sessions.c.status != "ended", takes_part, *checks)
            .values(last_seq=sessions.c.last_seq + 1, **values)
            .returning(sessions.c.last_seq).cte("taken"))


def _stored(model: type, taken: CTE, computed: dict[str, ColumnElement[Any]]) -> CTE:
    """INSERT one row of `model` (its columns from parameters, or `computed`) if the seq was taken."""
    table = _table(model)
    values = [computed.get(c.name, _param(table, c.name)) for c in table.columns]
    return (insert(table).from_select([c.name for c in table.columns], select(*values).select_from(taken))
            .cte(f"stored_{table.name}"))


@cache
def _annotation_statement() -> Select[tuple[int]]:
    """Built once (SQLAlchemy then caches its compiled form, psycopg prepares it on each connection)."""
    from telehealth.dicom.models import DicomInstance, DicomSeries, DicomStudy

    annotations = _table(Annotation)
    a = {c: _param(annotations, c) for c in ("id", "study_instance_uid", "series_instance_uid", "sop_instance_uid",
                                             "frame_number")}
    image = (select(DicomInstance.id)
             .join(DicomSeries, DicomInstance.series_id == DicomSeries.id)
             .join(DicomStudy, DicomInstance.study_id == DicomStudy.id)
             .where(DicomInstance.case_id == bindparam("of_case"),
                    DicomInstance.sop_instance_uid == a["sop_instance_uid"],
                    DicomSeries.series_instance_uid == a["series_instance_uid"],
                    DicomStudy.study_instance_uid == a["study_instance_uid"],
                    func.greatest(func.coalesce(DicomInstance.number_of_frames, 1), 1)
                    >= func.coalesce(a["frame_number"], 1)))
    taken = _taken(image.exists(), ~exists().where(annotations.c.id == a["id"]))
    seq = taken.c.last_seq
    # Only the UPDATE knows the seq: the event's column, and a key of the audit row's details.
    details = bindparam("audit_event_details", type_=JSONB).op("||")(
        func.jsonb_build_object(literal_column("'seq'"), seq))
    return select(seq.cast(Integer)).add_cte(
        _stored(Annotation, taken, {}), _stored(LiveEvent, taken, {"seq": seq}),
        _stored(AuditEvent, taken, {"details": details.cast(JSON)}))


@cache
def _view_statement() -> Select[tuple[int]]:
    sessions = _table(LiveSession)
    taken = _taken(sessions.c.presenter_id == bindparam("by_user"),
                   view=bindparam("new_view", type_=sessions.c.view.type))
    return select(taken.c.last_seq.cast(Integer)).add_cte(_stored(LiveEvent, taken, {"seq": taken.c.last_seq}))


def engine_for(session: Session, case_id: str | None) -> Engine | None:
    """The engine to run a one-statement write on: PostgreSQL, the joined session's case known, and the ORM
    session not bound to a caller's transaction (the statement runs on its own connection, in autocommit)."""
    bind = session.get_bind()
    if case_id is not None and isinstance(bind, Engine) and bind.dialect.name == "postgresql":
        return bind
    return None


def _run(engine: Engine, statement: Select[tuple[int]], params: dict[str, Any]) -> int | None:
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            stored = conn.execute(statement, params).scalar()
    except IntegrityError:  # the same annotation id, added meanwhile in another session or process
        return None
    return int(stored) if stored is not None else None


def add_annotation(engine: Engine, annotation: Annotation, event: LiveEvent, audit: AuditEvent) -> int | None:
    """Store the annotation, its event and its audit row under the session's next seq, if its author takes
    part in the session's open case, the session has not ended, the image is one of the case's and the id
    is new. Every column of the three rows is set by the caller (the event's seq and the seq key of the
    audit row's details excepted). Returns the seq, or None when nothing was stored."""
    params = {"of_session": annotation.session_id, "of_case": annotation.case_id, "by_user": annotation.author_id}
    return _run(engine, _annotation_statement(), params | _params(annotation) | _params(event) | _params(audit))


def set_view(engine: Engine, case_id: str, view: dict[str, Any], event: LiveEvent) -> int | None:
    """Keep the presenter's view on the session and store its event under the next seq, if the event's actor
    presents, takes part in the session's open case `case_id`, and the session has not ended. Returns the
    seq, or None when nothing was stored."""
    params = {"of_session": event.session_id, "of_case": case_id, "by_user": event.actor_id, "new_view": view}
    return _run(engine, _view_statement(), params | _params(event))
