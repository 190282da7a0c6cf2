"""Authorization matrix: every /api route x every role x own case / foreign case.

A case the caller may not see answers 404 on every route and method, whatever the body;
nothing of it leaks into lists or counts; anonymous callers get 401. Routes added by any
feature are picked up from the URL map automatically.
"""
from __future__ import annotations

import re
import uuid

import pytest

from telehealth.api import SPECS
from telehealth.cases import offers, service
from telehealth.cases.conversation import add_participant
from telehealth.extensions import db

ROLES = ("patient", "referrer", "specialist", "coordinator", "admin")


@pytest.fixture
def world(app, make_org, make_user, make_case, network):
    """One case every role but admin takes part in, and one case nobody of them may see."""
    clinic = make_org("referring", "Clinic A", network=network)
    other_network = make_org("network", "Other network")
    other_clinic = make_org("referring", "Clinic B", network=other_network)
    users = {
        "patient": make_user("patient"),
        "referrer": make_user("referrer", org=clinic),
        "specialist": make_user("specialist"),
        "coordinator": make_user("coordinator"),
        "admin": make_user("admin"),
    }
    own = make_case(users["referrer"], title="OWN-CASE", submit=True)
    add_participant(db.session, own, users["patient"], "patient", users["referrer"])
    db.session.commit()
    offers.offer_case(db.session, users["coordinator"], own.id, users["specialist"].id)
    offers.respond(db.session, users["specialist"], own.id, accept=True)
    service.transition(db.session, users["specialist"], own.id, "start_review")
    stranger_referrer = make_user("referrer", org=other_clinic)
    foreign = make_case(stranger_referrer, title="FOREIGN-SECRET-TITLE", submit=True)
    stranger_patient = make_user("patient")
    make_case(stranger_patient, title="FOREIGN-DRAFT-TITLE")
    return {"users": users, "own": own, "foreign": foreign}


def _api_routes(app):
    for rule in app.url_map.iter_rules():
        spec = SPECS.get(rule.endpoint)
        if not rule.rule.startswith("/api") or spec is None or spec.auth != "user":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def _fill(rule, case_id: str) -> str:
    path = rule.rule.replace("<case_id>", case_id)
    return re.sub(r"<(?:[a-z]+:)?[a-zA-Z_]+>", str(uuid.uuid4()), path)


def test_anonymous_gets_401_everywhere(app, world, client):
    checked = 0
    for rule, method in _api_routes(app):
        r = client.open(_fill(rule, world["own"].id), method=method, json={})
        assert r.status_code == 401, (method, rule.rule, r.status_code)
        checked += 1
    assert checked > 20


@pytest.mark.parametrize("role", ROLES)
def test_foreign_case_is_404_on_every_route(app, world, auth, role):
    c = auth.login(world["users"][role])
    foreign = world["foreign"]
    checked = 0
    for rule, method in _api_routes(app):
        if "<case_id>" not in rule.rule:
            continue
        for body in ({}, {"title": "x", "question": "y", "body": "z", "reason": "r", "message": "m"}):
            r = c.open(method, _fill(rule, foreign.id), json=body)
            assert r.status_code == 404, (role, method, rule.rule, r.status_code, r.get_data(as_text=True)[:200])
            text = r.get_data(as_text=True)
            assert "FOREIGN" not in text and foreign.id not in text
        checked += 1
    assert checked > 10
    # Nothing changed on the foreign case.
    db.session.expire_all()
    assert db.session.get(type(foreign), foreign.id).status == "triage"


@pytest.mark.parametrize("role,expected", [("patient", 200), ("referrer", 200), ("specialist", 200),
                                           ("coordinator", 200), ("admin", 404)])
def test_own_case_reads(app, world, auth, role, expected):
    c = auth.login(world["users"][role])
    own = world["own"]
    for path in ("", "/messages", "/timeline", "/participants", "/invitations"):
        r = c.get(f"/api/cases/{own.id}{path}")
        assert r.status_code == expected, (role, path, r.get_json())


@pytest.mark.parametrize("role,visible", [("patient", 1), ("referrer", 1), ("specialist", 1),
                                          ("coordinator", 1), ("admin", 0)])
def test_lists_and_counts_leak_nothing(world, auth, role, visible):
    c = auth.login(world["users"][role])
    body = c.get("/api/cases?per_page=100").get_json()
    assert body["total"] == visible and len(body["items"]) == visible
    assert "FOREIGN" not in str(body)
    for status in ("triage", "draft", "in_review"):
        assert "FOREIGN" not in str(c.get(f"/api/cases?status={status}&q=FOREIGN").get_json())


def test_unknown_and_malformed_case_ids_are_404(world, auth):
    c = auth.login(world["users"]["patient"])
    for cid in (str(uuid.uuid4()), "x" * 300, "1; DROP TABLE case"):
        r = c.get(f"/api/cases/{cid}")
        assert r.status_code == 404 and r.get_json()["error"]["code"] == "case_not_found"
