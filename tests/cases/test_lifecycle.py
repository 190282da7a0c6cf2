"""The case lifecycle through HTTP: who may take which step, and what each step records."""

from __future__ import annotations

from datetime import datetime, timedelta


def test_patient_opens_and_submits_a_case(auth, make_user, app):
    patient = auth.login(make_user("patient"))
    r = patient.post("/api/cases", json={"title": "Brain MRI", "question": "Benign?", "priority": "urgent"})
    assert r.status_code == 201
    case = r.get_json()
    assert case["status"] == "draft" and case["my_role"] == "patient" and case["consent"] is False
    assert "submit" in case["allowed_actions"] and "edit" in case["allowed_actions"]
    # Consent is required before submitting.
    r = patient.post(f"/api/cases/{case['id']}/submit")
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "consent_required"
    assert patient.patch(f"/api/cases/{case['id']}", json={"consent": True}).status_code == 200
    r = patient.post(f"/api/cases/{case['id']}/submit")
    assert r.status_code == 200
    body = r.get_json()
    assert body["status"] == "triage"
    submitted = datetime.fromisoformat(body["submitted_at"])
    assert datetime.fromisoformat(body["due_at"]) - submitted == timedelta(hours=app.config["SLA_HOURS"]["urgent"])
    # No more editing once submitted.
    r = patient.patch(f"/api/cases/{case['id']}", json={"title": "changed"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "invalid_transition"
    steps = [
        (e["action"], e["from_status"], e["to_status"])
        for e in patient.get(f"/api/cases/{case['id']}/timeline").get_json()["items"]
    ]
    assert steps == [
        ("created", None, None),
        ("submitted", "draft", "submitted"),
        ("queued_for_triage", "submitted", "triage"),
    ]


def test_full_journey_offer_decline_accept_review_info(auth, make_user, make_case):
    patient_user = make_user("patient")
    case = make_case(patient_user, submit=True)
    coordinator = auth.login(make_user("coordinator"))
    spec_a_user, spec_b_user = make_user("specialist"), make_user("specialist")
    spec_a, spec_b = auth.login(spec_a_user), auth.login(spec_b_user)
    patient = auth.login(patient_user)

    # A specialist sees nothing until the case is offered to them.
    assert spec_a.get(f"/api/cases/{case.id}").status_code == 404
    assert coordinator.get(f"/api/cases/{case.id}").get_json()["allowed_actions"] == ["cancel", "offer"]
    r = coordinator.post(f"/api/cases/{case.id}/offers", json={"specialist_id": spec_a_user.id})
    assert r.status_code == 201 and r.get_json()["status"] == "pending"
    seen = spec_a.get(f"/api/cases/{case.id}").get_json()
    assert seen["status"] == "offered" and seen["allowed_actions"] == ["accept", "decline"]
    # B was not offered it: not visible, cannot accept.
    assert spec_b.post(f"/api/cases/{case.id}/accept").status_code == 404

    r = spec_a.post(f"/api/cases/{case.id}/decline", json={})
    assert r.status_code == 422 and r.get_json()["error"]["code"] == "reason_required"
    assert (
        spec_a.post(f"/api/cases/{case.id}/decline", json={"reason": "Outside my field"}).get_json()["status"]
        == "triage"
    )
    assert spec_a.get(f"/api/cases/{case.id}").status_code == 404  # declined: access gone

    coordinator.post(f"/api/cases/{case.id}/offers", json={"specialist_id": spec_b_user.id})
    assert spec_b.post(f"/api/cases/{case.id}/accept").get_json()["status"] == "accepted"
    assert spec_b.post(f"/api/cases/{case.id}/start-review").get_json()["status"] == "in_review"
    # Only the assigned specialist may ask for more information.
    assert patient.post(f"/api/cases/{case.id}/request-info", json={"message": "x"}).status_code == 403
    r = spec_b.post(f"/api/cases/{case.id}/request-info", json={"message": "Please upload the prior CT."})
    assert r.get_json()["status"] == "info_requested"
    r = patient.post(f"/api/cases/{case.id}/provide-info", json={"message": "Uploaded it."})
    assert r.get_json()["status"] == "in_review"
    kinds = [(m["kind"], m["body"]) for m in patient.get(f"/api/cases/{case.id}/messages").get_json()["items"]]
    assert kinds == [("request_info", "Please upload the prior CT."), ("provide_info", "Uploaded it.")]
    # A closed case cannot be closed before it is reported.
    r = patient.post(f"/api/cases/{case.id}/close")
    assert r.status_code == 409 and r.get_json()["error"]["details"]["status"] == "in_review"


def test_cancel_withdraws_offers_and_stops_everything(auth, make_user, make_case):
    referrer_user = make_user("referrer", org=None)
    case = make_case(referrer_user, submit=True)
    referrer = auth.login(referrer_user)
    r = referrer.post(f"/api/cases/{case.id}/cancel", json={"reason": "Patient withdrew"})
    assert r.get_json()["status"] == "cancelled" and r.get_json()["allowed_actions"] == []
    assert referrer.post(f"/api/cases/{case.id}/submit").status_code == 409
    r = referrer.post(f"/api/cases/{case.id}/messages", json={"body": "hello"})
    assert r.status_code == 409 and r.get_json()["error"]["code"] == "case_closed"


def test_messages_between_participants(auth, make_user, make_case):
    patient_user = make_user("patient")
    case = make_case(patient_user)
    patient = auth.login(patient_user)
    r = patient.post(f"/api/cases/{case.id}/messages", json={"body": "My report is attached."})
    assert r.status_code == 201 and r.get_json()["author"]["id"] == patient_user.id
    items = patient.get(f"/api/cases/{case.id}/messages").get_json()["items"]
    assert [m["body"] for m in items] == ["My report is attached."]


def test_patient_invites_referrer_who_joins(auth, make_user, make_case, app):
    patient_user = make_user("patient")
    case = make_case(patient_user)
    patient = auth.login(patient_user)
    r = patient.post(f"/api/cases/{case.id}/invitations", json={"email": "dr.who@example.org", "role": "referrer"})
    assert r.status_code == 201
    token = r.get_json()["accept_url"].rsplit("/", 1)[1]
    # A patient cannot invite another patient.
    assert (
        patient.post(
            f"/api/cases/{case.id}/invitations", json={"email": "x@example.org", "role": "patient"}
        ).status_code
        == 403
    )
    anon = app.test_client()
    info = anon.get(f"/api/auth/invitations/{token}").get_json()
    assert info["case_title"] == case.title and info["account_exists"] is False
    r = anon.post(
        f"/api/auth/invitations/{token}/accept", json={"name": "Dr Who", "password": "tardis-police-box-1963"}
    )
    assert r.status_code == 200 and r.get_json()["user"]["roles"] == ["referrer"]
    assert anon.get(f"/api/cases/{case.id}").get_json()["my_role"] == "referrer"
    # Single use.
    again = app.test_client().post(
        f"/api/auth/invitations/{token}/accept", json={"name": "X", "password": "another-long-pass-77"}
    )
    assert again.status_code == 410
    people = {
        p["user"]["email"]: p["role"] for p in patient.get(f"/api/cases/{case.id}/participants").get_json()["items"]
    }
    assert people == {patient_user.email: "patient", "dr.who@example.org": "referrer"}


def test_list_is_filtered_sorted_and_paged(auth, make_user, make_case):
    user = make_user("patient")
    for i in range(5):
        make_case(user, title=f"Case {i}", submit=i % 2 == 0)
    c = auth.login(user)
    page = c.get("/api/cases?per_page=2&page=2&sort=created_at").get_json()
    assert page["total"] == 5 and [x["title"] for x in page["items"]] == ["Case 2", "Case 3"]
    drafts = c.get("/api/cases?status=draft").get_json()
    assert drafts["total"] == 2
    both = c.get("/api/cases?status=draft&status=triage").get_json()
    assert both["total"] == 5
    assert c.get("/api/cases?q=case 4").get_json()["total"] == 1
