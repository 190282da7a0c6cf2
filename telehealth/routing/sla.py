"""The SLA clock: due time from priority (business hours for routine), warnings, breach, pause while waiting.

Case.due_at is the due time everyone sees; CaseRouting keeps the timers (warn_at, warned_at,
breached_at) and the pause, which moves due_at later by the time spent in `info_requested`.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.cases.models import Case
from telehealth.routing.calendar import WEEKDAYS, add_business_hours, parse_hhmm
from telehealth.routing.models import CaseRouting

ACTIVE_STATUSES = ("submitted", "triage", "offered", "accepted", "in_review", "info_requested")


def _business_days(spec: str) -> tuple[int, ...]:
    days: list[int] = []
    for part in spec.lower().replace(" ", "").split(","):
        if "-" in part:
            a, b = part.split("-", 1)
            i, j = WEEKDAYS.index(a), WEEKDAYS.index(b)
            days.extend(range(i, j + 1) if i <= j else [*range(i, 7), *range(0, j + 1)])
        elif part:
            days.append(WEEKDAYS.index(part))
    return tuple(sorted(set(days)))


def due_at(priority: str, start: datetime, cfg: dict[str, Any] | None = None) -> datetime:
    """When a case of this priority, submitted at `start`, is due."""
    cfg = cfg or current_app.config
    hours = cfg["SLA_HOURS"][priority]
    if priority != "routine":
        return start + timedelta(hours=hours)
    open_s, _, close_s = cfg["SLA_BUSINESS_HOURS"].partition("-")
    day_start = parse_hhmm(open_s) or time(0)
    day_end = parse_hhmm(close_s) or time(23, 59, 59, 999999)
    return add_business_hours(start, hours, day_start=day_start, day_end=day_end,
                              days=_business_days(cfg["SLA_BUSINESS_DAYS"]), tz=cfg["SLA_TIMEZONE"])


def _warn_at(start: datetime, due: datetime) -> datetime:
    fraction = float(current_app.config["SLA_WARNING_FRACTION"])
    return due - (due - start) * fraction


def state(session: Session, case: Case) -> CaseRouting:
    """The case's routing/SLA row, created on first use (caller commits)."""
    row = session.get(CaseRouting, case.id)
    if row is None:
        row = CaseRouting(case_id=case.id)
        session.add(row)
        session.flush()
    return row


def start(session: Session, case: Case) -> CaseRouting:
    """Start the clock at submission: set the due time and the warning timer."""
    row = state(session, case)
    begin = case.submitted_at or clock.now()
    case.due_at = due_at(case.priority, begin)
    row.warn_at = _warn_at(begin, case.due_at)
    row.warned_at = row.breached_at = row.paused_at = None
    row.paused_seconds = 0
    return row


def pause(session: Session, case: Case) -> None:
    """Stop the clock while the specialist waits for the requester."""
    row = state(session, case)
    if row.paused_at is None:
        row.paused_at = clock.now()


def resume(session: Session, case: Case) -> None:
    """Restart the clock: the due time and warning move by the time spent waiting."""
    row = state(session, case)
    if row.paused_at is None:
        return
    waited = clock.now() - row.paused_at
    row.paused_at = None
    row.paused_seconds += int(waited.total_seconds())
    if case.due_at is not None and row.breached_at is None:
        case.due_at = case.due_at + waited
        if row.warn_at is not None and row.warned_at is None:
            row.warn_at = row.warn_at + waited


def remaining(case: Case, row: CaseRouting | None, now: datetime | None = None) -> timedelta | None:
    """Time left until due (frozen while paused); negative when overdue."""
    if case.due_at is None:
        return None
    now = now or clock.now()
    if row is not None and row.paused_at is not None:
        return case.due_at - row.paused_at
    return case.due_at - now


def expected_at(case: Case, row: CaseRouting | None, now: datetime | None = None) -> datetime | None:
    """The time the requester can expect the report: the due time, counting a pause up to now."""
    if case.due_at is None:
        return None
    now = now or clock.now()
    if row is not None and row.paused_at is not None:
        return case.due_at + (now - row.paused_at)
    return case.due_at
