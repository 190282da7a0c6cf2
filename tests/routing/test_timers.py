"""Offer timeouts, declines, SLA warnings and breaches, the pause while waiting, retries: all on the service clock."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from telehealth import clock
from telehealth.cases.models import CaseEvent
from telehealth.cases.offers import respond
from telehealth.cases.service import transition
from telehealth.errors import Gone
from telehealth.extensions import db
from telehealth.routing import sla
from telehealth.routing.jobs import tick
from telehealth.routing.models import CaseRouting
from tests.routing.factories import add_profile, count, notifications, offers_of, pending_to


def test_an_unanswered_offer_times_out_and_goes_to_the_next_candidate(frozen, specialist, make_user, make_case):
    ada, bo = specialist("Ada"), specialist("Bo")
    case = make_case(make_user("patient"), region="EU-DE", priority="urgent", submit=True)
    assert pending_to(case) == "Ada"
    frozen.advance(timedelta(hours=3, minutes=59))
    assert tick()["offer_timeout"] == 0
    frozen.advance(timedelta(minutes=1))  # urgent offers run 4 hours
    assert tick()["offer_timeout"] == 1
    assert offers_of(case) == [("Ada", "expired"), ("Bo", "pending")]
    assert [n.title for n in notifications(ada, "offer_expired")] == [f"Offer expired: {case.title}"]
    assert len(notifications(bo, "offer_received")) == 1
    # Fired once: a second tick changes nothing; Ada can no longer answer.
    assert tick()["offer_timeout"] == 0
    assert len(notifications(ada, "offer_expired")) == 1
    with pytest.raises(Exception) as err:
        respond(db.session, ada, case.id, accept=True)
    assert err.value.status == 404  # the case is no longer visible to her


def test_an_expired_offer_cannot_be_accepted_before_the_job_runs(frozen, specialist, make_user, make_case):
    ada = specialist("Ada")
    case = make_case(make_user("patient"), region="EU-DE", priority="stat", submit=True)
    frozen.advance(timedelta(minutes=31))
    with pytest.raises(Gone):
        respond(db.session, ada, case.id, accept=True)


def test_declines_and_timeouts_walk_the_list_then_escalate(frozen, specialist, make_user, make_case):
    coordinator = make_user("coordinator")
    ada, _bo = specialist("Ada"), specialist("Bo")
    case = make_case(make_user("patient"), region="EU-DE", priority="stat", submit=True)
    frozen.advance(timedelta(minutes=1))
    respond(db.session, ada, case.id, accept=False, reason="Not my field")
    assert pending_to(case) == "Bo"
    frozen.advance(timedelta(minutes=30))
    tick()
    assert offers_of(case) == [("Ada", "declined"), ("Bo", "expired")]
    db.session.refresh(case)
    assert case.status == "triage"
    assert len(notifications(coordinator, "routing_escalation", case)) == 1
    # A new specialist joins: the retry picks the flagged case up.
    specialist("Cy")
    frozen.advance(timedelta(minutes=15))
    assert tick()["routing_retry"] == 1
    assert pending_to(case) == "Cy"
    assert db.session.get(CaseRouting, case.id).flagged_at is None
    assert len(notifications(coordinator, "routing_escalation", case)) == 1


def test_sla_warning_then_breach_escalates_once(frozen, specialist, make_user, make_case):
    coordinator = make_user("coordinator")
    patient = make_user("patient")
    ada = specialist("Ada")
    case = make_case(patient, region="EU-DE", priority="stat", submit=True)
    assert case.due_at == clock.now() + timedelta(hours=2)
    respond(db.session, ada, case.id, accept=True)
    frozen.advance(timedelta(minutes=95))
    assert tick()["sla_warning"] == 0
    frozen.advance(timedelta(minutes=1))  # 20 % of 2 h before due: 1 h 36 min in
    assert tick()["sla_warning"] == 1
    assert len(notifications(ada, "sla_warning", case)) == 1 and len(notifications(coordinator, "sla_warning")) == 1
    frozen.advance(timedelta(minutes=24))
    fired = tick()
    assert fired["sla_breach"] == 1 and fired["sla_warning"] == 0
    assert [n.title for n in notifications(coordinator, "sla_breach")] == [f"Overdue: {case.title}"]
    assert len(notifications(patient, "case_delayed", case)) == 1
    assert len(notifications(ada, "sla_breach", case)) == 1
    frozen.advance(timedelta(hours=5))
    assert tick()["sla_breach"] == 0
    assert count(CaseEvent, CaseEvent.case_id == case.id, CaseEvent.action == "sla_breached") == 1


def test_info_requested_pauses_the_clock(frozen, specialist, make_user, make_case):
    coordinator = make_user("coordinator")
    patient = make_user("patient")
    ada = specialist("Ada")
    case = make_case(patient, region="EU-DE", priority="urgent", submit=True)
    due = case.due_at
    respond(db.session, ada, case.id, accept=True)
    transition(db.session, ada, case.id, "start_review")
    frozen.advance(timedelta(hours=2))
    transition(db.session, ada, case.id, "request_info", "Please upload the prior CT")
    frozen.advance(timedelta(hours=30))  # past the original due time while waiting
    assert tick() == {"offer_timeout": 0, "sla_warning": 0, "sla_breach": 0, "routing_retry": 0}
    transition(db.session, patient, case.id, "provide_info", "Uploaded")
    db.session.refresh(case)
    assert case.due_at == due + timedelta(hours=30)
    assert db.session.get(CaseRouting, case.id).paused_seconds == 30 * 3600
    frozen.advance(timedelta(hours=21, minutes=59))
    assert tick()["sla_breach"] == 0
    frozen.advance(timedelta(minutes=1))
    assert tick()["sla_breach"] == 1
    assert len(notifications(coordinator, "sla_breach", case)) == 1


def test_routine_cases_count_business_hours(app):
    friday_4pm = datetime(2026, 3, 6, 16, 0, tzinfo=UTC)
    # 30 business hours (08-18, Mon-Fri): 2 on Friday, 10 Monday, 10 Tuesday, 8 Wednesday.
    assert sla.due_at("routine", friday_4pm) == datetime(2026, 3, 11, 16, 0, tzinfo=UTC)
    saturday = datetime(2026, 3, 7, 12, 0, tzinfo=UTC)
    assert sla.due_at("routine", saturday) == datetime(2026, 3, 11, 18, 0, tzinfo=UTC)
    assert sla.due_at("urgent", saturday) == saturday + timedelta(hours=24)
    cfg = dict(app.config, SLA_TIMEZONE="Europe/Berlin", SLA_HOURS={**app.config["SLA_HOURS"], "routine": 1})
    # 17:30 UTC is 18:30 in Berlin: after hours, so due at 09:00 Berlin (08:00 UTC) on Monday.
    assert sla.due_at("routine", datetime(2026, 3, 6, 17, 30, tzinfo=UTC), cfg) == \
        datetime(2026, 3, 9, 8, 0, tzinfo=UTC)


def test_hand_back_goes_to_the_next_candidate_never_back(frozen, specialist, make_user, make_case):
    coordinator = make_user("coordinator")
    ada, _bo = specialist("Ada"), specialist("Bo")
    case = make_case(make_user("patient"), region="EU-DE", submit=True)
    respond(db.session, ada, case.id, accept=True)
    frozen.advance(timedelta(minutes=1))
    from telehealth.routing.service import hand_back

    hand_back(db.session, ada, case.id, reason="Conflict of interest")
    assert offers_of(case) == [("Ada", "returned"), ("Bo", "pending")]
    assert len(notifications(coordinator, "case_returned", case)) == 1


def test_coordinator_reassigns_to_a_licensed_specialist(frozen, specialist, make_user, make_case):
    coordinator = make_user("coordinator")
    ada, bo = specialist("Ada"), specialist("Bo", regions=["EU-FR"])
    cy = specialist("Cy")
    case = make_case(make_user("patient"), region="EU-DE", submit=True)
    respond(db.session, ada, case.id, accept=True)
    from telehealth.errors import ValidationFailed
    from telehealth.routing.service import reassign

    with pytest.raises(ValidationFailed) as err:
        reassign(db.session, coordinator, case.id, specialist_id=bo.id, reason="Faster")
    assert err.value.code == "not_licensed"
    frozen.advance(timedelta(minutes=1))
    reassign(db.session, coordinator, case.id, specialist_id=cy.id, reason="Ada is ill")
    assert offers_of(case) == [("Ada", "withdrawn"), ("Cy", "pending")]
    assert len(notifications(ada, "offer_withdrawn", case)) == 1
    assert len(notifications(cy, "offer_received", case)) == 1


def test_profile_added_later_is_used_without_restart(frozen, make_user, make_case):
    case = make_case(make_user("patient"), region="EU-DE", submit=True)
    assert case.status == "triage"
    add_profile(make_user("specialist", name="Late Larry"))
    frozen.advance(timedelta(minutes=14))
    assert tick()["routing_retry"] == 0
    frozen.advance(timedelta(minutes=1))
    tick()
    assert pending_to(case) == "Late Larry"


def test_reassigning_a_case_waiting_for_information_restarts_the_clock(frozen, specialist, make_user, make_case):
    coordinator = make_user("coordinator")
    ada, _bo = specialist("Ada"), specialist("Bo")
    case = make_case(make_user("patient"), region="EU-DE", priority="urgent", submit=True)
    due = case.due_at
    respond(db.session, ada, case.id, accept=True)
    transition(db.session, ada, case.id, "request_info", "Need the prior MRI")
    frozen.advance(timedelta(hours=5))
    from telehealth.routing.service import reassign

    reassign(db.session, coordinator, case.id, reason="Ada is away")
    db.session.refresh(case)
    assert case.status == "offered" and pending_to(case) == "Bo"
    row = db.session.get(CaseRouting, case.id)
    assert row.paused_at is None and case.due_at == due + timedelta(hours=5)


def test_without_automatic_routing_cases_wait_for_coordinators(app, frozen, specialist, make_user, make_case):
    app.config["ROUTING_AUTO"] = False
    specialist("Ada")
    case = make_case(make_user("patient"), region="EU-DE", submit=True)
    assert case.status == "triage" and pending_to(case) is None
    frozen.advance(timedelta(hours=1))
    assert tick()["routing_retry"] == 0
    assert pending_to(case) is None
