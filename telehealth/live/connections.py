"""Per-connection plumbing of the /live namespace: rooms, error acks, rate buckets, connection state."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


def room(session_id: str) -> str:
    """The Socket.IO room of a live session."""
    return f"live:{session_id}"


def error(code: str, message: str, details: Any = None) -> dict[str, Any]:
    """An error acknowledgement."""
    err: dict[str, Any] = {"code": code, "message": message}
    if details is not None:
        err["details"] = details
    return {"error": err}


@dataclass
class Bucket:
    """A token bucket: `rate` events per second with bursts up to `burst`."""

    rate: float
    burst: float
    tokens: float = -1.0
    at: float = 0.0

    def take(self, now: float) -> bool:
        """Spend one token if there is one."""
        if self.tokens < 0:
            self.tokens, self.at = self.burst, now
        self.tokens = min(self.burst, self.tokens + (now - self.at) * self.rate)
        self.at = now
        if self.tokens < 1:
            return False
        self.tokens -= 1
        return True


@dataclass
class Connection:
    """What this process knows about one connected client."""

    user_id: str
    user_name: str
    auth_session_id: str
    checked_at: float
    buckets: dict[str, Bucket] = field(default_factory=dict)
