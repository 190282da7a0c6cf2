"""Orthanc from Debian's packages as the peer: installed at bench time, configured in a temp folder, stopped after.

Configuration: HTTP on a free loopback port with remote access refused and authentication off, its DICOM
port disabled, storage and index in the temp folder, only the DICOMweb plugin loaded (no GDCM plugin:
it crashes on repeated frame requests on this machine; Orthanc's built-in decoder handles the workload).
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request

PACKAGES = ("orthanc", "orthanc-dicomweb")
PLUGIN = "/usr/share/orthanc/plugins/libOrthancDicomWeb.so"
BINARY = "Orthanc"


def ensure_installed() -> None:
    """apt-get install the packages when the binary or the plugin is missing."""
    if shutil.which(BINARY) and os.path.exists(PLUGIN):
        return
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=False, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *PACKAGES], check=True, env=env)


def version() -> str:
    """Versions of the Orthanc and orthanc-dicomweb packages."""
    out = []
    for pkg in PACKAGES:
        res = subprocess.run(["dpkg-query", "-W", "-f=${Version}", pkg], capture_output=True, text=True)
        out.append(f"{pkg} {res.stdout.strip() or '?'}")
    return ", ".join(out)


class Orthanc:
    """A private Orthanc process on 127.0.0.1:`port` with everything under a temp folder."""

    def __init__(self, port: int, threads: int = 50) -> None:
        self.port = port
        self.threads = threads
        self.folder = tempfile.mkdtemp(prefix="bench-orthanc-")
        self.proc: subprocess.Popen[bytes] | None = None
        self.base = f"http://127.0.0.1:{port}/dicom-web"
        self.headers: dict[str, str] = {}

    def config(self) -> dict[str, object]:
        """The JSON configuration written for this run."""
        storage = os.path.join(self.folder, "storage")
        return {
            "Name": "bench-peer",
            "StorageDirectory": storage,
            "IndexDirectory": storage,
            "StorageCompression": False,
            "SyncStorageArea": True,  # fsync each stored file, as we do (also Orthanc's default since 1.7.4)
            "Plugins": [PLUGIN],
            "HttpServerEnabled": True,
            "HttpPort": self.port,
            "HttpThreadsCount": self.threads,
            "RemoteAccessAllowed": False,  # loopback clients only
            "AuthenticationEnabled": False,
            "HttpCompressionEnabled": False,  # our server does not compress either
            "DicomServerEnabled": False,
            "OrthancExplorerEnabled": False,
            "WebDavEnabled": False,
            "SaveJobs": False,
            "DicomWeb": {"Enable": True, "Root": "/dicom-web/", "EnableWado": False,
                         "Host": f"127.0.0.1:{self.port}", "Ssl": False},
        }

    def start(self, timeout: float = 60.0) -> None:
        """Write the configuration and start Orthanc; wait until DICOMweb answers."""
        path = os.path.join(self.folder, "orthanc.json")
        with open(path, "w") as fh:
            json.dump(self.config(), fh, indent=2)
        log = open(os.path.join(self.folder, "orthanc.log"), "wb")
        self.proc = subprocess.Popen([BINARY, "--logdir=" + self.folder, path], stdout=log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Orthanc exited with {self.proc.returncode}; see {self.folder}")
            try:
                with urllib.request.urlopen(f"{self.base}/studies", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("Orthanc did not answer in time")

    def pid(self) -> int | None:
        """The server's process id (for RSS and CPU sampling)."""
        return self.proc.pid if self.proc else None

    def stop(self) -> None:
        """Stop the process and remove its folder."""
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
