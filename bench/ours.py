"""Our archive served as in the Procfile (gunicorn, gthread, 1 worker, 64 threads), on SQLite or PostgreSQL.

BENCH_WORKERS=n (default 1, the Procfile's) runs n gunicorn worker processes instead, to measure scaling.

Each run gets a fresh schema (models' `create_all`), TELEHEALTH_DATA_DIR in a temp folder, a new patient
account, a bearer token and one case whose DICOMweb base the workloads use.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VENV_BIN = os.path.join(ROOT, ".venv", "bin")
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_telehealth"
SECRET = "bench-secret-key-0123456789abcdef0123456789abcdef"

_SCHEMA = """
import sys
from sqlalchemy import create_engine, text
from telehealth import create_app
from telehealth.db import Base
url = sys.argv[1]
if url.startswith("postgresql"):
    base, name = url.rsplit("/", 1)
    admin = create_engine(base + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text('CREATE DATABASE "' + name + '"'))
    admin.dispose()
create_app({"SQLALCHEMY_DATABASE_URI": url})
engine = create_engine(url)
with engine.begin() as conn:
    if url.startswith("postgresql"):
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    Base.metadata.create_all(conn)
engine.dispose()
"""


def _call(method: str, url: str, body: dict[str, Any] | None = None, token: str | None = None) -> Any:
    req = urllib.request.Request(url, method=method, data=json.dumps(body).encode() if body is not None else None)
    req.add_header("Content-Type", "application/json")
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"null")


class Ours:
    """A private gunicorn process of the app with its own data folder and database."""

    def __init__(self, port: int, database: str, threads: int = 64, extra_env: dict[str, str] | None = None,
                 workers: int = 1) -> None:
        self.port = port
        self.folder = tempfile.mkdtemp(prefix="bench-telehealth-")
        self.kind = "postgresql" if database.startswith("postgresql") else "sqlite"
        self.url = database if self.kind == "postgresql" else f"sqlite:///{os.path.join(self.folder, 'telehealth.db')}"
        self.threads = threads
        self.workers = workers
        self.extra_env = extra_env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.origin = f"http://127.0.0.1:{port}"
        self.base = ""
        self.headers: dict[str, str] = {}

    def command(self) -> list[str]:
        """The gunicorn command line (the Procfile's `web` process on a loopback port)."""
        return [os.path.join(VENV_BIN, "gunicorn"), "--worker-class", "gthread", "--workers", str(self.workers),
                "--threads", str(self.threads), "--bind", f"127.0.0.1:{self.port}", "--timeout", "300",
                "telehealth.wsgi:app"]

    def start(self, timeout: float = 60.0) -> None:
        """Build the schema, start gunicorn, sign up a patient, get a token and open a case."""
        env = dict(os.environ, TELEHEALTH_DATA_DIR=self.folder, TELEHEALTH_DATABASE_URL=self.url,
                   TELEHEALTH_SECRET_KEY=SECRET, TELEHEALTH_PUBLIC_URL=self.origin, **self.extra_env)
        env.pop("TELEHEALTH_REDIS_URL", None)
        subprocess.run([os.path.join(VENV_BIN, "python"), "-c", _SCHEMA, self.url], check=True, cwd=ROOT, env=env)
        log = open(os.path.join(self.folder, "gunicorn.log"), "wb")
        self.proc = subprocess.Popen(self.command(), cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.folder}/gunicorn.log")
            try:
                with urllib.request.urlopen(f"{self.origin}/healthz", timeout=2):
                    break
            except urllib.error.HTTPError:
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("our server did not answer in time") from None
                time.sleep(0.2)
        email, password = "bench.patient@example.org", "bench-password-0123"
        _call("POST", f"{self.origin}/api/auth/register",
              {"email": email, "password": password, "name": "Bench Patient"})
        token = _call("POST", f"{self.origin}/api/auth/token", {"email": email, "password": password})["access_token"]
        case = _call("POST", f"{self.origin}/api/cases",
                     {"title": "Benchmark", "question": "Side by side with Orthanc", "consent": True}, token)
        self.headers = {"Authorization": f"Bearer {token}"}
        self.base = f"{self.origin}/api/cases/{case['id']}/dicomweb"

    def pid(self) -> int | None:
        """The gunicorn master's process id (its worker is a child)."""
        return self.proc.pid if self.proc else None

    def log_tail(self, lines: int = 15) -> str:
        """The end of the server's log (read before `stop`, which removes the folder)."""
        try:
            with open(os.path.join(self.folder, "gunicorn.log"), errors="replace") as fh:
                return "".join(fh.readlines()[-lines:])
        except OSError:
            return ""

    def stop(self) -> None:
        """Stop gunicorn and remove the data folder."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


def versions() -> str:
    """Versions of the server stack as installed in the venv."""
    code = ("import importlib.metadata as m;print(', '.join(f'{p} {m.version(p)}' for p in "
            "('flask','gunicorn','sqlalchemy','psycopg','pydicom','numpy','pillow','pylibjpeg')))")
    res = subprocess.run([os.path.join(VENV_BIN, "python"), "-c", code], capture_output=True, text=True)
    return f"Python {sys.version.split()[0]}, " + res.stdout.strip()
