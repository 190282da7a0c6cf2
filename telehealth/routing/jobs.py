"""Background timers: offer timeouts, SLA warnings and breaches, routing retries.

Deadlines live in the database (Offer.expires_at, CaseRouting.warn_at, Case.due_at,
CaseRouting.next_route_at). `tick(now)` fires what is due: it picks one row at a time
(`FOR UPDATE SKIP LOCKED` on PostgreSQL, so concurrent workers take different rows), claims
it with a conditional UPDATE (`... WHERE <marker> IS NULL`) and applies the effect in the same
transaction. A worker killed mid-way rolls back, and the row is fired by the next tick: every
timer fires exactly once, across restarts and concurrent workers.
"""
from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask import Flask, current_app
from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.audit.service import record
from telehealth.cases.models import Case, Offer
from telehealth.cases.service import _event
from telehealth.cases.signals import case_transitioned
from telehealth.extensions import db
from telehealth.notifications.audience import coordinators, requesters, specialists
from telehealth.notifications.service import notify
from telehealth.routing import sla
from telehealth.routing.models import CaseRouting
from telehealth.routing.service import expire_offer, route_case

log = logging.getLogger(__name__)

# What firing a timer did: None when it was not claimed, else the signals to send after the commit.
Fired = list[tuple[Case, dict[str, Any]]] | None


def _rowcount(result: Any) -> int:
    return int(result.rowcount or 0)


def _next(session: Session, query: Any, done: set[str]) -> str | None:
    """One due id not tried in this tick, locked so that other workers skip it."""
    if done:
        query = query.where(query.selected_columns[0].not_in(done))
    return session.execute(query.limit(1)).scalar()


def _fire_offer(session: Session, offer_id: str, now: datetime) -> Fired:
    claimed = session.execute(update(Offer).where(Offer.id == offer_id, Offer.status == "pending",
                                                  Offer.expires_at <= now)
                              .values(status="expired", responded_at=now))
    if _rowcount(claimed) != 1:
        return None
    offer = session.get(Offer, offer_id)
    assert offer is not None
    case = session.get(Case, offer.case_id)
    was_offered = case is not None and case.status == "offered"
    new_offer = expire_offer(session, offer, now)
    signals: list[tuple[Case, dict[str, Any]]] = []
    if case is not None and was_offered:
        signals.append((case, {"action": "expire_offer", "actor": None, "from_status": "offered", "note": None}))
    if case is not None and new_offer is not None:
        signals.append((case, {"action": "offer", "actor": None, "from_status": "triage", "note": None}))
    return signals


def _fire_warning(session: Session, case_id: str, now: datetime) -> Fired:
    claimed = session.execute(update(CaseRouting).where(
        CaseRouting.case_id == case_id, CaseRouting.warned_at.is_(None), CaseRouting.paused_at.is_(None),
        CaseRouting.warn_at <= now).values(warned_at=now))
    if _rowcount(claimed) != 1:
        return None
    case = session.get(Case, case_id)
    assert case is not None
    if case.due_at is None or case.due_at <= now:
        return []  # already overdue (the worker was down): the breach says it all, no late "due soon"
    left = int((case.due_at - now).total_seconds() // 60)
    _event(session, case, None, "sla_warning", note=f"due in {left} min")
    notify(session, specialists(case) + coordinators(session, case), kind="sla_warning",
           title=f"Due soon: {case.title}", body=f"Due in {left // 60} h {left % 60} min ({case.priority}).",
           case_id=case.id)
    return []


def _fire_breach(session: Session, case_id: str, now: datetime) -> Fired:
    case = session.get(Case, case_id)
    if case is None or case.due_at is None or case.due_at > now or case.status not in sla.ACTIVE_STATUSES:
        return None
    row = sla.state(session, case)
    claimed = session.execute(update(CaseRouting).where(
        CaseRouting.case_id == case_id, CaseRouting.breached_at.is_(None), CaseRouting.paused_at.is_(None))
        .values(breached_at=now))
    if _rowcount(claimed) != 1:
        return None
    session.refresh(row)
    _event(session, case, None, "sla_breached", note=f"due {case.due_at.isoformat()}")
    record(session, actor=None, action="case.sla_breached", entity_type="case", entity_id=case.id, case_id=case.id,
           details={"due_at": case.due_at.isoformat(), "status": case.status})
    notify(session, coordinators(session, case), kind="sla_breach", title=f"Overdue: {case.title}",
           body=f"The {case.priority} case is past its due time while {case.status.replace('_', ' ')}.",
           case_id=case.id)
    notify(session, specialists(case), kind="sla_breach", title=f"Overdue: {case.title}",
           body="This case is past its due time; the coordinators have been told.", case_id=case.id)
    notify(session, requesters(case), kind="case_delayed", title=f"Your case is delayed: {case.title}",
           body="We are sorry: your case is taking longer than expected. The coordinators are on it.",
           case_id=case.id)
    return []


def _fire_retry(session: Session, case_id: str, now: datetime) -> Fired:
    retry = now + timedelta(minutes=current_app.config["ROUTING_RETRY_MINUTES"])
    claimed = session.execute(update(CaseRouting).where(CaseRouting.case_id == case_id, _retry_due(now))
                              .values(next_route_at=retry))
    if _rowcount(claimed) != 1:
        return None
    case = session.get(Case, case_id)
    if case is None or case.status != "triage":
        return []
    offer = route_case(session, case, now=now)
    if offer is None:
        return []
    return [(case, {"action": "offer", "actor": None, "from_status": "triage", "note": None})]


def _retry_due(now: datetime) -> Any:
    # Flagged cases retry on schedule; an unflagged triage case with no plan (a crash right after a
    # decline, say) is picked up after a grace minute.
    return or_(CaseRouting.next_route_at <= now,
               and_(CaseRouting.next_route_at.is_(None), CaseRouting.flagged_at.is_(None)))


def _queries(now: datetime, auto: bool) -> list[tuple[str, Any, Callable[..., Fired]]]:
    active = Case.status.in_(sla.ACTIVE_STATUSES)
    jobs = [
        ("offer_timeout", select(Offer.id).where(Offer.status == "pending", Offer.expires_at <= now)
         .order_by(Offer.expires_at).with_for_update(skip_locked=True, of=Offer), _fire_offer),
        ("sla_warning", select(CaseRouting.case_id).join(Case, Case.id == CaseRouting.case_id)
         .where(CaseRouting.warn_at <= now, CaseRouting.warned_at.is_(None), CaseRouting.paused_at.is_(None),
                CaseRouting.breached_at.is_(None), active)
         .order_by(CaseRouting.warn_at).with_for_update(skip_locked=True, of=CaseRouting), _fire_warning),
        ("sla_breach", select(CaseRouting.case_id).join(Case, Case.id == CaseRouting.case_id)
         .where(Case.due_at <= now, CaseRouting.breached_at.is_(None), CaseRouting.paused_at.is_(None), active)
         .order_by(Case.due_at).with_for_update(skip_locked=True, of=CaseRouting), _fire_breach),
    ]
    if auto:
        grace = now - timedelta(minutes=1)
        jobs.append(("routing_retry", select(CaseRouting.case_id).join(Case, Case.id == CaseRouting.case_id)
                     .where(Case.status == "triage", _retry_due(now), Case.status_changed_at <= grace)
                     .order_by(CaseRouting.next_route_at).with_for_update(skip_locked=True, of=CaseRouting),
                     _fire_retry))
    return jobs


def tick(now: datetime | None = None, *, session: Session | None = None, limit: int = 500) -> dict[str, int]:
    """Fire every timer due at `now` (default: the service clock); returns how many fired per kind."""
    session = session or db.session()  # the app context's session
    now = now or clock.now()
    fired = {"offer_timeout": 0, "sla_warning": 0, "sla_breach": 0, "routing_retry": 0}
    for kind, query, fire in _queries(now, bool(current_app.config["ROUTING_AUTO"])):
        done: set[str] = set()
        while len(done) < limit:
            row_id = _next(session, query, done)
            if row_id is None:
                session.rollback()
                break
            done.add(row_id)
            try:
                signals = fire(session, row_id, now)
                session.commit()
            except Exception:
                log.exception("timer %s for %s failed; it stays due", kind, row_id)
                session.rollback()
                continue
            if signals is None:  # another worker fired it first, or it is no longer due
                continue
            fired[kind] += 1
            for case, kw in signals:
                case_transitioned.send(case, **kw)
    return fired


def run_worker(app: Flask, *, interval: float, stop: threading.Event | None = None,
               once: bool = False) -> None:
    """Loop tick() until stopped; each tick in its own app context and session."""
    stop = stop or threading.Event()
    worker = f"{os.uname().nodename}:{os.getpid()}:{threading.get_ident()}"
    log.info("routing worker %s started (every %ss)", worker, interval)
    while not stop.is_set():
        with app.app_context():
            try:
                fired = tick()
                if any(fired.values()):
                    log.info("worker %s fired %s", worker, fired)
                # Report pushes to referrers' PACS that are due a (re)try, with back-off.
                from telehealth.reports.delivery import deliver_due

                pushed = deliver_due(db.session(), app.config)
                if any(pushed.values()):
                    log.info("worker %s report deliveries %s", worker, pushed)
            except Exception:
                log.exception("worker tick failed")
            finally:
                db.session.remove()
        if once:
            return
        stop.wait(interval)


_embedded_lock = threading.Lock()
_embedded: dict[int, tuple[threading.Thread, threading.Event]] = {}


def ensure_embedded_worker(app: Flask) -> None:
    """Start the in-process timer thread once per app (embedded run; never when TESTING)."""
    if app.config.get("TESTING") or not app.config.get("EMBEDDED_WORKER"):
        return
    key = id(app)
    if key in _embedded:
        return
    with _embedded_lock:
        if key in _embedded:
            return
        stop = threading.Event()
        t = threading.Thread(target=run_worker, args=(app,), name="telehealth-timers", daemon=True,
                             kwargs={"interval": float(app.config["WORKER_INTERVAL_SECONDS"]), "stop": stop})
        _embedded[key] = (t, stop)
        t.start()


def embedded_worker(app: Flask) -> threading.Thread | None:
    """The app's in-process timer thread, if it was started."""
    entry = _embedded.get(id(app))
    return entry[0] if entry else None


def stop_embedded_worker(app: Flask, timeout: float = 10.0) -> None:
    """Stop the app's in-process timer thread (tests, orderly shutdown)."""
    with _embedded_lock:
        entry = _embedded.pop(id(app), None)
    if entry is not None:
        entry[1].set()
        entry[0].join(timeout)
