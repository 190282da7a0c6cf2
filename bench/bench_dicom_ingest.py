"""Archive benchmark: STOW-RS ingest rate, QIDO-RS latency, WADO-RS frames/s and rendered frames/s.

Usage: .venv/bin/python bench/bench_dicom_ingest.py --count 1000 --clients 4 \
    --database postgresql://postgres@127.0.0.1:5432/bench_dicom

Serves the real app with werkzeug's threaded server on a free port against the given PostgreSQL
database (its tables are dropped and recreated), synthesises CT-like 512x512 16-bit instances,
and prints one JSON line of results.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import threading
import time
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pydicom
import requests
from pydicom.data import get_testdata_file
from pydicom.uid import ExplicitVRLittleEndian, generate_uid
from sqlalchemy import create_engine
from werkzeug.serving import make_server

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def make_instances(count: int, series_size: int = 100) -> list[bytes]:
    """CT-like 512x512 instances (about 0.5 MB each), `series_size` per series, one study per 10 series."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        template = pydicom.dcmread(get_testdata_file("CT_small.dcm"))
    rng = np.random.default_rng(1)
    out = []
    study = series = None
    for i in range(count):
        if i % (series_size * 10) == 0:
            study = generate_uid()
        if i % series_size == 0:
            series = generate_uid()
        ds = template.copy()
        ds.StudyInstanceUID, ds.SeriesInstanceUID = study, series
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        ds.PatientID = f"BENCH{i // (series_size * 10):04d}"
        ds.InstanceNumber = i % series_size + 1
        ds.Rows = ds.Columns = 512
        ds.PixelData = rng.integers(-1000, 2000, size=(512, 512), dtype=np.int16).tobytes()
        buf = io.BytesIO()
        ds.save_as(buf, enforce_file_format=True)
        out.append(buf.getvalue())
    return out


def stow_body(payloads: list[bytes], boundary: str = "benchboundary") -> bytes:
    """A multipart/related STOW-RS body."""
    parts = [f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode() + p + b"\r\n" for p in payloads]
    return b"".join(parts) + f"--{boundary}--\r\n".encode()


def pct(values: list[float], q: float) -> float:
    """Percentile in milliseconds."""
    return float(np.percentile(values, q) * 1000)


def main() -> None:
    """Run the benchmark and print the figures."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--count", type=int, default=1000)
    ap.add_argument("--clients", type=int, default=4)
    ap.add_argument("--batch", type=int, default=10, help="instances per STOW-RS request")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--database", default=os.environ.get("BENCH_DATABASE_URL",
                                                         "postgresql://postgres@127.0.0.1:5432/bench_dicom"))
    args = ap.parse_args()
    url = args.database.replace("postgresql://", "postgresql+psycopg://", 1)

    from telehealth import create_app
    from telehealth.accounts.service import create_user
    from telehealth.cases.service import create_case
    from telehealth.db import Base
    from telehealth.extensions import db

    data_dir = tempfile.mkdtemp(prefix="bench-dicom-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": data_dir, "REDIS_URL": None,
                      "SECRET_KEY": "bench-secret-key-long-enough-for-the-check"})
    engine = create_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        Base.metadata.create_all(conn)
    with app.app_context():
        user = create_user(db.session, email="bench@example.org", name="Bench", password="correct-horse-battery-staple",
                           roles=["patient"], organization_id=None)
        db.session.commit()
        case = create_case(db.session, user, title="bench", question="bench", consent=True)
        case_id = case.id
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}"
    login = {"email": "bench@example.org", "password": "correct-horse-battery-staple"}
    token = requests.post(f"{base}/api/auth/token", json=login).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    dicomweb = f"{base}/api/cases/{case_id}/dicomweb"

    t0 = time.perf_counter()
    payloads = make_instances(args.count)
    gen_s = time.perf_counter() - t0
    batches = [payloads[i:i + args.batch] for i in range(0, len(payloads), args.batch)]

    def store(batch: list[bytes]) -> int:
        with requests.Session() as s:
            r = s.post(f"{dicomweb}/studies", data=stow_body(batch), headers={
                **headers, "Content-Type": 'multipart/related; type="application/dicom"; boundary=benchboundary'})
            r.raise_for_status()
            return len(batch)

    t0 = time.perf_counter()
    with ThreadPoolExecutor(args.clients) as pool:
        stored = sum(pool.map(store, batches))
    ingest_s = time.perf_counter() - t0

    session = requests.Session()
    session.headers.update(headers)
    qido = []
    for i in range(args.queries):
        t = time.perf_counter()
        kind = i % 3
        if kind == 0:
            r = session.get(f"{dicomweb}/studies", params={"PatientID": f"BENCH{i % 3:04d}"})
        elif kind == 1:
            r = session.get(f"{dicomweb}/instances", params={"limit": 100, "offset": (i * 37) % max(args.count, 1)})
        else:
            r = session.get(f"{dicomweb}/series", params={"Modality": "CT", "limit": 50})
        r.raise_for_status()
        qido.append(time.perf_counter() - t)

    instances = session.get(f"{dicomweb}/instances", params={"limit": 200}).json()
    urls = [i["00081190"]["Value"][0] for i in instances]
    t0 = time.perf_counter()
    for u in urls:
        session.get(f"{u}/frames/1").raise_for_status()
    frames_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for u in urls:
        session.get(f"{u}/rendered", headers={"Accept": "image/jpeg"}).raise_for_status()
    rendered_s = time.perf_counter() - t0
    srv.shutdown()
    print(json.dumps({
        "instances": stored, "clients": args.clients, "batch": args.batch, "generate_s": round(gen_s, 2),
        "ingest_s": round(ingest_s, 2), "ingest_instances_per_s": round(stored / ingest_s, 1),
        "qido_queries": len(qido), "qido_p50_ms": round(pct(qido, 50), 1), "qido_p99_ms": round(pct(qido, 99), 1),
        "qido_mean_ms": round(statistics.mean(qido) * 1000, 1),
        "wado_frames_per_s": round(len(urls) / frames_s, 1), "rendered_frames_per_s": round(len(urls) / rendered_s, 1),
        "cpus": os.cpu_count(), "load_avg": os.getloadavg(),
    }))


if __name__ == "__main__":
    main()
