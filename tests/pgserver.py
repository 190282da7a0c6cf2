"""A throwaway PostgreSQL server for test runs without TELEHEALTH_TEST_DATABASE_URL."""
from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from dataclasses import dataclass


@dataclass
class Server:
    """A running throwaway server."""

    datadir: str
    bindir: str
    port: int
    run_as: list[str]

    @property
    def url(self) -> str:
        """Its database URL."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        """Stop it and remove its files."""
        subprocess.run([*self.run_as, os.path.join(self.bindir, "pg_ctl"), "-D", self.datadir, "-m", "immediate",
                        "stop"], capture_output=True, check=False)
        shutil.rmtree(self.datadir, ignore_errors=True)


def _bindir() -> str | None:
    for candidate in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if os.path.exists(os.path.join(candidate, "initdb")):
            return candidate
    found = shutil.which("initdb")
    return os.path.dirname(found) if found else None


def start() -> Server | None:
    """Start a server on a free loopback port, or None when PostgreSQL is not installed."""
    bindir = _bindir()
    if bindir is None:
        return None
    datadir = tempfile.mkdtemp(prefix="telehealth-pg-")
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses to run as root
        run_as = ["runuser", "-u", "postgres", "--"]
        shutil.chown(datadir, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    subprocess.run([*run_as, os.path.join(bindir, "initdb"), "-D", datadir, "-U", "postgres", "-A", "trust"],
                   check=True, capture_output=True)
    subprocess.run([*run_as, os.path.join(bindir, "pg_ctl"), "-D", datadir, "-w", "-o",
                    f"-p {port} -h 127.0.0.1 -k {datadir}", "-l", os.path.join(datadir, "log"), "start"],
                   check=True, capture_output=True)
    return Server(datadir, bindir, port, run_as)
