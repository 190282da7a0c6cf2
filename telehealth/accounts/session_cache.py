"""A per-process cache of resolved sign-in sessions (bearer tokens and cookies), for a few seconds.

Without it every request reads its session, the user, the organization and the roles (two statements)
before doing anything else; for a frame or a rendered image that was about a quarter of the request.
The cache keeps column values, never ORM objects: a hit builds fresh objects and attaches them to the
request's database session without a statement, so services see the same `User` and `AuthSession` as before.

How revocation stays immediate:

- In this process, a commit that changes a session (other than its `last_seen_at`), a user, a role or an
  organization, through the ORM or a bulk UPDATE/DELETE on those tables, bumps a generation counter; entries
  read under an older generation are not used again.
- In the other processes that share `DATA_DIR` (gunicorn workers, the background worker, the CLI on the same
  host), the same commit replaces the file `DATA_DIR/auth-generation` with a new one, which every hit
  checks (one stat: a new inode and new times).
- Anywhere else (another host, or a change made with raw SQL outside the ORM session), an entry is used for at
  most `AUTH_CACHE_SECONDS` (default 5) after it was read from the database; 0 turns the cache off.

Only live sessions are cached; anything a cached entry would refuse (expired, idle) is decided again from
the database. The generation is read before the database on a miss, so a change committed while the entry
was being read makes it stale at once.
"""
from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, inspect
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, make_transient_to_detached

from telehealth.accounts.models import AuthSession, Organization, User, UserRole

EXTENSION = "auth_session_cache"
GENERATION_FILE = "auth-generation"
MAX_ENTRIES = 4096
_TABLES = frozenset({"auth_session", "user_account", "user_role", "organization"})
# A session's own columns that do not change who may do what (written on use, throttled).
_UNTRACKED = frozenset({"last_seen_at"})

_local_generation = 0
_lock = threading.Lock()


@dataclass
class _Entry:
    generation: tuple[int, tuple[int, ...]]
    loaded_at: float
    session: dict[str, Any]
    user: dict[str, Any]
    organization: dict[str, Any] | None
    roles: tuple[str, ...]


def _columns(obj: Any) -> dict[str, Any]:
    return {a.key: getattr(obj, a.key) for a in inspect(type(obj)).column_attrs}


class SessionCache:
    """Resolved sessions of one app, by token hash."""

    def __init__(self, ttl: float, data_dir: str | None) -> None:
        self.ttl = ttl
        self.path = os.path.join(data_dir, GENERATION_FILE) if data_dir else None
        self.entries: dict[str, _Entry] = {}

    def generation(self) -> tuple[int, tuple[int, ...]]:
        """This process's counter and the shared file's identity (one stat: each change writes a new file, so
        its inode and times change; nothing until the first change)."""
        stamp: tuple[int, ...] = ()
        if self.path is not None:
            try:
                st = os.stat(self.path)
                stamp = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
            except FileNotFoundError:
                pass
        return _local_generation, stamp

    def get(self, db_session: Session, digest: str) -> AuthSession | None:
        """The cached session of this token hash, attached to `db_session`; None on a miss."""
        entry = self.entries.get(digest)
        if entry is None:
            return None
        if time.monotonic() - entry.loaded_at > self.ttl or entry.generation != self.generation():
            self.entries.pop(digest, None)
            return None
        return _attach(db_session, entry)

    def put(self, digest: str, generation: tuple[int, tuple[int, ...]], s: AuthSession) -> None:
        """Remember a live session read from the database under `generation`."""
        if self.ttl <= 0:
            return
        if len(self.entries) >= MAX_ENTRIES:
            self.entries.clear()
        user = s.user
        org = user.organization
        self.entries[digest] = _Entry(
            generation, time.monotonic(), _columns(s), _columns(user),
            _columns(org) if org is not None else None, tuple(r.role for r in user.role_rows),
        )

    def touched(self, digest: str, s: AuthSession) -> None:
        """The session's `last_seen_at` was written: keep the entry in step."""
        entry = self.entries.get(digest)
        if entry is not None:
            entry.session["last_seen_at"] = s.last_seen_at


def _attach(db_session: Session, entry: _Entry) -> AuthSession | None:
    """Fresh persistent objects from the entry, without a statement; None when the session already holds
    one of them (its copy is what this request must see, so the caller reads the database)."""
    keys: list[tuple[type[Any], tuple[Any, ...]]] = [(AuthSession, (entry.session["id"],)), (User, (entry.user["id"],))]
    keys += [(UserRole, (entry.user["id"], role)) for role in entry.roles]
    if entry.organization is not None:
        keys.append((Organization, (entry.organization["id"],)))
    identity = db_session.identity_map
    for cls, pk in keys:
        if db_session.identity_key(cls, pk) in identity:
            return None
    org = Organization(**entry.organization) if entry.organization is not None else None
    user = User(**entry.user)
    user.organization = org
    user.role_rows = [UserRole(user_id=user.id, role=role) for role in entry.roles]
    s = AuthSession(**entry.session)
    s.user = user
    for obj in (org, *user.role_rows, user, s):
        if obj is not None:
            make_transient_to_detached(obj)
    db_session.add(s)
    return s


def for_app(app: Flask) -> SessionCache | None:
    """The app's cache, created on first use; None when AUTH_CACHE_SECONDS is 0."""
    cache = app.extensions.get(EXTENSION)
    if cache is None:
        ttl = float(app.config.get("AUTH_CACHE_SECONDS", 5))
        cache = app.extensions[EXTENSION] = SessionCache(ttl, app.config.get("DATA_DIR"))
    return cache if cache.ttl > 0 else None


def bump() -> None:
    """Make every cached session stale: in this process, and (through the file) in the others."""
    global _local_generation
    with _lock:
        _local_generation += 1
    if not has_app_context():
        return
    cache = for_app(current_app)
    path = cache.path if cache is not None else None
    if path is None:
        data_dir = current_app.config.get("DATA_DIR")
        path = os.path.join(data_dir, GENERATION_FILE) if data_dir else None
    if path is None:
        return
    tmp = f"{path}.{os.getpid()}.{threading.get_ident()}"
    try:
        os.makedirs(os.path.dirname(path), exist_ok=True)  # a fresh data folder is made on first use
        with open(tmp, "wb") as fh:
            fh.write(os.urandom(16).hex().encode())
        os.replace(tmp, path)
    except OSError:
        current_app.logger.warning("could not write %s; other processes rely on AUTH_CACHE_SECONDS", path)


def _changes_access(obj: Any) -> bool:
    if not isinstance(obj, AuthSession | User | UserRole | Organization):
        return False
    if not isinstance(obj, AuthSession):
        return True
    state = inspect(obj)
    return any(a.key not in _UNTRACKED and a.history.has_changes() for a in state.attrs)


@event.listens_for(Session, "after_flush")
def _after_flush(session: Session, _flush: UOWTransaction) -> None:
    """Note a change to who may do what (new sessions are not cached, so they don't count)."""
    if session.info.get("auth_changed"):
        return
    if any(_changes_access(o) for o in session.dirty) or any(
        isinstance(o, AuthSession | User | UserRole | Organization) for o in session.deleted
    ) or any(isinstance(o, UserRole) for o in session.new):
        session.info["auth_changed"] = True


@event.listens_for(Session, "do_orm_execute")
def _bulk(state: ORMExecuteState) -> None:
    """A bulk UPDATE or DELETE of sessions, users, roles or organizations."""
    if state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        if getattr(table, "name", None) in _TABLES:
            state.session.info["auth_changed"] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop("auth_changed", False):
        bump()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("auth_changed", None)
