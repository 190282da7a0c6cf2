"""Browser-test fixtures: the real app on a free port (PostgreSQL + demo seed) and a built frontend.

Environment:
- ``TELEHEALTH_TEST_DATABASE_URL``: the PostgreSQL database the live server uses (its tables are
  dropped and re-created once per run, then the demo seed is loaded).
- ``TELEHEALTH_TEST_REDIS_URL``: optional Redis for Socket.IO's message queue.
- ``TELEHEALTH_E2E_BASE_URL``: run the journeys against an already running server instead.
- ``CHROMIUM_PATH``: Chromium binary (default ``/usr/bin/chromium``, Debian's ``chromium``).
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND_DIR = ROOT / "frontend"
DIST_DIR = FRONTEND_DIR / "dist"
ARTIFACTS_DIR = Path(__file__).resolve().parent / "artifacts"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def _newest_mtime(paths: list[Path]) -> float:
    newest = 0.0
    for base in paths:
        for path in [base] if base.is_file() else base.rglob("*"):
            if path.is_file():
                newest = max(newest, path.stat().st_mtime)
    return newest


def ensure_frontend_built() -> None:
    """Install node modules and build ``frontend/dist`` when missing or older than the sources."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise RuntimeError("Browser tests need Node.js 20+ and npm on PATH (see DEVELOPERS.md).")
    if not Path(CHROMIUM).exists():
        raise RuntimeError(f"Browser tests need Chromium at {CHROMIUM}: apt-get install chromium (or set CHROMIUM_PATH).")
    if not (FRONTEND_DIR / "node_modules" / "playwright-core").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FRONTEND_DIR, check=True)
    index = DIST_DIR / "index.html"
    sources = [FRONTEND_DIR / "src", FRONTEND_DIR / "index.html", FRONTEND_DIR / "package-lock.json"]
    if not index.exists() or index.stat().st_mtime < _newest_mtime(sources):
        subprocess.run(["npm", "run", "build"], cwd=FRONTEND_DIR, check=True)
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)


def _sqlalchemy_url(url: str) -> str:
    """Use psycopg 3 for plain ``postgresql://`` URLs."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def frontend_dist() -> Path:
    """``frontend/dist``, built from the current sources."""
    ensure_frontend_built()
    return DIST_DIR


@pytest.fixture(scope="session")
def live_server(frontend_dist: Path) -> Iterator[str]:
    """Base URL of the real app serving the built frontend, with the demo seed loaded."""
    external = os.environ.get("TELEHEALTH_E2E_BASE_URL")
    if external:
        yield external.rstrip("/")
        return
    database_url = os.environ.get("TELEHEALTH_TEST_DATABASE_URL")
    if not database_url:
        raise RuntimeError("Set TELEHEALTH_TEST_DATABASE_URL to a PostgreSQL database for the browser tests.")

    from werkzeug.serving import make_server

    from telehealth import create_app
    from telehealth.extensions import db
    from telehealth.seed import seed_demo

    data_dir = tempfile.mkdtemp(prefix="telehealth-e2e-")
    app = create_app({
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": _sqlalchemy_url(database_url),
        "REDIS_URL": os.environ.get("TELEHEALTH_TEST_REDIS_URL") or None,
        "DATA_DIR": data_dir,
        "FRONTEND_DIST": str(frontend_dist),
        # Journeys sign in many times from one IP; keep throttling out of their way.
        "LOGIN_MAX_FAILURES_IP": 10_000,
    })
    with app.app_context():
        db.drop_all()
        db.create_all()
        seed_demo(db.session)
        db.session.remove()

    port = _free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture
def run_journey() -> Callable[..., str]:
    """Runs ``frontend/e2e/<name>.mjs`` against a base URL; fails with its output and screenshots."""

    def run(name: str, base_url: str, timeout: int = 300) -> str:
        env = {**os.environ, "BASE_URL": base_url, "E2E_ARTIFACTS": str(ARTIFACTS_DIR), "CHROMIUM_PATH": CHROMIUM}
        result = subprocess.run(
            ["node", str(FRONTEND_DIR / "e2e" / f"{name}.mjs")],
            cwd=FRONTEND_DIR, env=env, capture_output=True, text=True, timeout=timeout, check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"journey {name} failed (screenshots in {ARTIFACTS_DIR}):\n{output}"
        assert f"PASS {name}" in result.stdout, output
        return output

    return run
