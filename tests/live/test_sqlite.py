"""The embedded default runs on SQLite: an annotation add takes the ordinary path there (no one-statement add)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from telehealth import create_app
from telehealth.accounts.service import create_user
from telehealth.audit.models import AuditEvent
from telehealth.cases.conversation import add_participant
from telehealth.cases.service import create_case
from telehealth.db import Base
from telehealth.errors import ApiError
from telehealth.extensions import db
from telehealth.live import annotations
from telehealth.live.models import LiveEvent, LiveSession
from telehealth.live.schemas import AnnotationIn
from tests.live.conftest import add_image, length


def test_an_annotation_add_on_sqlite(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'embedded.db'}",
                      "DATA_DIR": str(tmp_path), "REDIS_URL": None})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        patient = create_user(db.session, email="p@example.org", name="Pat", password=None, roles=["patient"])
        specialist = create_user(db.session, email="s@example.org", name="Spec", password=None, roles=["specialist"])
        case = create_case(db.session, patient, title="Knee", question="Torn meniscus?", consent=True)
        add_participant(db.session, case, specialist, "specialist", None)
        add_image(case.id)
        live = LiveSession(case_id=case.id, host_id=specialist.id, title="Review", status="live",
                           presenter_id=specialist.id)
        db.session.add(live)
        db.session.commit()

        out, env = annotations.add(db.session, specialist, live.id, AnnotationIn.model_validate(length()),
                                   case_id=case.id)
        assert env is not None and env["seq"] == 1 and env["data"] == {"annotation": out}
        logged = db.session.scalar(select(LiveEvent).where(LiveEvent.session_id == live.id))
        assert logged is not None and logged.seq == 1
        audit = db.session.scalar(select(AuditEvent).where(AuditEvent.entity_id == out["id"]))
        assert audit is not None and audit.details is not None and audit.details["seq"] == 1
        with pytest.raises(ApiError) as e:
            elsewhere = AnnotationIn.model_validate(length(sop_instance_uid="1.2"))
            annotations.add(db.session, specialist, live.id, elsewhere, case_id=case.id)
        assert e.value.code == "unknown_image"
        db.session.rollback()
        assert db.session.scalar(select(LiveSession.last_seq).where(LiveSession.id == live.id)) == 1
        db.session.remove()
        db.engine.dispose()


def test_the_recheck_of_the_sign_ins_on_sqlite(tmp_path):
    """The background recheck reads columns and moves last_seen_at on with one UPDATE: on SQLite too."""
    from datetime import timedelta

    from telehealth import clock
    from telehealth.accounts.models import AuthSession
    from telehealth.cases.models import CaseParticipant
    from telehealth.live import sign_ins
    from telehealth.live.connections import Connection

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'embedded.db'}",
                      "DATA_DIR": str(tmp_path), "REDIS_URL": None})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        patient = create_user(db.session, email="p@example.org", name="Pat", password=None, roles=["patient"])
        specialist = create_user(db.session, email="s@example.org", name="Spec", password=None, roles=["specialist"])
        referrer = create_user(db.session, email="r@example.org", name="Ref", password=None, roles=["referrer"])
        case = create_case(db.session, patient, title="Knee", question="Torn meniscus?", consent=True)
        add_participant(db.session, case, specialist, "specialist", None)
        add_participant(db.session, case, referrer, "referrer", None)
        now, stale = clock.now(), clock.now() - timedelta(minutes=5)
        auth = {u.id: AuthSession(user_id=u.id, token_hash=u.id.replace("-", "").ljust(64, "0"), kind="cookie",
                                  last_seen_at=stale, expires_at=now + timedelta(hours=1))
                for u in (patient, specialist, referrer)}
        db.session.add_all(auth.values())
        db.session.commit()
        conns = {f"c-{u.name}": Connection.of(auth[u.id].id, u) for u in (patient, specialist, referrer)}
        for c in conns.values():
            c.cases["live-1"] = case.id
        conns["c-Spec"].active = True
        auth[patient.id].revoked_at = now
        db.session.execute(CaseParticipant.__table__.delete().where(CaseParticipant.user_id == referrer.id))
        db.session.commit()

        found = sign_ins.recheck(db.session, conns)
        assert found.signed_out == ["c-Pat"]
        assert found.removed == [("c-Ref", "live-1")]
        seen = dict(db.session.execute(select(AuthSession.user_id, AuthSession.last_seen_at)).all())
        assert seen[specialist.id] > stale  # sent an event since the last check
        assert seen[referrer.id] == stale  # only listened
        assert not conns["c-Spec"].active and conns["c-Spec"].user_columns["email"] == "s@example.org"
        db.session.remove()
        db.engine.dispose()
