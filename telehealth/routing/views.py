"""Routing routes: worklists, specialist profiles, routing rules, reassign, hand-back, candidates."""
from __future__ import annotations

import click
from flask import Blueprint, current_app, g, request

from telehealth import clock
from telehealth.accounts.models import User
from telehealth.api import route
from telehealth.cases.access import get_visible_case, is_coordinator_of
from telehealth.cases.models import Case
from telehealth.cases.schemas import CaseOut, PersonRef
from telehealth.cases.views import case_out
from telehealth.errors import NotFound, ValidationFailed
from telehealth.extensions import db
from telehealth.routing import admin, jobs, service, sla, subscribers  # noqa: F401 - subscribers connect signals
from telehealth.routing.calendar import is_available
from telehealth.routing.candidates import evaluate, loads, requirements
from telehealth.routing.models import CaseRouting, SpecialistProfile
from telehealth.routing.schemas import (
    AbsenceOut,
    CandidateList,
    CandidateOut,
    HandBackIn,
    HintsIn,
    LoadOut,
    ProfileIn,
    ProfileList,
    ProfileOut,
    ReassignIn,
    RoutingStateOut,
    RuleIn,
    RuleList,
    RuleOut,
    RulePatch,
    WorkItem,
    WorklistOut,
    WorklistQuery,
)
from telehealth.routing.worklist import BUCKETS, default_view, worklist

bp = Blueprint("routing", __name__, url_prefix="/api", cli_group=None)


@bp.before_app_request
def _start_timers() -> None:
    # Lazily, on the first request a real server (gunicorn, werkzeug) hands us: never at import time,
    # in the factory, under TESTING, or for an in-process test client (which sets no SERVER_SOFTWARE).
    if request.environ.get("SERVER_SOFTWARE"):
        jobs.ensure_embedded_worker(current_app._get_current_object())  # type: ignore[attr-defined]


def _profile_out(p: SpecialistProfile, load: int = 0) -> ProfileOut:
    return ProfileOut(
        id=p.id, user=PersonRef.model_validate(p.user), specialties=p.specialties, subspecialties=p.subspecialties,
        modalities=p.modalities, licensed_regions=p.licensed_regions, languages=p.languages, capacity=p.capacity,
        time_zone=p.time_zone, working_hours=p.working_hours or {},
        absences=[AbsenceOut.model_validate(a) for a in p.absences or []], accepting=p.accepting, load=load,
        available_now=is_available(p.working_hours or {}, p.absences or [], p.time_zone, clock.now()),
        updated_at=p.updated_at)


def _shows_specialist(view: str, case: Case) -> bool:
    # The requesting side learns who reads the case once it is accepted, not while it is only offered.
    return view != "requester" or case.status in ("accepted", "in_review", "info_requested", "reported", "closed")


@route(bp, "/worklist", query=WorklistQuery, response=WorklistOut, summary="The caller's worklist", tags=["routing"])
def get_worklist(query: WorklistQuery) -> WorklistOut:
    view = query.view or default_view(g.user)
    if query.bucket is not None and query.bucket not in BUCKETS[view]:
        raise ValidationFailed(f"Unknown bucket {query.bucket!r} for the {view} worklist", code="validation_failed",
                               details=[{"field": "bucket", "message": f"one of {', '.join(BUCKETS[view])}"}])
    status: list[str] | None = [query.status] if isinstance(query.status, str) else query.status  # type: ignore[assignment]
    wl = worklist(db.session, g.user, view=view, bucket=query.bucket, status=status, priority=query.priority,
                  q=query.q, sort=query.sort, page=query.page, per_page=query.per_page)
    now = clock.now()
    items = []
    for case, row, buckets, offer in wl.items:
        spec = next((p.user for p in case.participants if p.role == "specialist"), None)
        paused = bool(row and row.paused_at)
        items.append(WorkItem(
            case_id=case.id, title=case.title, status=case.status, priority=case.priority,  # type: ignore[arg-type]
            requested_specialty=case.requested_specialty, submitted_at=case.submitted_at, due_at=case.due_at,
            expected_at=sla.expected_at(case, row, now),
            overdue=bool(case.due_at and case.due_at < now and not paused and case.status in sla.ACTIVE_STATUSES),
            due_soon=bool(row and row.warn_at and row.warn_at <= now and case.status in sla.ACTIVE_STATUSES),
            sla_paused=paused, flagged=bool(row and row.flagged_at and case.status == "triage"),
            # Why routing is stuck names other specialists: for coordinators only.
            flag_reason=row.flag_reason if row and case.status == "triage" and wl.view == "coordinator" else None,
            specialist=PersonRef.model_validate(spec) if spec and _shows_specialist(wl.view, case) else None,
            offer_expires_at=offer.expires_at if offer and wl.view != "requester" else None, buckets=buckets))
    load = None if wl.load is None else [
        LoadOut(specialist=PersonRef.model_validate(x["specialist"]),
                **{k: v for k, v in x.items() if k != "specialist"}) for x in wl.load]
    return WorklistOut(view=wl.view, buckets=list(BUCKETS[wl.view]), counts=wl.counts, items=items, total=wl.total,
                       page=query.page, per_page=query.per_page, load=load)


@route(bp, "/specialists", response=ProfileList, summary="Specialist profiles (coordinators, admins)",
       tags=["routing"])
def list_specialists() -> ProfileList:
    profiles = admin.list_profiles(db.session, g.user)
    load = loads(db.session, [p.user_id for p in profiles])
    return ProfileList(items=[_profile_out(p, load.get(p.user_id, 0)) for p in profiles])


@route(bp, "/specialists/<user_id>", response=ProfileOut, summary="One specialist profile", tags=["routing"])
def get_specialist(user_id: str) -> ProfileOut:
    p = admin.get_profile(db.session, g.user, user_id)
    return _profile_out(p, loads(db.session, [p.user_id]).get(p.user_id, 0))


@route(bp, "/specialists/<user_id>", methods=["PUT"], body=ProfileIn, response=ProfileOut,
       summary="Create or update a specialist profile (admins; a specialist their own availability)",
       tags=["routing"])
def put_specialist(user_id: str, body: ProfileIn) -> ProfileOut:
    changes = body.model_dump(exclude_unset=True)
    if body.absences is not None:
        changes["absences"] = [a.model_dump() for a in body.absences]
    p = admin.save_profile(db.session, g.user, user_id, changes)
    return _profile_out(p, loads(db.session, [p.user_id]).get(p.user_id, 0))


@route(bp, "/routing-rules", response=RuleList, summary="Routing rules in the order they are tried",
       tags=["routing"])
def list_rules() -> RuleList:
    return RuleList(items=[RuleOut.model_validate(r) for r in admin.list_rules(db.session, g.user)])


@route(bp, "/routing-rules", methods=["POST"], body=RuleIn, response=RuleOut, status=201,
       summary="Add a routing rule (admins)", tags=["routing"])
def create_rule(body: RuleIn) -> tuple[dict, int]:  # type: ignore[type-arg]
    rule = admin.create_rule(db.session, g.user, body.model_dump())
    return RuleOut.model_validate(rule).model_dump(mode="json"), 201


@route(bp, "/routing-rules/<rule_id>", methods=["PATCH"], body=RulePatch, response=RuleOut,
       summary="Change a routing rule (admins)", tags=["routing"])
def update_rule(rule_id: str, body: RulePatch) -> RuleOut:
    return RuleOut.model_validate(admin.update_rule(db.session, g.user, rule_id, body.model_dump(exclude_unset=True)))


@route(bp, "/routing-rules/<rule_id>", methods=["DELETE"], status=204, summary="Remove a routing rule (admins)",
       tags=["routing"])
def delete_rule(rule_id: str) -> None:
    admin.delete_rule(db.session, g.user, rule_id)


@route(bp, "/cases/<case_id>/reassign", methods=["POST"], body=ReassignIn, response=CaseOut,
       summary="Coordinator: take the case back and offer it to a specialist or the next candidate",
       tags=["routing"])
def reassign(case_id: str, body: ReassignIn) -> CaseOut:
    case = service.reassign(db.session, g.user, case_id, specialist_id=body.specialist_id, reason=body.reason)
    return case_out(case, g.user)


@route(bp, "/cases/<case_id>/hand-back", methods=["POST"], body=HandBackIn, response=CaseOut,
       summary="Specialist: hand the case back (it goes to the next candidate)", tags=["routing"])
def hand_back(case_id: str, body: HandBackIn) -> CaseOut:
    return case_out(service.hand_back(db.session, g.user, case_id, reason=body.reason), g.user)


def _coordinated_case(user: User, case_id: str) -> Case:
    case = get_visible_case(db.session, user, case_id)
    if not is_coordinator_of(case, user):
        raise NotFound("No such case", code="case_not_found")
    return case


@route(bp, "/cases/<case_id>/candidates", response=CandidateList,
       summary="Coordinator: the specialists considered for the case, best first, with reasons",
       tags=["routing"])
def candidates(case_id: str) -> CandidateList:
    case = _coordinated_case(g.user, case_id)
    req = requirements(db.session, case)
    items = [CandidateOut(specialist=PersonRef.model_validate(c.user), eligible=c.eligible, requested=c.requested,
                          fit=c.fit, load=c.load, capacity=c.profile.capacity, available_now=c.available,
                          last_offered_at=c.last_offered_at, excluded=c.excluded)
             for c in evaluate(db.session, case, req=req)]
    return CandidateList(rule=req.rule_name, required_specialty=req.specialty, required_subspecialty=req.subspecialty,
                         requested_specialty=case.requested_specialty, region=req.region,
                         modalities=sorted(req.modalities), body_parts=sorted(req.body_parts), items=items)


def _state_out(case: Case, row: CaseRouting | None, coordinator: bool) -> RoutingStateOut:
    now = clock.now()
    paused = bool(row and row.paused_at)
    return RoutingStateOut(
        case_id=case.id, status=case.status, priority=case.priority, due_at=case.due_at,  # type: ignore[arg-type]
        expected_at=sla.expected_at(case, row, now),
        overdue=bool(case.due_at and case.due_at < now and not paused and case.status in sla.ACTIVE_STATUSES),
        sla_paused=paused, paused_minutes=(row.paused_seconds // 60) if row else 0,
        warned_at=row.warned_at if row else None, breached_at=row.breached_at if row else None,
        flagged=bool(row and row.flagged_at and case.status == "triage"),
        flag_reason=row.flag_reason if row and case.status == "triage" and coordinator else None,
        modality=row.modality if row else None, body_part=row.body_part if row else None)


@route(bp, "/cases/<case_id>/routing", response=RoutingStateOut,
       summary="Where the case stands in routing and against its due time", tags=["routing"])
def routing_state(case_id: str) -> RoutingStateOut:
    case = get_visible_case(db.session, g.user, case_id)
    return _state_out(case, db.session.get(CaseRouting, case.id), is_coordinator_of(case, g.user))


@route(bp, "/cases/<case_id>/routing", methods=["PUT"], body=HintsIn, response=RoutingStateOut,
       summary="Coordinator: modality and body part for routing when no images are indexed", tags=["routing"])
def put_routing_hints(case_id: str, body: HintsIn) -> RoutingStateOut:
    row = service.set_hints(db.session, g.user, case_id, modality=body.modality, body_part=body.body_part)
    case = db.session.get(Case, row.case_id)
    assert case is not None
    return _state_out(case, row, True)


@bp.cli.command("worker")
@click.option("--interval", type=float, default=None, help="Seconds between ticks (default from config).")
@click.option("--once", is_flag=True, help="Run one tick and exit.")
def worker_command(interval: float | None, once: bool) -> None:
    """Fire due timers (offer timeouts, SLA warnings and breaches, routing retries) in a loop."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    jobs.run_worker(app, interval=interval or float(app.config["WORKER_INTERVAL_SECONDS"]), once=once)



