"""Peak memory of the server while a large ZIP is uploaded and ingested.

Usage: .venv/bin/python bench/bench_dicom_rss.py --size-mb 2048 \
    --database postgresql://postgres@127.0.0.1:5432/bench_dicom

Builds a ZIP of CT-like instances (stored, not deflated: random pixels do not compress) on disk,
serves the app in this process, uploads the ZIP with curl (a separate process, streaming from
disk) and reports this process's peak RSS before and after the upload.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import zipfile

from sqlalchemy import create_engine
from werkzeug.serving import make_server

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from bench.bench_dicom_ingest import make_instances  # noqa: E402


def peak_rss_mb() -> float:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def build_zip(zpath: str, size_mb: int) -> None:
    """A ZIP (stored) of CT-like instances totalling about `size_mb`."""
    written = n = 0
    with zipfile.ZipFile(zpath, "w", zipfile.ZIP_STORED) as zf:
        while written < size_mb * 1024**2:
            for data in make_instances(100):
                zf.writestr(f"study/{n:06d}.dcm", data)
                written += len(data)
                n += 1


def main() -> None:
    """Run the measurement and print one JSON line."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--size-mb", type=int, default=2048)
    ap.add_argument("--zip", help="reuse this ZIP instead of building one")
    ap.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL",
                                                         "postgresql://postgres@127.0.0.1:5432/bench_dicom"))
    args = ap.parse_args()
    url = args.database.replace("postgresql://", "postgresql+psycopg://", 1)
    work = tempfile.mkdtemp(prefix="bench-rss-")
    zpath = args.zip or os.path.join(work, "upload.zip")
    if not args.zip:
        # Built in a child process so this (server) process's peak RSS reflects the upload only.
        child = multiprocessing.Process(target=build_zip, args=(zpath, args.size_mb))
        child.start()
        child.join()
    with zipfile.ZipFile(zpath) as zf:
        n = len(zf.infolist())

    from telehealth import create_app
    from telehealth.accounts.service import create_user
    from telehealth.cases.service import create_case
    from telehealth.db import Base
    from telehealth.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": os.path.join(work, "data"), "REDIS_URL": None,
                      "SECRET_KEY": "bench-secret-key-long-enough-for-the-check",
                      "MAX_UPLOAD_BYTES": 8 * 1024**3})
    engine = create_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        Base.metadata.create_all(conn)
    with app.app_context():
        user = create_user(db.session, email="rss@example.org", name="Bench", password="correct-horse-battery-staple",
                           roles=["patient"], organization_id=None)
        db.session.commit()
        case_id = create_case(db.session, user, title="rss", question="rss", consent=True).id
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}"
    token = json.loads(subprocess.check_output([
        "curl", "-s", "-H", "Content-Type: application/json", "-d",
        json.dumps({"email": "rss@example.org", "password": "correct-horse-battery-staple"}),
        f"{base}/api/auth/token"]))
    before = peak_rss_mb()
    t0 = time.perf_counter()
    out = subprocess.check_output([
        "curl", "-s", "-H", f"Authorization: Bearer {token['access_token']}", "-F", f"files=@{zpath}",
        f"{base}/api/cases/{case_id}/uploads"])
    elapsed = time.perf_counter() - t0
    result = json.loads(out)
    srv.shutdown()
    print(json.dumps({
        "zip_mb": round(os.path.getsize(zpath) / 1024**2), "instances": n, "stored": result.get("stored"),
        "rejected": result.get("rejected"), "upload_s": round(elapsed, 1),
        "peak_rss_before_mb": round(before), "peak_rss_after_mb": round(peak_rss_mb()),
        "growth_mb": round(peak_rss_mb() - before), "load_avg": os.getloadavg(),
    }))


if __name__ == "__main__":
    main()
