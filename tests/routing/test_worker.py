"""A worker killed mid-way, then two workers racing on PostgreSQL: every due timer fires exactly once."""
from __future__ import annotations

import os
import subprocess
import sys
import threading
from datetime import timedelta

from sqlalchemy import func, select

from telehealth import clock
from telehealth.audit.models import AuditEvent
from telehealth.cases.models import CaseEvent, Offer
from telehealth.cases.offers import respond
from telehealth.extensions import db
from telehealth.notifications.models import Notification
from telehealth.routing.jobs import tick
from telehealth.routing.models import CaseRouting

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _per_case(model, column, *where):  # type: ignore[no-untyped-def]
    return dict(db.session.execute(select(column, func.count()).where(*where).group_by(column)).all())


def test_killed_and_racing_workers_fire_every_timer_exactly_once(app, frozen, specialist, make_user, make_case,
                                                                   database_url, tmp_path):
    coordinator = make_user("coordinator")
    team = [specialist(f"Spec {i:02d}", capacity=50) for i in range(4)]
    patient = make_user("patient")
    stat_cases, urgent_cases = [], []
    for _ in range(8):
        case = make_case(patient, region="EU-DE", priority="stat", submit=True)
        holder = next(u for u in team if any(p.user_id == u.id for p in case.participants))
        respond(db.session, holder, case.id, accept=True)  # accepted: warning and breach timers
        stat_cases.append(case.id)
    for _ in range(8):
        urgent_cases.append(make_case(patient, region="EU-DE", priority="urgent", submit=True).id)  # open offers
    frozen.advance(timedelta(hours=5))
    now = clock.now()

    # A worker dies hard in the middle of a timer's transaction.
    env = dict(os.environ, TELEHEALTH_DATABASE_URL=database_url, TELEHEALTH_DATA_DIR=str(tmp_path),
               TELEHEALTH_SECRET_KEY="x" * 40, TELEHEALTH_REDIS_URL="")
    crashed = subprocess.run([sys.executable, "-m", "tests.routing.crashing_worker", now.isoformat(), "5"],
                             cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert crashed.returncode == 9, crashed.stderr
    db.session.expire_all()
    expired_so_far = db.session.scalar(select(func.count()).where(Offer.status == "expired")) or 0
    assert 0 < expired_so_far < len(urgent_cases)  # it got some of the way, not all of it

    # Two workers restart and race for what is left.
    results: list[dict[str, int]] = []
    start = threading.Barrier(2)

    def worker() -> None:
        with app.app_context():
            start.wait()
            results.append(tick(now))
            db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert len(results) == 2
    db.session.expire_all()

    # Every offer expired once and moved on once; every stat case warned and breached once.
    assert expired_so_far + sum(r["offer_timeout"] for r in results) == len(urgent_cases)
    assert sum(r["sla_breach"] for r in results) == len(stat_cases)
    assert sum(r["sla_warning"] for r in results) == len(stat_cases)
    expired = _per_case(Offer, Offer.case_id, Offer.status == "expired")
    assert expired == {cid: 1 for cid in urgent_cases}
    pending = _per_case(Offer, Offer.case_id, Offer.status == "pending")
    assert pending == {cid: 1 for cid in urgent_cases}
    assert _per_case(AuditEvent, AuditEvent.case_id, AuditEvent.action == "offer.expired") == \
        {cid: 1 for cid in urgent_cases}
    assert _per_case(CaseEvent, CaseEvent.case_id, CaseEvent.action == "sla_breached") == \
        {cid: 1 for cid in stat_cases}
    breach_notes = _per_case(Notification, Notification.case_id, Notification.user_id == coordinator.id,
                             Notification.kind == "sla_breach")
    assert breach_notes == {cid: 1 for cid in stat_cases}
    # Already overdue when the workers got to them: no late "due soon" on top of the breach.
    assert _per_case(Notification, Notification.case_id, Notification.kind == "sla_warning") == {}
    rows = db.session.scalars(select(CaseRouting).where(CaseRouting.case_id.in_(stat_cases))).all()
    assert all(r.breached_at == now and r.warned_at == now for r in rows)
    # Nothing is left to fire.
    assert tick(now) == {"offer_timeout": 0, "sla_warning": 0, "sla_breach": 0, "routing_retry": 0}
