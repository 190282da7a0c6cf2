"""Worklists: what each person has to do, in buckets, filtered, sorted and paged.

- specialist: offered (waiting for their answer), active, due_soon, overdue
- coordinator: triage, flagged (no candidate left), offered (unanswered offers), in_progress,
  breached, plus the load of every specialist of the network
- requester (patient/referrer): their cases with status and the expected time
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy import case as sql_case
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import User
from telehealth.audit.service import record
from telehealth.cases.access import visible_cases_query
from telehealth.cases.models import Case, CaseParticipant, Offer
from telehealth.errors import Forbidden
from telehealth.routing.calendar import is_available
from telehealth.routing.candidates import loads
from telehealth.routing.models import CaseRouting, SpecialistProfile
from telehealth.routing.sla import ACTIVE_STATUSES

ASSIGNED = ("accepted", "in_review", "info_requested")
VIEWS = ("specialist", "coordinator", "requester")
BUCKETS = {
    "specialist": ("offered", "active", "due_soon", "overdue"),
    "coordinator": ("triage", "flagged", "offered", "in_progress", "breached"),
    "requester": ("open", "waiting_for_you", "reported", "closed"),
}
SORTS = ("due_at", "-due_at", "priority", "created_at", "-created_at", "updated_at", "-updated_at")


@dataclass
class Worklist:
    """One page of a worklist."""

    view: str
    counts: dict[str, int]
    items: list[tuple[Case, CaseRouting | None, list[str], Offer | None]]
    total: int
    load: list[dict[str, Any]] | None = field(default=None)


def default_view(user: User) -> str:
    """The worklist a user sees first."""
    if user.has_role("coordinator"):
        return "coordinator"
    if user.has_role("specialist"):
        return "specialist"
    return "requester"


def _bucket_conditions(view: str, user: User, now: datetime) -> dict[str, Any]:
    overdue = and_(Case.due_at < now, Case.status.in_(ACTIVE_STATUSES), CaseRouting.paused_at.is_(None))
    if view == "specialist":
        offered = Case.id.in_(select(Offer.case_id).where(Offer.specialist_id == user.id, Offer.status == "pending"))
        mine = Case.id.in_(select(CaseParticipant.case_id).where(CaseParticipant.user_id == user.id,
                                                                 CaseParticipant.role == "specialist"))
        active = and_(mine, Case.status.in_(ASSIGNED))
        return {"offered": and_(offered, Case.status == "offered"), "active": active,
                "due_soon": and_(active, CaseRouting.warn_at <= now, ~overdue),
                "overdue": and_(or_(active, offered), overdue)}
    if view == "coordinator":
        return {"triage": Case.status.in_(("submitted", "triage")),
                "flagged": and_(Case.status == "triage", CaseRouting.flagged_at.is_not(None)),
                "offered": Case.status == "offered", "in_progress": Case.status.in_(ASSIGNED), "breached": overdue}
    return {"open": Case.status.in_(("draft",) + ACTIVE_STATUSES), "waiting_for_you": Case.status == "info_requested",
            "reported": Case.status == "reported", "closed": Case.status.in_(("closed", "cancelled"))}


def _base(view: str, user: User) -> Any:
    if view == "specialist":
        if not user.has_role("specialist"):
            raise Forbidden("The specialist worklist is for specialists", code="not_allowed")
        q = select(Case)
    elif view == "coordinator":
        if not (user.has_role("coordinator") and user.organization_id):
            raise Forbidden("The coordinator board is for coordinators of a network", code="not_allowed")
        q = select(Case).where(Case.network_id == user.organization_id, Case.status != "draft")
    else:
        q = visible_cases_query(user)
    return q.outerjoin(CaseRouting, CaseRouting.case_id == Case.id)


def _order(sort: str) -> list[Any]:
    if sort == "priority":
        rank = sql_case({"stat": 0, "urgent": 1, "routine": 2}, value=Case.priority, else_=3)
        return [rank, Case.due_at.asc().nulls_last()]
    col = getattr(Case, sort.lstrip("-"))
    return [col.desc().nulls_last() if sort.startswith("-") else col.asc().nulls_last()]


def worklist(session: Session, user: User, *, view: str | None = None, bucket: str | None = None,
             status: list[str] | None = None, priority: str | None = None, q: str | None = None,
             sort: str = "due_at", page: int = 1, per_page: int = 20) -> Worklist:
    """The user's worklist: counts per bucket and one filtered, sorted page of cases."""
    view = view or default_view(user)
    now = clock.now()
    conds = _bucket_conditions(view, user, now)
    base = _base(view, user)
    if view == "specialist":
        base = base.where(or_(conds["offered"], conds["active"]))
    counts = {name: session.scalar(select(func.count()).select_from(base.where(cond).subquery())) or 0
              for name, cond in conds.items()}
    query = base
    if bucket:
        query = query.where(conds[bucket])
    if status:
        query = query.where(Case.status.in_(status))
    if priority:
        query = query.where(Case.priority == priority)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(or_(func.lower(Case.title).like(like), func.lower(Case.question).like(like)))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    query = query.add_columns(CaseRouting).order_by(*_order(sort), Case.id)
    rows = session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    cases = [r[0] for r in rows]
    member = _membership(session, base, conds, [c.id for c in cases])
    offers = _pending_offers(session, [c.id for c in cases])
    items = [(c, r, member.get(c.id, []), offers.get(c.id)) for c, r in rows]
    load = specialist_load(session, user.organization_id, now) if view == "coordinator" else None
    record(session, actor=user, action="worklist.viewed", entity_type="case",
           details={"view": view, "bucket": bucket, "count": len(items)})
    session.commit()
    return Worklist(view=view, counts=counts, items=items, total=total, load=load)


def _membership(session: Session, base: Any, conds: dict[str, Any], ids: list[str]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    if not ids:
        return out
    for name, cond in conds.items():
        for cid in session.scalars(base.where(cond, Case.id.in_(ids)).with_only_columns(Case.id)):
            out.setdefault(cid, []).append(name)
    return out


def _pending_offers(session: Session, ids: list[str]) -> dict[str, Offer]:
    if not ids:
        return {}
    return {o.case_id: o for o in session.scalars(select(Offer).where(Offer.case_id.in_(ids),
                                                                      Offer.status == "pending"))}


def specialist_load(session: Session, network_id: str | None, now: datetime) -> list[dict[str, Any]]:
    """Each specialist of the network: open cases, pending offers, capacity, availability now."""
    q = select(SpecialistProfile).join(User, User.id == SpecialistProfile.user_id).order_by(User.name)
    if network_id:
        q = q.where(User.organization_id == network_id)
    profiles = list(session.scalars(q))
    ids = [p.user_id for p in profiles]
    counts = loads(session, ids)
    pending: dict[str, int] = {uid: int(n) for uid, n in session.execute(
        select(Offer.specialist_id, func.count()).where(Offer.specialist_id.in_(ids), Offer.status == "pending")
        .group_by(Offer.specialist_id)).all()}
    return [{"specialist": p.user, "active": counts.get(p.user_id, 0) - pending.get(p.user_id, 0),
             "pending_offers": pending.get(p.user_id, 0), "capacity": p.capacity, "accepting": p.accepting,
             "available_now": is_available(p.working_hours or {}, p.absences or [], p.time_zone, now)}
            for p in profiles]
