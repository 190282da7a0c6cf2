"""Bad input gets a clear 4xx in the one error shape, and changes nothing."""
from __future__ import annotations

from sqlalchemy import func, select

from telehealth.cases.models import Case
from telehealth.extensions import db


def _count() -> int:
    return db.session.scalar(select(func.count()).select_from(Case)) or 0


def _error(r, status: int, code: str | None = None) -> dict:
    assert r.status_code == status, r.get_data(as_text=True)
    body = r.get_json()
    assert set(body) == {"error"} and body["error"]["message"]
    if code:
        assert body["error"]["code"] == code
    return body["error"]


def test_malformed_json(auth, make_user):
    c = auth.login(make_user("patient"))
    r = c.post("/api/cases", data="{not json", headers={"Content-Type": "application/json"})
    _error(r, 400, "malformed_json")
    r = c.post("/api/cases", data=b"\xff\xfe", headers={"Content-Type": "application/json"})
    _error(r, 400, "malformed_json")
    assert _count() == 0


def test_wrong_content_type_and_non_object(auth, make_user):
    c = auth.login(make_user("patient"))
    _error(c.post("/api/cases", data="title=x", headers={"Content-Type": "application/x-www-form-urlencoded"}),
           415, "unsupported_media_type")
    _error(c.post("/api/cases", json=[1, 2]), 422, "validation_failed")
    assert _count() == 0


def test_wrong_types_missing_and_unknown_fields(auth, make_user):
    c = auth.login(make_user("patient"))
    err = _error(c.post("/api/cases", json={"title": 5, "question": "q"}), 422, "validation_failed")
    assert err["details"][0]["field"] == "title"
    err = _error(c.post("/api/cases", json={"question": "q"}), 422)
    assert {d["field"] for d in err["details"]} == {"title"}
    err = _error(c.post("/api/cases", json={"title": "t", "question": "q", "is_admin": True}), 422)
    assert err["details"][0]["field"] == "is_admin" and err["details"][0]["type"] == "extra_forbidden"
    _error(c.post("/api/cases", json={"title": "t", "question": "q", "priority": "asap"}), 422)
    _error(c.post("/api/cases", json={"title": "t", "question": "q", "patient_birth_date": "1990-13-45"}), 422)
    _error(c.post("/api/cases", json={"title": "", "question": "q"}), 422)
    assert _count() == 0


def test_passwords_are_never_echoed(client):
    r = client.post("/api/auth/register", json={"email": "bad", "password": "hunter2-secret-value", "name": "x"})
    assert r.status_code == 422 and "hunter2-secret-value" not in r.get_data(as_text=True)


def test_oversized_body(auth, make_user, app):
    c = auth.login(make_user("patient"))
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    _error(c.post("/api/cases", json={"title": "t", "question": big}), 413, "payload_too_large")
    # Within the byte limit but over the field limit.
    _error(c.post("/api/cases", json={"title": "t" * 201, "question": "q"}), 422)
    assert _count() == 0


def test_bad_query_parameters(auth, make_user):
    c = auth.login(make_user("patient"))
    _error(c.get("/api/cases?page=0"), 422)
    _error(c.get("/api/cases?per_page=1000"), 422)
    _error(c.get("/api/cases?status=bogus"), 422)
    _error(c.get("/api/cases?sort=password"), 422)


def test_invalid_transitions_change_nothing(auth, make_user, make_case):
    user = make_user("patient")
    case = make_case(user)
    c = auth.login(user)
    for action in ("accept", "start-review", "close", "provide-info"):
        r = c.post(f"/api/cases/{case.id}/{action}", json={"message": "m"} if action == "provide-info" else None)
        assert r.status_code in (404, 409, 403), (action, r.status_code)
    db.session.expire_all()
    assert db.session.get(Case, case.id).status == "draft"


def test_unknown_api_route_is_json_404(client):
    _error(client.get("/api/nope"), 404)
    _error(client.delete("/api/auth/me"), 405)
