"""Flask serves the built single-page app and its assets."""
from __future__ import annotations

import os


def test_spa_and_assets_are_served(app, tmp_path):
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html><title>Telehealth</title>")
    (dist / "assets" / "app.js").write_text("console.log(1)")
    app.config["FRONTEND_DIST"] = str(dist)
    c = app.test_client()
    for path in ("/", "/cases/123", "/invitations/abc"):
        with c.get(path) as r:
            assert r.status_code == 200 and b"<title>Telehealth</title>" in r.data, path
    with c.get("/assets/app.js") as js:
        assert js.status_code == 200 and "immutable" in js.headers["Cache-Control"]
    for evil in ("/../../etc/passwd", "/..%2f..%2fetc/passwd", "/assets/..%2f..%2f..%2fetc/passwd"):
        with c.get(evil) as r:
            assert b"root:" not in r.data
    assert c.get("/api/unknown").get_json()["error"]["code"] == "route_not_found"


def test_missing_build_says_how_to_build(app, tmp_path):
    app.config["FRONTEND_DIST"] = os.path.join(tmp_path, "nothing")
    r = app.test_client().get("/")
    assert r.status_code == 503 and b"make run" in r.data
