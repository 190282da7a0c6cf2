"""Browser-test fixtures: the real app on a free port (PostgreSQL + demo seed) and a built frontend.

Environment:
- ``TELEHEALTH_TEST_DATABASE_URL`` / ``TELEHEALTH_TEST_REDIS_URL``: through the ``database_url``
  and ``redis_url`` fixtures of ``tests/conftest.py``; the live server truncates the tables and
  loads the demo seed (``telehealth.seed.seed_demo``) once per run.
- ``TELEHEALTH_E2E_BASE_URL``: run the journeys against an already running server instead.
- ``CHROMIUM_PATH``: Chromium binary (default ``/usr/bin/chromium``, Debian's ``chromium``).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FRONTEND_DIR = ROOT / "frontend"
DIST_DIR = FRONTEND_DIR / "dist"
ARTIFACTS_DIR = Path(os.environ.get("E2E_ARTIFACTS") or Path(__file__).resolve().parent / "artifacts")
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
        raise RuntimeError(f"Browser tests need Chromium at {CHROMIUM}: "
                           "apt-get install chromium (or set CHROMIUM_PATH).")
    if not (FRONTEND_DIR / "node_modules" / "playwright-core").exists():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund"], cwd=FRONTEND_DIR, check=True)
    index = DIST_DIR / "index.html"
    sources = [FRONTEND_DIR / "src", FRONTEND_DIR / "index.html", FRONTEND_DIR / "package-lock.json"]
    if not index.exists() or index.stat().st_mtime < _newest_mtime(sources):
        subprocess.run(["npm", "run", "build"], cwd=FRONTEND_DIR, check=True)
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="session")
def frontend_dist() -> Path:
    """``frontend/dist``, built from the current sources."""
    ensure_frontend_built()
    return DIST_DIR


def closing_responses(app: Any) -> Any:
    """The app for werkzeug's development server, with every response body closed even when the browser drops
    the connection mid-transfer (a navigation cancels a page load): werkzeug then skips the close, and the
    body's open file (index.html, an asset) warns when it is collected, failing whichever test runs then."""
    def wsgi(environ: Any, start_response: Any) -> Any:
        body = app(environ, start_response)

        def chunks() -> Iterator[bytes]:
            try:
                yield from body
            finally:
                close = getattr(body, "close", None)
                if close is not None:
                    close()
        return chunks()
    return wsgi


@pytest.fixture(scope="session")
def live_server(frontend_dist: Path, database_url: str, redis_url: str) -> Iterator[str]:
    """Base URL of the real app serving the built frontend, with a fresh database and the demo seed."""
    external = os.environ.get("TELEHEALTH_E2E_BASE_URL")
    if external:
        yield external.rstrip("/")
        return

    from sqlalchemy import text
    from werkzeug.serving import make_server

    from telehealth import create_app
    from telehealth.db import Base
    from telehealth.extensions import db
    from telehealth.seed import seed_demo

    data_dir = tempfile.mkdtemp(prefix="telehealth-e2e-")
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": database_url,
        "REDIS_URL": redis_url,
        "DATA_DIR": data_dir,
        "FRONTEND_DIST": str(frontend_dist),
        "SECRET_KEY": "e2e-secret-key-that-is-long-enough-for-tests",
        # No background timer thread: it would outlive the journeys and share the test clock.
        "EMBEDDED_WORKER": False,
        # Journeys sign in many times from one IP; keep IP throttling out of their way.
        "LOGIN_MAX_FAILURES_IP": 10_000,
    })
    with app.app_context():
        names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
        db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        db.session.commit()
        seed_demo(db.session)
        db.session.remove()

    server = make_server("127.0.0.1", 0, closing_responses(app), threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="e2e-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def sample_ct_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a small synthetic CT series (DICOM files) for upload journeys."""
    from tests.e2e.sample_dicom import write_ct_series

    folder = tmp_path_factory.mktemp("sample-ct")
    write_ct_series(folder)
    return folder


@pytest.fixture
def run_journey() -> Callable[..., str]:
    """Runs ``frontend/e2e/<name>.mjs`` against a base URL; fails with its output and screenshots."""

    def run(name: str, base_url: str, timeout: int = 300, **extra_env: str) -> str:
        env = {**os.environ, "BASE_URL": base_url, "E2E_ARTIFACTS": str(ARTIFACTS_DIR), "CHROMIUM_PATH": CHROMIUM,
               **extra_env}
        result = subprocess.run(
            ["node", str(FRONTEND_DIR / "e2e" / f"{name}.mjs")],
            cwd=FRONTEND_DIR, env=env, capture_output=True, text=True, timeout=timeout, check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"journey {name} failed (screenshots in {ARTIFACTS_DIR}):\n{output}"
        assert f"PASS {name}" in result.stdout, output
        return output

    return run
