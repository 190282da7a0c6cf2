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
