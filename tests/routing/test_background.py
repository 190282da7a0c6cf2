"""Where the timers run: a `flask worker` process (scaled) or an in-process thread (embedded), never in TESTING."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import timedelta

from sqlalchemy import select

from telehealth import create_app
from telehealth.cases.offers import respond
from telehealth.extensions import db
from telehealth.routing import jobs
from telehealth.routing.models import CaseRouting
from tests.routing.factories import offers_of

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _wait_for(check, seconds: float = 20.0) -> bool:  # type: ignore[no-untyped-def]
    # The thread runs on its own schedule: poll its effect in the database, with a deadline.
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        db.session.expire_all()
        if check():
            return True
        time.sleep(0.05)
    return False


def test_no_thread_under_testing(app, client):
    client.get("/api/notifications")
    assert jobs.embedded_worker(app) is None


def test_embedded_run_starts_the_timer_thread_lazily(app, frozen, specialist, make_user, make_case, database_url,
                                                     tmp_path):
    specialist("Ada")
    specialist("Bo")
    case = make_case(make_user("patient"), region="EU-DE", priority="stat", submit=True)
    embedded = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "DATA_DIR": str(tmp_path), "TESTING": False,
                           "EMBEDDED_WORKER": True, "WORKER_INTERVAL_SECONDS": 0.05, "REDIS_URL": None,
                           "SECRET_KEY": "test-secret-key-that-is-long-enough-for-tests"})
    try:
        assert jobs.embedded_worker(embedded) is None  # nothing at import or in the factory
        embedded.test_client().get("/healthz")
        assert jobs.embedded_worker(embedded) is None  # nor for an in-process test client
        embedded.test_client().get("/healthz", environ_overrides={"SERVER_SOFTWARE": "gunicorn/27"})
        thread = jobs.embedded_worker(embedded)
        assert thread is not None and thread.is_alive()
        frozen.advance(timedelta(minutes=30))  # the stat offer to Ada runs out
        assert _wait_for(lambda: offers_of(case) == [("Ada", "expired"), ("Bo", "pending")])
    finally:
        jobs.stop_embedded_worker(embedded)
        with embedded.app_context():
            db.engine.dispose()
    assert not thread.is_alive()


def test_worker_command_fires_due_timers(app, frozen, specialist, make_user, make_case, database_url, tmp_path):
    ada = specialist("Ada")
    case = make_case(make_user("patient"), region="EU-DE", priority="stat", submit=True)
    respond(db.session, ada, case.id, accept=True)
    # The frozen clock is months behind the real one: for the worker process this case is long overdue.
    env = dict(os.environ, TELEHEALTH_DATABASE_URL=database_url, TELEHEALTH_DATA_DIR=str(tmp_path),
               TELEHEALTH_REDIS_URL="", TELEHEALTH_SECRET_KEY="x" * 40)
    flask = os.path.join(os.path.dirname(sys.executable), "flask")
    done = subprocess.run([flask, "--app", "telehealth", "worker", "--once"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    db.session.expire_all()
    row = db.session.scalar(select(CaseRouting).where(CaseRouting.case_id == case.id))
    assert row.warned_at is not None and row.breached_at is not None
    with open(os.path.join(ROOT, "Procfile")) as f:
        assert "worker: flask --app telehealth worker" in f.read()
