"""The routing API over HTTP: worklists, profiles, rules, candidates, reassign, hand-back."""
from __future__ import annotations

from datetime import timedelta

from telehealth.routing.jobs import tick
from tests.routing.factories import add_profile, offers_of


def test_worklists_for_specialist_coordinator_and_patient(frozen, auth, make_user, make_case, specialist):
    ada_user = specialist("Ada", capacity=3)
    specialist("Bo", capacity=3)
    coord = auth.login(make_user("coordinator"))
    patient_user = make_user("patient")
    patient = auth.login(patient_user)
    ada = auth.login(ada_user)
    stat = make_case(patient_user, title="Stat head CT", region="EU-DE", priority="stat", submit=True)
    frozen.advance(timedelta(minutes=1))
    routine = make_case(patient_user, title="Routine knee", region="EU-DE", submit=True)
    frozen.advance(timedelta(minutes=1))
    nowhere = make_case(patient_user, title="No licence", region="US-TX", submit=True)
    assert ada.post(f"/api/cases/{stat.id}/accept").status_code == 200

    wl = ada.get("/api/worklist").get_json()
    assert wl["view"] == "specialist" and wl["counts"] == {"offered": 0, "active": 1, "due_soon": 0, "overdue": 0}
    assert [i["title"] for i in wl["items"]] == ["Stat head CT"]

    frozen.advance(timedelta(minutes=98))  # inside the stat warning window
    tick()
    ada = auth.login(ada_user)  # sessions idle out on the service clock too
    wl = ada.get("/api/worklist?bucket=due_soon").get_json()
    assert [i["title"] for i in wl["items"]] == ["Stat head CT"] and wl["items"][0]["due_soon"] is True
    frozen.advance(timedelta(minutes=30))
    ada, coord, patient = (auth.login(u) for u in (ada_user, coord.user, patient_user))
    wl = ada.get("/api/worklist").get_json()
    assert wl["counts"]["overdue"] == 1 and wl["items"][0]["overdue"] is True

    board = coord.get("/api/worklist").get_json()
    assert board["view"] == "coordinator"
    assert board["counts"] == {"triage": 1, "flagged": 1, "offered": 1, "in_progress": 1, "breached": 1}
    flagged = coord.get("/api/worklist?bucket=flagged").get_json()["items"]
    assert [i["title"] for i in flagged] == ["No licence"] and "not licensed in US-TX" in flagged[0]["flag_reason"]
    offered = coord.get("/api/worklist?bucket=offered").get_json()["items"]
    assert offered[0]["specialist"]["name"] == "Bo" and offered[0]["offer_expires_at"] is not None
    load = {x["specialist"]["name"]: x for x in board["load"]}
    assert (load["Ada"]["active"], load["Ada"]["pending_offers"], load["Ada"]["capacity"]) == (1, 0, 3)
    assert (load["Bo"]["active"], load["Bo"]["pending_offers"]) == (0, 1)
    by_priority = coord.get("/api/worklist?sort=priority").get_json()["items"]
    assert by_priority[0]["priority"] == "stat"
    page = coord.get("/api/worklist?per_page=2&page=2&sort=-created_at").get_json()
    assert page["total"] == 3 and [i["title"] for i in page["items"]] == ["Stat head CT"]

    mine = patient.get("/api/worklist").get_json()
    assert mine["view"] == "requester" and mine["counts"]["open"] == 3
    by_title = {i["title"]: i for i in mine["items"]}
    assert by_title["Stat head CT"]["overdue"] is True and by_title["Stat head CT"]["specialist"]["name"] == "Ada"
    assert by_title["Routine knee"]["expected_at"] == routine.due_at.isoformat().replace("+00:00", "Z") or \
        by_title["Routine knee"]["expected_at"].startswith(routine.due_at.strftime("%Y-%m-%dT%H:%M"))
    assert by_title["Routine knee"]["specialist"] is None  # an offer is not an assignment yet
    assert patient.get("/api/worklist?view=coordinator").status_code == 403
    assert patient.get("/api/worklist?bucket=flagged").status_code == 422
    assert nowhere.id in {i["case_id"] for i in mine["items"]}


def test_admin_edits_profiles_and_specialists_their_availability(frozen, auth, make_user):
    admin = auth.login(make_user("admin"))
    spec_user = make_user("specialist", name="Sue")
    spec = auth.login(spec_user)
    coord = auth.login(make_user("coordinator"))
    body = {"specialties": ["radiology"], "subspecialties": ["neuroradiology"], "modalities": ["mr", "CT"],
            "licensed_regions": ["eu-de"], "languages": ["en", "de"], "capacity": 4, "time_zone": "Europe/Berlin",
            "working_hours": {"mon": [["08:00", "16:00"]]}}
    r = admin.put(f"/api/specialists/{spec_user.id}", json=body)
    assert r.status_code == 200, r.get_json()
    p = r.get_json()
    assert p["modalities"] == ["CT", "MR"] and p["licensed_regions"] == ["EU-DE"] and p["available_now"] is True
    bad = admin.put(f"/api/specialists/{spec_user.id}", json={"time_zone": "Mars/Olympus"})
    assert bad.status_code == 422 and "time zone" in bad.get_json()["error"]["message"]
    bad = admin.put(f"/api/specialists/{spec_user.id}", json={"working_hours": {"mon": [["18:00", "08:00"]]}})
    assert bad.status_code == 422
    # The specialist sets an absence, but cannot license themself elsewhere.
    away = {"absences": [{"starts_at": "2026-03-02T00:00:00+00:00", "ends_at": "2026-03-03T00:00:00+00:00"}]}
    r = spec.put(f"/api/specialists/{spec_user.id}", json=away)
    assert r.status_code == 200 and r.get_json()["available_now"] is False
    assert spec.put(f"/api/specialists/{spec_user.id}", json={"licensed_regions": ["US-CA"]}).status_code == 403
    assert [x["user"]["name"] for x in coord.get("/api/specialists").get_json()["items"]] == ["Sue"]
    assert spec.get(f"/api/specialists/{spec_user.id}").get_json()["capacity"] == 4
    assert coord.put(f"/api/specialists/{spec_user.id}", json={"capacity": 9}).status_code == 403


def test_routing_rules_are_data_admins_edit(frozen, auth, make_user, make_case, specialist):
    admin = auth.login(make_user("admin"))
    coord_user = make_user("coordinator")
    coord = auth.login(coord_user)
    specialist("Gene", specialties=["radiology"])
    specialist("Max", specialties=["radiology"], subspecialties=["musculoskeletal"])
    r = admin.post("/api/routing-rules", json={"name": "Knee to MSK", "position": 5, "match_body_part": "knee",
                                               "required_subspecialty": "musculoskeletal"})
    assert r.status_code == 201 and r.get_json()["match_body_part"] == "KNEE"
    rule_id = r.get_json()["id"]
    assert coord.post("/api/routing-rules", json={"name": "x", "required_specialty": "y"}).status_code == 403
    assert admin.post("/api/routing-rules", json={"name": "empty"}).status_code == 422
    assert [x["name"] for x in coord.get("/api/routing-rules").get_json()["items"]] == ["Knee to MSK"]

    # Without images, the coordinator tells routing the body part, and reassigns by the rule.
    case = make_case(make_user("patient"), region="EU-DE", submit=True)
    assert offers_of(case) == [("Gene", "pending")]
    r = coord.put(f"/api/cases/{case.id}/routing", json={"modality": "MR", "body_part": "Knee"})
    assert r.status_code == 200 and r.get_json()["body_part"] == "KNEE"
    cands = coord.get(f"/api/cases/{case.id}/candidates").get_json()
    assert cands["rule"] == "Knee to MSK" and [c["specialist"]["name"] for c in cands["items"]] == ["Max", "Gene"]
    assert cands["items"][1]["excluded"] == ["has the open offer", "no musculoskeletal subspecialty"]
    frozen.advance(timedelta(minutes=1))
    r = coord.post(f"/api/cases/{case.id}/reassign", json={"reason": "Knee: MSK"})
    assert r.status_code == 200 and r.get_json()["status"] == "offered"
    assert offers_of(case) == [("Gene", "withdrawn"), ("Max", "pending")]

    assert admin.patch(f"/api/routing-rules/{rule_id}", json={"active": False}).get_json()["active"] is False
    assert admin.delete(f"/api/routing-rules/{rule_id}").status_code == 204
    assert coord.get("/api/routing-rules").get_json()["items"] == []


def test_hand_back_and_reassign_over_http(frozen, auth, make_user, make_case, specialist):
    ada_user, bo_user = specialist("Ada"), specialist("Bo")
    coord = auth.login(make_user("coordinator"))
    ada, bo = auth.login(ada_user), auth.login(bo_user)
    patient_user = make_user("patient")
    patient = auth.login(patient_user)
    case = make_case(patient_user, region="EU-DE", submit=True)
    accepted = ada.post(f"/api/cases/{case.id}/accept").get_json()
    assert "hand_back" in accepted["allowed_actions"]
    assert bo.post(f"/api/cases/{case.id}/hand-back", json={"reason": "x"}).status_code == 404
    assert ada.post(f"/api/cases/{case.id}/hand-back", json={}).status_code == 422
    frozen.advance(timedelta(minutes=1))
    r = ada.post(f"/api/cases/{case.id}/hand-back", json={"reason": "Going on leave"})
    assert r.status_code == 200 and r.get_json()["status"] == "offered" and r.get_json()["my_role"] is None
    assert ada.get(f"/api/cases/{case.id}").status_code == 404
    assert bo.get(f"/api/cases/{case.id}").get_json()["status"] == "offered"
    assert patient.post(f"/api/cases/{case.id}/reassign", json={}).status_code == 403
    frozen.advance(timedelta(minutes=1))
    r = coord.post(f"/api/cases/{case.id}/reassign", json={"specialist_id": ada_user.id, "reason": "Back early"})
    assert r.status_code == 200
    assert offers_of(case) == [("Ada", "returned"), ("Bo", "withdrawn"), ("Ada", "pending")]
    state = patient.get(f"/api/cases/{case.id}/routing").get_json()
    assert state["status"] == "offered" and state["flagged"] is False and state["expected_at"] is not None


def test_routing_endpoints_are_documented(client):
    doc = client.get("/api/openapi.json").get_json()
    for path in ("/api/worklist", "/api/specialists", "/api/specialists/{user_id}", "/api/routing-rules",
                 "/api/routing-rules/{rule_id}", "/api/cases/{case_id}/reassign", "/api/cases/{case_id}/hand-back",
                 "/api/cases/{case_id}/candidates", "/api/cases/{case_id}/routing", "/api/notifications",
                 "/api/notifications/{notification_id}/read", "/api/notifications/read-all",
                 "/api/notifications/preferences"):
        assert path in doc["paths"], path


def test_profile_helper_is_idempotent_for_seeded_users(app, frozen, make_user):
    from telehealth.extensions import db
    from telehealth.routing.models import SpecialistProfile
    from telehealth.routing.seed import seed_demo

    users = {"specialist": make_user("specialist"), "neuro": make_user("specialist"), "msk": make_user("specialist")}
    add_profile(users["msk"], subspecialties=["musculoskeletal"])
    seed_demo(db.session, users)
    seed_demo(db.session, users)
    profiles = {p.user_id: p for p in db.session.query(SpecialistProfile)}
    assert len(profiles) == 3
    assert profiles[users["neuro"].id].subspecialties == ["neuroradiology"]
    assert all(p.licensed_regions == ["EU-DE"] for p in profiles.values())


def test_why_routing_is_stuck_is_for_coordinators_only(frozen, auth, make_user, make_case, specialist):
    specialist("Fred France", regions=["EU-FR"])
    coord = auth.login(make_user("coordinator"))
    patient_user = make_user("patient")
    patient = auth.login(patient_user)
    case = make_case(patient_user, region="EU-DE", submit=True)
    theirs = patient.get(f"/api/cases/{case.id}/routing").get_json()
    assert theirs["flagged"] is True and theirs["flag_reason"] is None
    assert patient.get("/api/worklist").get_json()["items"][0]["flag_reason"] is None
    assert "Fred France: not licensed in EU-DE" in coord.get(f"/api/cases/{case.id}/routing").get_json()["flag_reason"]
    assert patient.get(f"/api/cases/{case.id}/candidates").status_code == 404


def test_a_manual_offer_respects_licensure(frozen, auth, make_user, make_case, specialist):
    france = specialist("Fran France", regions=["EU-FR"])
    coord = auth.login(make_user("coordinator"))
    case = make_case(make_user("patient"), region="EU-DE", submit=True)
    r = coord.post(f"/api/cases/{case.id}/offers", json={"specialist_id": france.id})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "not_licensed"
    germany = specialist("Gerd Germany")
    r = coord.post(f"/api/cases/{case.id}/offers", json={"specialist_id": germany.id})
    assert r.status_code == 201
    assert coord.get(f"/api/cases/{case.id}/routing").get_json()["flagged"] is False
