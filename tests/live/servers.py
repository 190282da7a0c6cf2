"""Real server processes for the scale-out tests: gunicorn (as in the Procfile) and a private redis-server."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def free_port() -> int:
    """A free TCP port on the loopback interface."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Redis:
    """A private redis-server on a loopback port (never the shared one)."""

    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None  # type: ignore[type-arg]

    @property
    def url(self) -> str:
        """Its URL."""
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> Redis:
        """Start it and wait until it answers."""
        exe = shutil.which("redis-server")
        assert exe, "redis-server is needed for the scale-out tests"
        self.proc = subprocess.Popen([exe, "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
                                      "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as s:
                    s.sendall(b"PING\r\n")
                    if s.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        """Kill it."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


@dataclass
class Server:
    """One gunicorn process serving the app on a loopback port."""

    database_url: str
    redis_url: str
    port: int = field(default_factory=free_port)
    proc: subprocess.Popen | None = None  # type: ignore[type-arg]
    log: str = ""

    @property
    def url(self) -> str:
        """Its base URL."""
        return f"http://127.0.0.1:{self.port}"

    def start(self, threads: int = 64, worker_class: str = "gthread") -> Server:
        """Start gunicorn (one process; the threaded worker as in the Procfile, or "gevent"); returns once it is up."""
        env = {k: v for k, v in os.environ.items() if not k.startswith("TELEHEALTH_")}
        data_dir = tempfile.mkdtemp(prefix="telehealth-live-")
        env.update(TELEHEALTH_DATABASE_URL=self.database_url, TELEHEALTH_REDIS_URL=self.redis_url,
                   TELEHEALTH_SECRET_KEY="live-test-secret-key-long-enough-0123456789",
                   TELEHEALTH_DATA_DIR=data_dir, PYTHONPATH=ROOT)
        self.log = os.path.join(data_dir, "server.log")
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--worker-class", worker_class, "--workers", "1",
                 # gthread also accepts no more than --worker-connections (default 1000) at once
                 *(["--threads", str(threads), "--worker-connections", str(max(1000, threads))]
                   if worker_class == "gthread" else ["--worker-connections", str(threads)]),
                 "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "1",
                 "--no-control-socket", "tests.live.server_app:app"],
                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        return self

    def wait(self, timeout: float = 60) -> Server:
        """Wait until /healthz answers."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.proc is not None and self.proc.poll() is None, self.tail()
            try:
                with urllib.request.urlopen(f"{self.url}/healthz", timeout=1):
                    return self
            except urllib.error.HTTPError as e:
                e.close()
                return self  # it answers (503: a dependency is down)
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.tail()}")

    def kill(self) -> None:
        """SIGKILL the whole process group: no goodbye to anyone."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the master and its worker
            self.proc.wait(10)

    def stop(self) -> None:
        """Stop it."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self) -> str:
        """The end of its log."""
        try:
            with open(self.log, errors="replace") as f:
                return f.read()[-3000:]
        except OSError:
            return ""
