"""Flask serves the built single-page app and its assets."""
from __future__ import annotations

import gzip
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



def test_assets_go_out_compressed_when_the_browser_accepts_it(app, tmp_path):
    body = b"export const x = 1;" * 200
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text("<!doctype html>")
    (dist / "assets" / "app.js").write_bytes(body)
    (dist / "assets" / "app.js.gz").write_bytes(gzip.compress(body))
    (dist / "assets" / "app.js.br").write_bytes(b"brotli bytes, as the build writes them")
    (dist / "assets" / "plain.js").write_bytes(body)  # a build without copies
    app.config["FRONTEND_DIST"] = str(dist)
    c = app.test_client()
    with c.get("/assets/app.js", headers={"Accept-Encoding": "gzip, deflate, br"}) as r:
        assert r.headers["Content-Encoding"] == "br" and r.data == b"brotli bytes, as the build writes them"
        assert r.mimetype == "text/javascript" and r.headers["Vary"] == "Accept-Encoding"
    with c.get("/assets/app.js", headers={"Accept-Encoding": "gzip"}) as r:
        assert r.headers["Content-Encoding"] == "gzip" and gzip.decompress(r.data) == body
        assert r.mimetype == "text/javascript" and "immutable" in r.headers["Cache-Control"]
    with c.get("/assets/app.js", headers={"Accept-Encoding": "br;q=0, gzip;q=0"}) as r:
        assert "Content-Encoding" not in r.headers and r.data == body
    with c.get("/assets/app.js") as r:
        assert "Content-Encoding" not in r.headers and r.data == body
    with c.get("/assets/plain.js", headers={"Accept-Encoding": "gzip, br"}) as r:
        assert "Content-Encoding" not in r.headers and r.data == body
    with c.get("/assets/app.js.gz/..%2f..%2findex.html", headers={"Accept-Encoding": "gzip"}) as r:
        assert "Content-Encoding" not in r.headers
