"""The embedded default runs on SQLite: the demo seed routes its case and the timers fire there too."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from telehealth import clock, create_app
from telehealth.cases.models import Case, Offer
from telehealth.db import Base
from telehealth.extensions import db
from telehealth.notifications.models import Notification
from telehealth.routing.jobs import tick
from tests.routing.factories import MONDAY_10


def test_demo_seed_routes_and_times_out_on_sqlite(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'embedded.db'}",
                      "DATA_DIR": str(tmp_path), "REDIS_URL": None})
    clock.set_time(MONDAY_10)
    try:
        with app.app_context():
            Base.metadata.create_all(db.engine)
            from telehealth.seed import demo_email, seed_demo

            seed_demo(db.session)
            case = db.session.scalar(select(Case).where(Case.requested_specialty == "neuroradiology"))
            offer = db.session.scalar(select(Offer).where(Offer.case_id == case.id))
            assert case.status == "offered" and offer.specialist.email == demo_email("neuro")
            assert db.session.scalar(select(Notification.title).where(Notification.user_id == offer.specialist_id)) \
                == f"New case offered to you: {case.title}"
            clock.advance(timedelta(hours=24))  # routine offers run a day
            assert tick()["offer_timeout"] == 1
            db.session.expire_all()
            # Nobody else reads neuroradiology: the case waits for the coordinator, who is told.
            assert case.status == "triage"
            coordinator_titles = db.session.scalars(select(Notification.title).where(
                Notification.kind == "routing_escalation")).all()
            assert coordinator_titles == [f"Needs routing by hand: {case.title}"]
            assert tick() == {"offer_timeout": 0, "sla_warning": 0, "sla_breach": 0, "routing_retry": 0}
            db.session.remove()
            db.engine.dispose()
    finally:
        clock.set_time(None)
