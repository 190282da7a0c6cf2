"""Socket.IO's async mode follows the gunicorn worker: gevent when monkey-patched, threads otherwise."""
from __future__ import annotations

import os
import subprocess
import sys

from tests.live.servers import ROOT

PROBE = """
import sys
if sys.argv[1] == "gevent":
    from gevent import monkey
    monkey.patch_all()
from telehealth import create_app
from telehealth.extensions import socketio
create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "EMBEDDED_WORKER": False})
print(socketio.server.async_mode)
"""


def _mode(worker: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TELEHEALTH_")}
    out = subprocess.run([sys.executable, "-c", PROBE, worker], cwd=ROOT, env=env | {"PYTHONPATH": ROOT},
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip().splitlines()[-1]


def test_gevent_worker_gets_gevent_mode() -> None:
    assert _mode("gevent") == "gevent"


def test_threaded_worker_gets_threading_mode() -> None:
    assert _mode("threads") == "threading"
