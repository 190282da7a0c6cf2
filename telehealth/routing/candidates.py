"""Who may read a case, and in which order: rules, eligibility, then fit, load and fairness.

Eligibility is strict: an active specialist of the case's network with a profile that accepts
cases, licensed in the patient's region, free capacity, working now (own time zone, no absence),
the required specialty/subspecialty and, when both are known, a modality they read; someone who
already declined, let an offer expire or handed the case back is not asked again. Among the
eligible, a requested specialist comes first; then higher fit, lower load, and whoever was
offered a case least recently.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from telehealth import clock
from telehealth.accounts.models import Organization, User
from telehealth.cases.models import Case, CaseParticipant, Offer
from telehealth.routing.calendar import is_available
from telehealth.routing.imaging import case_imaging
from telehealth.routing.models import RoutingRule, SpecialistProfile

LOAD_STATUSES = ("offered", "accepted", "in_review", "info_requested")
EXCLUDING_OFFERS = ("declined", "expired", "returned", "withdrawn")
DEFAULT_WEIGHTS = {"specialty": 2.0, "subspecialty": 3.0, "modality": 1.0, "language": 1.0}


def norm(value: str | None) -> str:
    """Compare names loosely: case, spaces, hyphens and underscores do not matter."""
    return " ".join((value or "").replace("_", " ").replace("-", " ").casefold().split())


@dataclass
class Requirements:
    """What the case needs, after the rules."""

    region: str | None
    language: str | None
    modalities: set[str]
    body_parts: set[str]
    specialty: str | None = None       # must be among the specialist's specialties
    subspecialty: str | None = None    # must be among the subspecialties
    any_of: str | None = None          # the requested specialty: a specialty or subspecialty
    weights: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    rule_id: str | None = None
    rule_name: str | None = None


@dataclass
class Candidate:
    """A specialist considered for a case: their fit and load, or why they are excluded."""

    user: User
    profile: SpecialistProfile
    fit: float = 0.0
    load: int = 0
    last_offered_at: datetime | None = None
    requested: bool = False
    available: bool = True
    excluded: list[str] = field(default_factory=list)

    @property
    def eligible(self) -> bool:
        """No reason to exclude them."""
        return not self.excluded


def case_region(session: Session, case: Case) -> str | None:
    """The patient's region: the case's, the patient's account's, or the referring organization's."""
    if case.region:
        return case.region
    if case.patient_user_id:
        patient = session.get(User, case.patient_user_id)
        if patient is not None and patient.region:
            return patient.region
    if case.organization_id:
        org = session.get(Organization, case.organization_id)
        if org is not None and org.region:
            return org.region
    return None


def _matches(rule: RoutingRule, case: Case, req: Requirements) -> bool:
    checks: list[bool] = []
    if rule.match_specialty:
        checks.append(norm(rule.match_specialty) == norm(case.requested_specialty))
    if rule.match_modality:
        checks.append(rule.match_modality.upper() in req.modalities)
    if rule.match_body_part:
        checks.append(rule.match_body_part.upper() in req.body_parts)
    if rule.match_region:
        checks.append(norm(rule.match_region) == norm(req.region))
    if rule.match_language:
        checks.append(norm(rule.match_language) == norm(req.language))
    return all(checks)


def requirements(session: Session, case: Case) -> Requirements:
    """Apply the first matching active rule (by position) to the case."""
    modalities, body_parts = case_imaging(session, case)
    req = Requirements(region=case_region(session, case), language=case.language,
                       modalities=modalities, body_parts=body_parts)
    rules = session.scalars(select(RoutingRule).where(RoutingRule.active.is_(True))
                            .order_by(RoutingRule.position, RoutingRule.created_at, RoutingRule.id))
    for rule in rules:
        if _matches(rule, case, req):
            req.rule_id, req.rule_name = rule.id, rule.name
            req.specialty, req.subspecialty = rule.required_specialty, rule.required_subspecialty
            req.weights.update({k: float(v) for k, v in (rule.weights or {}).items() if k in DEFAULT_WEIGHTS})
            break
    if not (req.specialty or req.subspecialty) and case.requested_specialty:
        req.any_of = case.requested_specialty
    return req


def loads(session: Session, user_ids: list[str]) -> dict[str, int]:
    """Open cases offered or assigned to each specialist."""
    rows = session.execute(
        select(CaseParticipant.user_id, func.count()).join(Case, Case.id == CaseParticipant.case_id)
        .where(CaseParticipant.user_id.in_(user_ids), CaseParticipant.role == "specialist",
               Case.status.in_(LOAD_STATUSES))
        .group_by(CaseParticipant.user_id)
    ).all()
    return {uid: int(n) for uid, n in rows}


def last_offers(session: Session, user_ids: list[str]) -> dict[str, datetime]:
    """When each specialist was last offered a case."""
    rows = session.execute(select(Offer.specialist_id, func.max(Offer.created_at))
                           .where(Offer.specialist_id.in_(user_ids)).group_by(Offer.specialist_id)).all()
    return {uid: at for uid, at in rows if at is not None}


def _score(c: Candidate, p: SpecialistProfile, req: Requirements) -> None:
    specialties = {norm(s) for s in p.specialties or []}
    subs = {norm(s) for s in p.subspecialties or []}
    w = req.weights
    if req.specialty:
        if norm(req.specialty) not in specialties:
            c.excluded.append(f"not a {req.specialty} specialist")
        else:
            c.fit += w["specialty"]
    if req.subspecialty:
        if norm(req.subspecialty) not in subs:
            c.excluded.append(f"no {req.subspecialty} subspecialty")
        else:
            c.fit += w["subspecialty"]
    if req.any_of:
        wanted = norm(req.any_of)
        if wanted in subs:
            c.fit += w["subspecialty"]
        elif wanted in specialties:
            c.fit += w["specialty"]
        else:
            c.excluded.append(f"does not read {req.any_of}")
    reads = {m.upper() for m in p.modalities or []}
    if req.modalities and reads:
        overlap = req.modalities & reads
        if not overlap:
            c.excluded.append(f"does not read {', '.join(sorted(req.modalities))}")
        c.fit += w["modality"] * len(overlap)
    if req.language and norm(req.language) in {norm(x) for x in p.languages or []}:
        c.fit += w["language"]


def evaluate(session: Session, case: Case, *, now: datetime | None = None,
             req: Requirements | None = None) -> list[Candidate]:
    """Every specialist with a profile, scored, with the reasons any of them is excluded."""
    now = now or clock.now()
    req = req or requirements(session, case)
    q = select(SpecialistProfile).join(User, User.id == SpecialistProfile.user_id)
    profiles = [p for p in session.scalars(q) if p.user.has_role("specialist")]
    ids = [p.user_id for p in profiles]
    load = loads(session, ids)
    last = last_offers(session, ids)
    tried = set(session.scalars(select(Offer.specialist_id).where(Offer.case_id == case.id,
                                                                  Offer.status.in_(EXCLUDING_OFFERS))))
    pending = set(session.scalars(select(Offer.specialist_id).where(Offer.case_id == case.id,
                                                                    Offer.status == "pending")))
    out = []
    for p in profiles:
        c = Candidate(user=p.user, profile=p, load=load.get(p.user_id, 0), last_offered_at=last.get(p.user_id),
                      requested=case.requested_specialist_id == p.user_id)
        if not p.user.is_active:
            c.excluded.append("account inactive")
        if not p.accepting:
            c.excluded.append("not accepting cases")
        if case.network_id and p.user.organization_id != case.network_id:
            c.excluded.append("not in the case's network")
        if req.region is None:
            c.excluded.append("patient region unknown: licensure cannot be checked")
        elif norm(req.region) not in {norm(r) for r in p.licensed_regions or []}:
            c.excluded.append(f"not licensed in {req.region}")
        if c.load >= p.capacity:
            c.excluded.append(f"at capacity ({c.load}/{p.capacity})")
        c.available = is_available(p.working_hours or {}, p.absences or [], p.time_zone, now)
        if not c.available:
            c.excluded.append("not available now (working hours or absence)")
        if p.user_id in tried:
            c.excluded.append("already declined, missed or returned this case")
        if p.user_id in pending:
            c.excluded.append("has the open offer")
        _score(c, p, req)
        out.append(c)
    return sorted(out, key=lambda c: sort_key(c, p_capacity=c.profile.capacity))


def sort_key(c: Candidate, p_capacity: int) -> tuple[Any, ...]:
    """Eligible first; then requested, fit (high), load ratio (low), least recently offered, name."""
    ratio = c.load / p_capacity if p_capacity > 0 else 1.0
    last = c.last_offered_at.timestamp() if c.last_offered_at else float("-inf")
    return (not c.eligible, not c.requested, -c.fit, ratio, last, c.user.name, c.user.id)


def ranked(session: Session, case: Case, *, now: datetime | None = None) -> list[Candidate]:
    """The eligible candidates, best first."""
    return [c for c in evaluate(session, case, now=now) if c.eligible]
