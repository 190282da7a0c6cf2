"""An annotation add is one statement on PostgreSQL, and says why when that statement stores nothing."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select

from telehealth.accounts.models import User
from telehealth.audit.models import AuditEvent
from telehealth.errors import ApiError
from telehealth.extensions import db
from telehealth.live import annotations, control, service
from telehealth.live.models import Annotation, LiveEvent, LiveSession
from telehealth.live.schemas import AnnotationIn
from tests.live.conftest import SOP, length
from tests.live.test_service import in_threads


@pytest.fixture
def session_of(people):  # type: ignore[no-untyped-def]
    live = service.create_session(db.session, people["specialist"], people["case"].id, title="t")
    db.session.commit()
    return {"id": live.id, "case_id": people["case"].id}


def statements(work) -> tuple[Any, list[str]]:  # type: ignore[no-untyped-def]
    """Run work(); its result and the SQL statements it sent."""
    sent: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        return work(), sent
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def last_seq(live_id: str) -> int:
    db.session.expire_all()
    return int(db.session.scalar(select(LiveSession.last_seq).where(LiveSession.id == live_id)) or 0)


def add(user: User, s: dict[str, str], **over: Any) -> tuple[dict[str, Any], dict[str, Any] | None]:
    return annotations.add(db.session, user, s["id"], AnnotationIn.model_validate(length(**over)),
                           case_id=s["case_id"])


def refused(user: User, s: dict[str, str], **over: Any) -> str:
    with pytest.raises(ApiError) as e:
        add(user, s, **over)
    db.session.rollback()
    return e.value.code


def test_an_add_is_one_statement_that_stores_annotation_event_and_audit(app, people, session_of):
    user = people["specialist"]
    (out, env), sent = statements(lambda: add(user, session_of, frame_number=1))
    assert len(sent) == 1 and sent[0].lstrip().startswith("WITH")
    assert env is not None and env["seq"] == 1 and env["type"] == "annotation:add"
    assert env["data"] == {"annotation": out}
    assert env["actor"] == {"id": user.id, "name": user.name}
    db.session.expire_all()
    stored = db.session.get(Annotation, out["id"])
    assert stored is not None and annotations.annotation_out(stored) == out
    assert out["case_id"] == session_of["case_id"] and out["author"]["id"] == user.id and out["version"] == 1
    logged = db.session.scalar(select(LiveEvent).where(LiveEvent.session_id == session_of["id"], LiveEvent.seq == 1))
    assert logged is not None and service.envelope(logged) == env
    audit = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_id == out["id"]))
    assert audit is not None and audit.action == "annotation.created" and audit.actor_id == user.id
    assert audit.case_id == session_of["case_id"]
    assert audit.details == {"session_id": session_of["id"], "kind": "length", "version": 1, "seq": 1}
    assert last_seq(session_of["id"]) == 1


def test_concurrent_adds_get_distinct_gap_free_seqs(app, people, session_of):
    user_ids = [people["specialist"].id, people["referrer"].id, people["patient"].id]

    def one(i: int) -> int:
        _out, env = add(db.session.get(User, user_ids[i % 3]), session_of)  # type: ignore[arg-type]
        return env["seq"]  # type: ignore[index]

    assert sorted(in_threads(app, 12, one)) == list(range(1, 13))
    stored = db.session.scalars(select(LiveEvent.seq).where(LiveEvent.session_id == session_of["id"])
                                .order_by(LiveEvent.seq)).all()
    assert stored == list(range(1, 13))
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)
                             .where(AuditEvent.action == "annotation.created",
                                    AuditEvent.case_id == session_of["case_id"])) == 12


def test_refusals_say_why_and_take_no_seq(app, people, session_of):
    user = people["specialist"]
    assert refused(people["outsider"], session_of) == "session_not_found"
    assert refused(user, session_of, sop_instance_uid="1.2.3.4") == "unknown_image"
    assert refused(user, session_of, frame_number=2) == "frame_out_of_range"
    assert last_seq(session_of["id"]) == 0
    assert db.session.scalar(select(func.count()).select_from(Annotation)
                             .where(Annotation.session_id == session_of["id"])) == 0


def test_a_retried_add_is_acknowledged_and_a_foreign_duplicate_refused(app, people, session_of):
    a = length()
    out, env = annotations.add(db.session, people["specialist"], session_of["id"], AnnotationIn.model_validate(a),
                               case_id=session_of["case_id"])
    again, none = annotations.add(db.session, people["specialist"], session_of["id"], AnnotationIn.model_validate(a),
                                  case_id=session_of["case_id"])
    assert env is not None and none is None and again == out
    with pytest.raises(ApiError) as e:
        annotations.add(db.session, people["referrer"], session_of["id"], AnnotationIn.model_validate(a),
                        case_id=session_of["case_id"])
    assert e.value.code == "duplicate_annotation"
    db.session.rollback()
    assert last_seq(session_of["id"]) == 1


def test_the_same_add_racing_itself_is_stored_once(app, people, session_of):
    a, user_id = length(), people["specialist"].id

    def one(_i: int) -> dict[str, Any] | None:
        return annotations.add(db.session, db.session.get(User, user_id), session_of["id"],  # type: ignore[arg-type]
                               AnnotationIn.model_validate(a), case_id=session_of["case_id"])[1]

    envs = in_threads(app, 4, one)
    assert sum(env is not None for env in envs) == 1, envs
    assert last_seq(session_of["id"]) == 1


def test_ended_sessions_and_closed_cases_refuse_adds(app, people, session_of):
    user = people["specialist"]
    service.end_session(db.session, user, session_of["id"])
    assert refused(user, session_of) == "session_ended"
    other = service.create_session(db.session, user, people["case"].id, title="again")
    db.session.commit()
    s = {"id": other.id, "case_id": people["case"].id}
    people["case"].status = "closed"
    db.session.commit()
    assert refused(user, s) == "case_closed"
    assert last_seq(other.id) == 0


def test_a_wrong_case_id_is_never_trusted(app, people, session_of, make_case):
    elsewhere = make_case(people["referrer"], submit=True)
    s = {"id": session_of["id"], "case_id": elsewhere.id}
    (out, env), sent = statements(lambda: add(people["specialist"], s, sop_instance_uid=SOP))
    assert len(sent) > 1  # the statement stored nothing; the ordinary add took the session's own case
    assert env is not None and out["case_id"] == session_of["case_id"]


VIEW = {"study_instance_uid": "1.2.3", "series_instance_uid": "1.2.3.4", "sop_instance_uid": SOP,
        "image_index": 3, "window_center": 40.0, "window_width": 400.0}


def test_a_view_is_one_statement_and_only_the_presenter_sets_it(app, people, session_of):
    host = people["specialist"]
    env, sent = statements(lambda: control.set_view(db.session, host, session_of["id"], VIEW,
                                                    case_id=session_of["case_id"]))
    assert len(sent) == 1 and env["seq"] == 1 and env["type"] == "view" and env["data"] == {"view": VIEW}
    db.session.expire_all()
    live = db.session.get(LiveSession, session_of["id"])
    assert live is not None and live.view == VIEW and live.last_seq == 1
    logged = db.session.scalar(select(LiveEvent).where(LiveEvent.session_id == live.id, LiveEvent.seq == 1))
    assert logged is not None and service.envelope(logged) == env
    with pytest.raises(ApiError) as e:
        control.set_view(db.session, people["referrer"], session_of["id"], VIEW | {"image_index": 9},
                         case_id=session_of["case_id"])
    assert e.value.code == "not_presenter"
    db.session.rollback()
    with pytest.raises(ApiError) as e:
        control.set_view(db.session, people["outsider"], session_of["id"], VIEW, case_id=session_of["case_id"])
    assert e.value.code == "session_not_found"
    db.session.rollback()
    assert last_seq(session_of["id"]) == 1
    assert db.session.get(LiveSession, session_of["id"]).view == VIEW  # type: ignore[union-attr]
