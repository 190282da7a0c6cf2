"""A real OpenID provider for the tests: the npm package `oidc-provider` run with node on loopback.

`start()` installs the pinned package (npm ci, from tests/identity/op/package-lock.json) when
needed, generates the provider's signing key, and starts op/server.js with a configuration
given by the test (clients, accounts). The private key stays available to the tests, so they
can forge tokens that carry a *valid* signature but wrong claims.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

OP_DIR = os.path.join(os.path.dirname(__file__), "op")


def install() -> None:
    """`npm ci` the provider when node_modules is missing or older than the lock file."""
    if shutil.which("node") is None or shutil.which("npm") is None:
        raise RuntimeError("node and npm are needed for the OpenID provider of tests/identity")
    marker = os.path.join(OP_DIR, "node_modules", ".package-lock.json")
    lock = os.path.join(OP_DIR, "package-lock.json")
    if os.path.exists(marker) and os.path.getmtime(marker) >= os.path.getmtime(lock):
        return
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=OP_DIR, check=True,
                   stdout=subprocess.DEVNULL)


def free_port() -> int:
    """An unused TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class OpenIdProvider:
    """A running provider: its issuer, signing key, registered clients and accounts."""

    issuer: str
    key: RSAKey
    clients: list[dict[str, Any]]
    accounts: dict[str, dict[str, Any]]
    process: subprocess.Popen[bytes] = field(repr=False)

    def sign(self, claims: dict[str, Any]) -> str:
        """An ID token signed with the provider's own key (to test claim checks in isolation)."""
        return jwt.encode({"alg": "RS256", "kid": self.key.kid}, claims, self.key)

    def stop(self) -> None:
        """Stop the node process."""
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        if self.process.stdout is not None:
            self.process.stdout.close()


def start(*, clients: list[dict[str, Any]], accounts: dict[str, dict[str, Any]],
          default_account: str) -> OpenIdProvider:
    """Install if needed and start the provider; returns once it listens."""
    install()
    port = free_port()
    issuer = f"http://127.0.0.1:{port}"
    key = RSAKey.generate_key(2048, parameters={"kid": "test-op-key", "use": "sig", "alg": "RS256"})
    cfg = {"issuer": issuer, "port": port, "clients": clients, "accounts": accounts,
           "default_account": default_account, "jwks": {"keys": [key.as_dict(private=True)]}}
    env = {**os.environ, "OP_CONFIG": json.dumps(cfg), "NODE_ENV": "test"}
    proc = subprocess.Popen(["node", "server.js"], cwd=OP_DIR, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    assert proc.stdout is not None
    line = proc.stdout.readline().decode()
    if not line.startswith("listening") or time.monotonic() > deadline:
        proc.kill()
        proc.wait()
        proc.stdout.close()
        raise RuntimeError(f"the OpenID provider did not start: {line!r}")
    return OpenIdProvider(issuer=issuer, key=key, clients=clients, accounts=accounts, process=proc)
