"""The service clock: real UTC time, or a time set by tests (no sleeps in tests)."""
from __future__ import annotations

from datetime import datetime, timedelta

from telehealth.db import utcnow

_offset = timedelta(0)
_frozen: datetime | None = None


def now() -> datetime:
    """The current time as services see it."""
    return (_frozen if _frozen is not None else utcnow()) + _offset


def set_time(at: datetime | None) -> None:
    """Freeze the clock at `at` (None: back to real time)."""
    global _frozen, _offset
    _frozen, _offset = at, timedelta(0)


def advance(delta: timedelta) -> None:
    """Move the clock forward."""
    global _offset
    _offset += delta
