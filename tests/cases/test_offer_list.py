"""The offers of a case as the coordinator sees them (offer state on the case page and board)."""

from __future__ import annotations


def test_coordinator_lists_offers_newest_first_with_their_state(auth, make_user, make_case):
    patient_user = make_user("patient")
    case = make_case(patient_user, submit=True)
    coordinator = auth.login(make_user("coordinator"))
    spec_a_user, spec_b_user = make_user("specialist"), make_user("specialist")
    spec_a = auth.login(spec_a_user)
    assert coordinator.get(f"/api/cases/{case.id}/offers").get_json() == {"items": []}

    coordinator.post(f"/api/cases/{case.id}/offers", json={"specialist_id": spec_a_user.id})
    spec_a.post(f"/api/cases/{case.id}/decline", json={"reason": "On leave"})
    coordinator.post(f"/api/cases/{case.id}/offers", json={"specialist_id": spec_b_user.id})

    items = coordinator.get(f"/api/cases/{case.id}/offers").get_json()["items"]
    assert [(o["specialist"]["id"], o["status"]) for o in items] == [
        (spec_b_user.id, "pending"), (spec_a_user.id, "declined")]
    assert items[1]["reason"] == "On leave" and items[0]["expires_at"] is not None


def test_only_the_case_coordinators_see_offers(auth, make_user, make_case):
    patient_user = make_user("patient")
    case = make_case(patient_user, submit=True)
    patient = auth.login(patient_user)
    r = patient.get(f"/api/cases/{case.id}/offers")
    assert r.status_code == 404 and r.get_json()["error"]["code"] == "case_not_found"
    assert auth.login(make_user("patient")).get(f"/api/cases/{case.id}/offers").status_code == 404
