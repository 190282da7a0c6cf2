"""Scaled set-up: a timer fired by the worker process reaches the right browser on a web process, via Redis."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import requests
import socketio as socketio_client

from telehealth.cases.offers import respond
from telehealth.extensions import db
from tests.conftest import PASSWORD
from tests.routing.factories import add_profile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.path.dirname(sys.executable)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def scaled_env(database_url: str, redis_url: str, tmp_path: Any) -> dict[str, str]:
    """Environment of the web and worker processes: PostgreSQL and the Redis message queue."""
    return dict(os.environ, TELEHEALTH_DATABASE_URL=database_url, TELEHEALTH_DATA_DIR=str(tmp_path),
                TELEHEALTH_REDIS_URL=redis_url, TELEHEALTH_SECRET_KEY="x" * 40)


@pytest.fixture
def web_process(app: Any, scaled_env: dict[str, str]) -> Iterator[str]:
    """A gunicorn web process like the Procfile's, on a free port; yields its base URL."""
    port = _free_port()
    log = open(os.path.join(scaled_env["TELEHEALTH_DATA_DIR"], "web.log"), "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([os.path.join(BIN, "gunicorn"), "--worker-class", "gthread", "--workers", "1",
                             "--threads", "8", "--bind", f"127.0.0.1:{port}", "telehealth.wsgi:app"],
                            cwd=ROOT, env=scaled_env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while not _up(url):
            if time.monotonic() > deadline or proc.poll() is not None:
                with open(log.name, "rb") as f:
                    pytest.fail(f"web process did not start: {f.read().decode(errors='replace')[-2000:]}")
            time.sleep(0.1)  # still starting
        yield url
    finally:
        proc.terminate()
        proc.wait(30)
        log.close()


def _up(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=5).status_code in (200, 503)
    except requests.RequestException:
        return False


class Listener:
    """A Socket.IO client of one user on /notifications, recording what it is pushed."""

    def __init__(self, url: str, email: str) -> None:
        token = requests.post(f"{url}/api/auth/token", json={"email": email, "password": PASSWORD},
                              timeout=10).json()["access_token"]
        self.got: list[dict[str, Any]] = []
        self.arrived = threading.Event()
        self.sio = socketio_client.Client()
        self.sio.on("notification", self._on, namespace="/notifications")
        self.sio.connect(url, namespaces=["/notifications"], auth={"token": token}, transports=["websocket"],
                         wait_timeout=10)

    def _on(self, data: dict[str, Any]) -> None:
        self.got.append(data)
        self.arrived.set()


def test_worker_process_pushes_through_redis_to_the_right_user(app, make_user, make_case, web_process, scaled_env):
    coordinator = make_user("coordinator")
    bystander = make_user("specialist")  # signed in too, but not concerned by this case
    spec = make_user("specialist")
    add_profile(spec)
    case = make_case(make_user("patient"), region="EU-DE", priority="stat", submit=True)
    respond(db.session, spec, case.id, accept=True)
    # Make the case overdue on the real clock the other processes use.
    from datetime import timedelta

    case.due_at = case.due_at - timedelta(hours=3)
    db.session.commit()
    coord, other = Listener(web_process, coordinator.email), Listener(web_process, bystander.email)
    try:
        done = subprocess.run([os.path.join(BIN, "flask"), "--app", "telehealth", "worker", "--once"], cwd=ROOT,
                              env=scaled_env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert coord.arrived.wait(20), "the coordinator was not pushed the breach"
        titles = {d["notification"]["title"] for d in coord.got}
        assert f"Overdue: {case.title}" in titles or f"Due soon: {case.title}" in titles
        assert other.got == []
    finally:
        coord.sio.disconnect()
        other.sio.disconnect()
