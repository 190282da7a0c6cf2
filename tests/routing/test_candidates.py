"""Who gets the case: specialty, rules and DICOM index, licensure, capacity, availability, fairness, requests."""
from __future__ import annotations

from datetime import timedelta

from telehealth.cases.offers import respond
from telehealth.extensions import db
from telehealth.routing.models import CaseRouting, RoutingRule
from tests.routing.factories import MONDAY_10, add_series, notifications, offers_of, pending_to


def test_requested_specialty_goes_to_the_matching_subspecialist(frozen, specialist, make_user, make_case):
    specialist("Gene General", specialties=["general radiology"])
    specialist("Nora Neuro", specialties=["radiology"], subspecialties=["neuroradiology"])
    specialist("Max Msk", specialties=["radiology"], subspecialties=["musculoskeletal"])
    case = make_case(make_user("patient"), region="EU-DE", requested_specialty="Neuroradiology", submit=True)
    assert case.status == "offered"
    assert offers_of(case) == [("Nora Neuro", "pending")]


def test_a_rule_on_the_indexed_body_part_decides_the_subspecialty(frozen, specialist, make_user, make_case):
    specialist("Gene General", specialties=["radiology"], modalities=["MR", "CT"])
    specialist("Max Msk", specialties=["radiology"], subspecialties=["musculoskeletal"], modalities=["MR"])
    db.session.add(RoutingRule(name="Knees to MSK", position=1, match_body_part="KNEE",
                               required_subspecialty="musculoskeletal", weights={}))
    db.session.commit()
    case = make_case(make_user("patient"), region="EU-DE")
    add_series(case, "MR", "KNEE")
    from telehealth.cases.service import transition

    transition(db.session, case.created_by, case.id, "submit")
    assert offers_of(case) == [("Max Msk", "pending")]


def test_modality_the_specialist_does_not_read_excludes_them(frozen, specialist, make_user, make_case):
    specialist("Ann Ultrasound", modalities=["US"])
    specialist("Bob Mr", modalities=["MR"])
    case = make_case(make_user("patient"), region="EU-DE")
    add_series(case, "MR", "BRAIN")
    from telehealth.cases.service import transition

    transition(db.session, case.created_by, case.id, "submit")
    assert pending_to(case) == "Bob Mr"


def test_only_specialists_licensed_in_the_patients_region(frozen, specialist, make_user, make_case):
    specialist("Fred France", regions=["EU-FR"])
    specialist("Dora Germany", regions=["EU-DE", "EU-AT"])
    case = make_case(make_user("patient"), region="EU-AT", submit=True)
    assert pending_to(case) == "Dora Germany"
    nowhere = make_case(make_user("patient"), region="US-NY", submit=True)
    assert nowhere.status == "triage" and pending_to(nowhere) is None
    unknown = make_case(make_user("patient"), submit=True)  # no region anywhere: licensure cannot be checked
    assert unknown.status == "triage"
    row = db.session.get(CaseRouting, unknown.id)
    assert row.flagged_at is not None and "region unknown" in row.flag_reason


def test_full_specialists_are_skipped_and_the_less_loaded_comes_first(frozen, specialist, make_user, make_case):
    specialist("Al Full", capacity=1)
    specialist("Bea Busy", capacity=4)
    patient = make_user("patient")
    first = make_case(patient, region="EU-DE", submit=True)
    assert pending_to(first) == "Al Full"  # equal: by name
    second = make_case(patient, region="EU-DE", submit=True)
    assert pending_to(second) == "Bea Busy"  # Al is at capacity (1 open offer)
    third = make_case(patient, region="EU-DE", submit=True)
    assert pending_to(third) == "Bea Busy"  # still the only one with room


def test_working_hours_in_the_specialists_time_zone_and_absences(frozen, specialist, make_user, make_case):
    weekdays = {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}
    specialist("Ny Night", tz="America/New_York", hours=weekdays)  # 05:00 in New York now
    specialist("Away Anna", absences=[{"starts_at": (MONDAY_10 - timedelta(days=1)).isoformat(),
                                       "ends_at": (MONDAY_10 + timedelta(days=3)).isoformat(), "reason": "leave"}])
    specialist("Zed Berlin", tz="Europe/Berlin", hours=weekdays)  # 11:00 in Berlin
    case = make_case(make_user("patient"), region="EU-DE", submit=True)
    assert pending_to(case) == "Zed Berlin"


def test_fairness_least_recently_offered_first(frozen, specialist, make_user, make_case):
    a, b = specialist("Ada"), specialist("Bo")
    patient = make_user("patient")
    first = make_case(patient, region="EU-DE", submit=True)
    assert pending_to(first) == "Ada"
    frozen.advance(timedelta(minutes=5))
    respond(db.session, a, first.id, accept=False, reason="On call")
    assert pending_to(first) == "Bo"
    respond(db.session, b, first.id, accept=False, reason="Conflict of interest")
    # Both now have no load; Ada was offered a case less recently than Bo.
    frozen.advance(timedelta(minutes=5))
    second = make_case(patient, region="EU-DE", submit=True)
    assert pending_to(second) == "Ada"
    third = make_case(patient, region="EU-DE", submit=True)
    assert pending_to(third) == "Bo"


def test_requested_specialist_is_honoured_only_when_eligible(frozen, specialist, make_user, make_case):
    specialist("Nora Neuro", subspecialties=["neuroradiology"])
    gene = specialist("Gene General", specialties=["neuroradiology"])
    france = specialist("Fran French", subspecialties=["neuroradiology"], regions=["EU-FR"])
    patient = make_user("patient")
    asked = make_case(patient, region="EU-DE", requested_specialty="neuroradiology",
                      requested_specialist_id=gene.id, submit=True)
    assert pending_to(asked) == "Gene General"  # lower fit, but requested and eligible
    unlicensed = make_case(patient, region="EU-DE", requested_specialty="neuroradiology",
                           requested_specialist_id=france.id, submit=True)
    assert pending_to(unlicensed) == "Nora Neuro"


def test_no_candidate_left_flags_the_case_and_tells_the_coordinators_once(frozen, specialist, make_user, make_case):
    coordinator = make_user("coordinator")
    only = specialist("Solo")
    case = make_case(make_user("patient"), region="EU-DE", submit=True)
    respond(db.session, only, case.id, accept=False, reason="Too busy")
    db.session.refresh(case)
    assert case.status == "triage"
    row = db.session.get(CaseRouting, case.id)
    assert row.flagged_at is not None and "Solo" in row.flag_reason
    escalations = notifications(coordinator, "routing_escalation", case)
    assert len(escalations) == 1 and "Solo: already declined" in escalations[0].body
