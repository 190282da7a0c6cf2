"""Per-connection plumbing of the /live namespace: rooms, error acks, rate buckets, connection state."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import inspect
from sqlalchemy.orm import Session, make_transient_to_detached

from telehealth.accounts.models import User


@cache
def user_attributes() -> tuple[str, ...]:
    """The names of User's column attributes: what a connection keeps of its user."""
    return tuple(a.key for a in inspect(User).column_attrs)


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

    auth_session_id: str
    # The user's columns as read at connect and at each recheck of the sign-in (LIVE_AUTH_RECHECK_SECONDS).
    user_columns: dict[str, Any]
    # Sent an event since the last recheck: the sign-in is in use, and kept from idling out.
    active: bool = False
    buckets: dict[str, Bucket] = field(default_factory=dict)
    # The case of each live session this connection joined (a session's case never changes).
    cases: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, auth_session_id: str, user: User) -> Connection:
        """A connection signed in as `user`."""
        conn = cls(auth_session_id=auth_session_id, user_columns={})
        conn.remember(user)
        return conn

    @property
    def user_id(self) -> str:
        return str(self.user_columns["id"])

    @property
    def user_name(self) -> str:
        return str(self.user_columns["name"])

    def remember(self, user: User) -> None:
        """Keep the user's columns (at connect; the recheck of the sign-ins reads them without a User)."""
        self.user_columns = {key: getattr(user, key) for key in user_attributes()}

    def user(self, db_session: Session) -> User:
        """The connection's user in this event's database session without a statement (one fewer round trip
        on every live event); its roles load if a handler asks. It is as fresh as the last recheck of the
        sign-ins (`sign_ins.recheck`), which is also when a revoked session or a removed participant is
        noticed."""
        existing = db_session.identity_map.get(db_session.identity_key(User, (self.user_id,)))
        if existing is not None:
            return existing  # type: ignore[no-any-return]
        user = User(**self.user_columns)
        make_transient_to_detached(user)
        db_session.add(user)
        return user
