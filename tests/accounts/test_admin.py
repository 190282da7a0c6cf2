"""Admins create clinicians directly or by e-mailed invitation; nobody else can."""
from __future__ import annotations

import glob
import os
from email import message_from_bytes, policy
from pathlib import Path

from tests.conftest import PASSWORD


def test_admin_creates_a_specialist_with_a_password(auth, make_user, network, app):
    admin = auth.login(make_user("admin"))
    r = admin.post("/api/admin/users", json={"email": "new.spec@example.org", "name": "Dr New",
                                             "roles": ["specialist"], "organization_id": network.id,
                                             "password": PASSWORD})
    assert r.status_code == 201
    user = r.get_json()["user"]
    assert user["roles"] == ["specialist"] and user["organization"]["id"] == network.id
    login = app.test_client().post("/api/auth/login", json={"email": "new.spec@example.org", "password": PASSWORD})
    assert login.status_code == 200


def test_admin_invites_by_email_and_invitee_sets_password(auth, make_user, network, app):
    admin = auth.login(make_user("admin"))
    r = admin.post("/api/admin/users", json={"email": "coord@example.org", "name": "Coord",
                                             "roles": ["coordinator"], "organization_id": network.id})
    assert r.status_code == 201 and r.get_json()["user"] is None
    url = r.get_json()["invitation_url"]
    # The e-mail (outbox in the embedded run) carries the same link.
    mails = [message_from_bytes(Path(p).read_bytes(), policy=policy.default)
             for p in glob.glob(os.path.join(app.config["DATA_DIR"], "outbox", "*.eml"))]
    assert len(mails) == 1 and mails[0]["To"] == "coord@example.org" and url in mails[0].get_content()
    token = url.rsplit("/", 1)[1]
    c = app.test_client()
    r = c.post(f"/api/auth/invitations/{token}/accept", json={"name": "Cora", "password": "short"})
    assert r.status_code == 422  # password policy applies
    r = c.post(f"/api/auth/invitations/{token}/accept", json={"name": "Cora", "password": PASSWORD})
    assert r.status_code == 200
    me = r.get_json()["user"]
    assert me["roles"] == ["coordinator"] and me["organization"]["id"] == network.id


def test_admin_changes_roles_and_deactivates(auth, make_user):
    admin_user = make_user("admin")
    admin = auth.login(admin_user)
    target = make_user("referrer")
    target_client = auth.login(target)
    r = admin.patch(f"/api/admin/users/{target.id}", json={"roles": ["referrer", "specialist"]})
    assert r.get_json()["roles"] == ["referrer", "specialist"]
    assert admin.patch(f"/api/admin/users/{admin_user.id}", json={"roles": ["patient"]}).status_code == 422
    admin.patch(f"/api/admin/users/{target.id}", json={"is_active": False})
    assert target_client.get("/api/auth/me").status_code == 401
    listed = admin.get("/api/admin/users?role=specialist").get_json()
    assert [u["email"] for u in listed["items"]] == [target.email] and listed["items"][0]["is_active"] is False


def test_only_admins_manage_accounts(auth, make_user, network):
    for role in ("patient", "referrer", "specialist", "coordinator"):
        c = auth.login(make_user(role))
        r = c.post("/api/admin/users", json={"email": "x@example.org", "name": "X", "roles": ["admin"],
                                             "password": PASSWORD})
        assert r.status_code == 403 and r.get_json()["error"]["code"] == "admin_only"
        assert c.get("/api/admin/users").status_code == 403
        assert c.post("/api/admin/organizations", json={"name": "Evil", "kind": "network"}).status_code == 403
