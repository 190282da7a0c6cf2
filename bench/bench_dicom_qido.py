"""QIDO-RS latency over a case index of 10,000 instances (index rows inserted directly; QIDO reads no blobs).

Usage: .venv/bin/python bench/bench_dicom_qido.py --instances 10000 --queries 500 \
    --database postgresql://postgres@127.0.0.1:5432/bench_dicom_qido
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import threading
import time

import numpy as np
import requests
from pydicom.uid import generate_uid
from sqlalchemy import create_engine
from werkzeug.serving import make_server

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main() -> None:
    """Fill the index, then time a mix of QIDO queries over HTTP."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--instances", type=int, default=10_000)
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--database", default=os.environ.get("BENCH_QIDO_DATABASE_URL",
                                                         "postgresql://postgres@127.0.0.1:5432/bench_dicom_qido"))
    args = ap.parse_args()
    url = args.database.replace("postgresql://", "postgresql+psycopg://", 1)

    from telehealth import create_app
    from telehealth.accounts.service import create_user
    from telehealth.cases.service import create_case
    from telehealth.db import Base
    from telehealth.dicom.models import DicomInstance, DicomPatient, DicomSeries, DicomStudy
    from telehealth.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "DATA_DIR": tempfile.mkdtemp(prefix="bench-qido-"),
                      "REDIS_URL": None, "SECRET_KEY": "bench-secret-key-long-enough-for-the-check"})
    engine = create_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        Base.metadata.create_all(conn)
    per_series, per_study = 50, 4
    with app.app_context():
        user = create_user(db.session, email="qido@example.org", name="Bench",
                           password="correct-horse-battery-staple", roles=["patient"], organization_id=None)
        db.session.commit()
        case_id = create_case(db.session, user, title="qido", question="qido", consent=True).id
        n = 0
        while n < args.instances:
            k = n // (per_series * per_study)
            patient = DicomPatient(case_id=case_id, identity_key=f"{k:064d}", patient_id=f"P{k:05d}",
                                   patient_name=f"Patient^{k:05d}", patient_birth_date="19700101")
            db.session.add(patient)
            db.session.flush()
            study = DicomStudy(case_id=case_id, patient_ref_id=patient.id, study_instance_uid=generate_uid(),
                               patient_id=patient.patient_id, patient_name=patient.patient_name,
                               study_date=f"2026{1 + k % 12:02d}{1 + k % 28:02d}", study_description="CT chest")
            db.session.add(study)
            db.session.flush()
            for s in range(per_study):
                series = DicomSeries(case_id=case_id, study_id=study.id, series_instance_uid=generate_uid(),
                                     modality="CT" if s % 2 == 0 else "MR", series_number=s + 1)
                db.session.add(series)
                db.session.flush()
                for i in range(per_series):
                    db.session.add(DicomInstance(
                        case_id=case_id, study_id=study.id, series_id=series.id, sop_instance_uid=generate_uid(),
                        sop_class_uid="1.2.840.10008.5.1.4.1.1.2", transfer_syntax_uid="1.2.840.10008.1.2.1",
                        instance_number=i + 1, number_of_frames=1, rows=512, columns=512, bits_allocated=16,
                        photometric_interpretation="MONOCHROME2", blob_sha256="0" * 64, size=524288))
                    n += 1
            db.session.commit()
        studies = n // (per_series * per_study)
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{srv.server_port}"
    login = {"email": "qido@example.org", "password": "correct-horse-battery-staple"}
    token = requests.post(f"{base}/api/auth/token", json=login).json()["access_token"]
    web = f"{base}/api/cases/{case_id}/dicomweb"
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    kinds: dict[str, list[float]] = {"studies by PatientID": [], "studies by name wildcard + date range": [],
                                     "studies page of 20": [], "series by Modality (limit 100)": [],
                                     "instances of one series": []}
    rng = np.random.default_rng(3)
    for q in range(args.queries):
        k = int(rng.integers(0, studies))
        name = list(kinds)[q % len(kinds)]
        params: dict[str, str | int] = {}
        path = "/studies"
        if q % 5 == 0:
            params = {"PatientID": f"P{k:05d}"}
        elif q % 5 == 1:
            params = {"PatientName": f"patient^{k // 10:04d}*", "StudyDate": "20260101-20261231"}
        elif q % 5 == 2:
            params = {"limit": 20, "offset": int(rng.integers(0, max(studies - 20, 1)))}
        elif q % 5 == 3:
            path, params = "/series", {"Modality": "MR", "limit": 100}
        else:
            path = "/instances"
            params = {"limit": per_series, "offset": int(rng.integers(0, max(n - per_series, 1)))}
        t = time.perf_counter()
        r = session.get(web + path, params=params)
        r.raise_for_status()
        kinds[name].append(time.perf_counter() - t)
    srv.shutdown()
    every = [v for vs in kinds.values() for v in vs]
    print(json.dumps({
        "instances": n, "studies": studies, "queries": len(every),
        "p50_ms": round(float(np.percentile(every, 50)) * 1000, 1),
        "p99_ms": round(float(np.percentile(every, 99)) * 1000, 1),
        "by_kind_p50_ms": {k: round(float(np.percentile(v, 50)) * 1000, 1) for k, v in kinds.items()},
        "load_avg": os.getloadavg(),
    }))


if __name__ == "__main__":
    main()
