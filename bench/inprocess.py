"""Statements and CPU per DICOMweb request, in-process: `python -m bench.inprocess [qido|stow|frames] ...`.

The app runs on SQLite in a temp folder behind Flask's test client (no sockets, no gunicorn), signed in with a
bearer token as in `make bench`; the corpus is the benchmark's (bench/data.py). For each kind of request it prints
the SQL statements per request (SQLAlchemy `before_cursor_execute`), the CPU per request (`time.process_time`)
and, with --cprofile, the functions with the largest cumulative time. CPU figures depend on the machine's load:
print `uptime` with them.
"""
from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import tempfile
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import event

from . import data, workload

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _app(folder: str) -> Any:
    os.environ.update(TELEHEALTH_DATA_DIR=folder, TELEHEALTH_DATABASE_URL=f"sqlite:///{folder}/telehealth.db",
                      TELEHEALTH_SECRET_KEY="x" * 40)
    os.environ.pop("TELEHEALTH_REDIS_URL", None)
    from telehealth import create_app
    from telehealth.db import Base
    from telehealth.extensions import db

    app = create_app()
    with app.app_context():
        Base.metadata.create_all(db.engine)
    return app


SQL: list[str] = []
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def _measure(name: str, n: int, call: Callable[[int], None], counter: list[int], profile: bool) -> None:
    call(0)  # warm
    SQL.clear()
    call(1)
    if os.environ.get("BENCH_SHOW_SQL"):
        print("\n".join(f"    {s[:160]}" for s in SQL))
    counter[0] = 0
    prof = cProfile.Profile() if profile else None
    rounds = []
    for _ in range(ROUNDS):
        t0 = time.process_time()
        if prof:
            prof.enable()
        for i in range(n):
            call(i)
        if prof:
            prof.disable()
        rounds.append((time.process_time() - t0) / n * 1000)
    cpu = " / ".join(f"{x:.2f}" for x in rounds)
    print(f"{name:28s} {counter[0] / n / ROUNDS:5.1f} statements, CPU per request {cpu} ms (min {min(rounds):.2f}, "
          f"{ROUNDS} rounds of {n})", flush=True)
    if prof:
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(30)
        print("\n".join(out.getvalue().splitlines()[:60]))


def main() -> None:
    """Build the corpus, store it through STOW-RS, then measure the chosen request kinds."""
    ap = argparse.ArgumentParser()
    ap.add_argument("kinds", nargs="*", default=["qido"])
    ap.add_argument("--instances", type=int, default=200)
    ap.add_argument("-n", type=int, default=200)
    ap.add_argument("--cprofile", action="store_true")
    args = ap.parse_args()
    folder = tempfile.mkdtemp(prefix="bench-inprocess-")
    corpus = data.generate(os.path.join(folder, "corpus"), args.instances, big_series=min(300, args.instances // 2))
    app = _app(folder)
    from telehealth.extensions import db

    counter = [0]
    with app.app_context():
        def count(_c: Any, _cur: Any, statement: str, *_a: Any) -> None:
            counter[0] += 1
            SQL.append(" ".join(statement.split()))

        event.listen(db.engine, "before_cursor_execute", count)
    c = app.test_client()
    c.post("/api/auth/register", json={"email": "p@example.org", "password": "bench-password-0123", "name": "P"})
    token = c.post("/api/auth/token", json={"email": "p@example.org", "password": "bench-password-0123"}).get_json()
    h = {"Authorization": f"Bearer {token['access_token']}"}
    case = c.post("/api/cases", json={"title": "b", "question": "q", "consent": True}, headers=h).get_json()
    base = f"/api/cases/{case['id']}/dicomweb"
    files = corpus.files
    stow_h = {**h, "Content-Type": 'multipart/related; type="application/dicom"; boundary=BOUNDARY'}

    def stow_body(paths: list[str]) -> bytes:
        parts = []
        for p in paths:
            with open(p, "rb") as fh:
                parts.append(b"--BOUNDARY\r\nContent-Type: application/dicom\r\n\r\n" + fh.read() + b"\r\n")
        return b"".join(parts) + b"--BOUNDARY--\r\n"

    batch = 10
    if "stow" in args.kinds:
        bodies = [stow_body(files[i:i + batch]) for i in range(0, len(files), batch)]

        def stow(i: int) -> None:
            r = c.post(f"{base}/studies", data=bodies[i % len(bodies)], headers=stow_h)
            assert r.status_code == 200, r.data[:300]

        t0 = time.process_time()
        stow(0)
        _measure(f"STOW-RS {batch} per request", len(bodies) - 1, lambda i: stow(i + 1), counter, args.cprofile)
        print(f"  (first request {time.process_time() - t0:.3f} s CPU incl. the measured ones)")
    else:
        for i in range(0, len(files), batch):
            assert c.post(f"{base}/studies", data=stow_body(files[i:i + batch]), headers=stow_h).status_code == 200
    qh = {**h, "Accept": "application/dicom+json"}
    if "qido" in args.kinds:
        queries = workload.qido_queries(corpus, random.Random(11))
        for level in ("study", "series", "instance"):
            qs = queries[level]

            def get(i: int, qs: list[str] = qs) -> None:
                r = c.get(base + qs[i % len(qs)], headers=qh)
                assert r.status_code == 200 and r.get_json(), (qs[i % len(qs)], r.status_code)

            _measure(f"QIDO-RS {level}", args.n, get, counter, args.cprofile)
    if "frames" in args.kinds:
        study, series = corpus.big_series
        urls = [f"{base}/studies/{study.uid}/series/{series.uid}/instances/{sop}/frames/1" for sop in series.sop_uids]
        fh = {**h, "Accept": 'multipart/related; type="application/octet-stream"'}
        _measure("frame", args.n, lambda i: c.get(urls[i % len(urls)], headers=fh).close(), counter, args.cprofile)
    print(f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    sys.exit(main())
