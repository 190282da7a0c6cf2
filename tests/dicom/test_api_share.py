"""Share links: creation, read-only DICOMweb with CORS, passcode, use limit, expiry, revocation, access log."""

from __future__ import annotations

from datetime import timedelta

from telehealth.db import utcnow
from telehealth.dicom.models import ShareLink
from telehealth.extensions import db

from .conftest import upload
from .test_api_dicomweb import header


def _link(api, case, **body):
    r = api.post(f"/api/cases/{case.id}/share-links", json=body)
    assert r.status_code == 201, r.get_json()
    return r.get_json()


def test_share_link_reads_but_cannot_write(api, case, client):
    upload(api, case.id, "CT_small.dcm")
    link = _link(api, case, expires_in_hours=24, label="for Dr Who")
    token = link["token"]
    assert link["dicomweb_url"].endswith(f"/share/{token}/dicomweb")
    page = client.get(f"/share/{token}", headers={"Accept": "application/json"})
    assert page.status_code == 200 and len(page.get_json()["studies"]) == 1
    studies = client.get(f"/share/{token}/dicomweb/studies", headers={"Origin": "https://viewer.example"})
    assert studies.status_code == 200 and studies.headers["Access-Control-Allow-Origin"] == "*"
    ds = header("CT_small.dcm")
    frame = client.get(f"/share/{token}/dicomweb/studies/{ds.StudyInstanceUID}/series/{ds.SeriesInstanceUID}"
                       f"/instances/{ds.SOPInstanceUID}/frames/1")
    assert frame.status_code == 200
    assert client.post(f"/share/{token}/dicomweb/studies", data=b"x").status_code == 405
    pre = client.options(f"/share/{token}/dicomweb/studies", headers={"Origin": "https://viewer.example",
                                                                      "Access-Control-Request-Method": "GET"})
    assert pre.status_code == 200 and pre.headers["Access-Control-Allow-Origin"] == "*"
    listed = api.get(f"/api/cases/{case.id}/share-links").get_json()["items"][0]
    assert listed["use_count"] == 1 and listed["accesses"] and "token" not in listed or listed["token"] is None


def test_passcode_required(api, case, client):
    link = _link(api, case, passcode="s3cret-code")
    url = f"/share/{link['token']}/dicomweb/studies"
    r = client.get(url)
    assert r.status_code == 401 and r.get_json()["error"]["code"] == "passcode_required"
    assert client.get(url, headers={"X-Share-Passcode": "wrong"}).status_code == 401
    assert client.get(url, headers={"X-Share-Passcode": "s3cret-code"}).status_code == 200
    assert client.get(f"{url}?passcode=s3cret-code").status_code == 200
    log = api.get(f"/api/cases/{case.id}/share-links").get_json()["items"][0]["accesses"]
    assert {a["outcome"] for a in log} == {"denied", "success"}


def test_use_limit(api, case, app):
    link = _link(api, case, max_uses=1)
    url = f"/share/{link['token']}/dicomweb/studies"
    first = app.test_client()
    assert first.get(url, headers={"User-Agent": "viewer-a"}).status_code == 200
    assert first.get(url, headers={"User-Agent": "viewer-a"}).status_code == 200  # same visit
    r = app.test_client().get(url, headers={"User-Agent": "viewer-b"})
    assert r.status_code == 410 and r.get_json()["error"]["code"] == "share_link_used_up"


def test_revoked_and_expired(api, case, client):
    link = _link(api, case)
    assert api.delete(f"/api/share-links/{link['id']}").status_code == 204
    r = client.get(f"/share/{link['token']}/dicomweb/studies")
    assert r.status_code == 410 and r.get_json()["error"]["code"] == "share_link_revoked"
    other = _link(api, case)
    row = db.session.get(ShareLink, other["id"])
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert client.get(f"/share/{other['token']}/dicomweb/studies").get_json()["error"]["code"] == "share_link_expired"
    assert client.get("/share/not-a-token/dicomweb/studies").status_code == 404


def test_only_owner_side_shares(auth, make_user, api, case):
    assert api.post(f"/api/cases/{case.id}/share-links", json={"expires_in_hours": 0}).status_code == 422
    stranger = auth.login(make_user("patient"))
    assert stranger.post(f"/api/cases/{case.id}/share-links", json={}).status_code == 404
    link = _link(api, case)
    assert stranger.delete(f"/api/share-links/{link['id']}").status_code == 404
