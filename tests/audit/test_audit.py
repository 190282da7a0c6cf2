"""The audit trail: reads and changes are recorded; only admins query it; nothing changes it."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from telehealth.audit.models import AuditEvent
from telehealth.extensions import db


def test_reads_and_changes_are_audited_with_context(auth, make_user, make_case):
    user = make_user("patient")
    case = make_case(user)
    c = auth.login(user)
    c.get(f"/api/cases/{case.id}", headers={"User-Agent": "pytest-browser/1.0"})
    c.post(f"/api/cases/{case.id}/messages", json={"body": "hi"})
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.case_id == case.id)
                                .order_by(AuditEvent.at)).all()
    actions = [e.action for e in events]
    assert actions[:1] == ["case.created"] and "case.viewed" in actions and "message.posted" in actions
    viewed = next(e for e in events if e.action == "case.viewed")
    assert viewed.actor_id == user.id and viewed.ip == "127.0.0.1" and viewed.user_agent == "pytest-browser/1.0"
    assert viewed.entity_type == "case" and viewed.outcome == "success"


def test_denied_attempts_are_audited(auth, make_user, make_case):
    patient_user = make_user("patient")
    case = make_case(patient_user, submit=True)
    patient = auth.login(patient_user)
    assert patient.post(f"/api/cases/{case.id}/start-review").status_code == 409
    assert patient.post(f"/api/cases/{case.id}/invitations",
                        json={"email": "p2@example.org", "role": "patient"}).status_code == 403
    denied = db.session.scalars(select(AuditEvent.action).where(AuditEvent.outcome == "denied")).all()
    assert "invitation.created" in denied


def test_only_admins_query_with_filters(auth, make_user, make_case):
    user = make_user("patient")
    case = make_case(user)
    other = make_case(make_user("patient"))
    admin = auth.login(make_user("admin"))
    r = admin.get(f"/api/audit?case_id={case.id}")
    assert r.status_code == 200
    body = r.get_json()
    assert body["total"] >= 1 and {e["case_id"] for e in body["items"]} == {case.id}
    assert other.id not in str(body)
    r = admin.get("/api/audit?action=case.*&per_page=500")
    assert all(e["action"].startswith("case.") for e in r.get_json()["items"])
    for role in ("patient", "referrer", "specialist", "coordinator"):
        r = auth.login(make_user(role)).get("/api/audit")
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "forbidden"


def test_no_route_changes_the_trail(app):
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/audit"):
            assert (rule.methods or set()) <= {"GET", "HEAD", "OPTIONS"}, rule


def test_postgres_refuses_update_and_delete_after_migration(migrated_postgres):
    """The migration installs a trigger making audit_event append-only."""
    engine = migrated_postgres
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO audit_event (id, at, action, entity_type, outcome) "
                          "VALUES ('a1', now(), 'x', 'y', 'success')"))
    for stmt in ("UPDATE audit_event SET action = 'tampered'", "DELETE FROM audit_event"):
        with pytest.raises(DBAPIError, match="append-only"), engine.begin() as conn:
            conn.execute(text(stmt))
    with engine.connect() as conn:
        assert conn.execute(text("SELECT action FROM audit_event")).scalar_one() == "x"
