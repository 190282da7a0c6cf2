"""Time arithmetic of the routing rules: working hours, absences and business hours (pure functions)."""
from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def zone(name: str | None) -> ZoneInfo:
    """The IANA time zone, or a clear ValueError."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r}") from None


def parse_hhmm(value: str) -> time | None:
    """'08:30' -> time(8, 30); '24:00' -> None (end of day)."""
    hh, _, mm = value.partition(":")
    h, m = int(hh), int(mm or 0)
    if h == 24 and m == 0:
        return None
    if not (0 <= h < 24 and 0 <= m < 60):
        raise ValueError(f"bad time {value!r}")
    return time(h, m)


def check_working_hours(hours: dict[str, Any]) -> dict[str, list[list[str]]]:
    """Validate {"mon": [["08:00", "17:00"]], ...}; raises ValueError naming the problem."""
    out: dict[str, list[list[str]]] = {}
    for day, windows in hours.items():
        if day not in WEEKDAYS:
            raise ValueError(f"unknown weekday {day!r} (use {', '.join(WEEKDAYS)})")
        if not isinstance(windows, list):
            raise ValueError(f"{day}: expected a list of [start, end] pairs")
        clean = []
        for w in windows:
            if not (isinstance(w, list | tuple) and len(w) == 2 and all(isinstance(x, str) for x in w)):
                raise ValueError(f"{day}: each window is [\"HH:MM\", \"HH:MM\"]")
            start, end = parse_hhmm(w[0]), parse_hhmm(w[1])
            if start is None or (end is not None and end <= start):
                raise ValueError(f"{day}: window {w[0]}-{w[1]} ends before it starts")
            clean.append([w[0], w[1]])
        out[day] = clean
    return out


def _in_window(local: datetime, windows: list[list[str]]) -> bool:
    t = local.time()
    for start_s, end_s in windows:
        start, end = parse_hhmm(start_s), parse_hhmm(end_s)
        assert start is not None
        if t >= start and (end is None or t < end):
            return True
    return False


def is_absent(absences: list[dict[str, Any]], at: datetime) -> bool:
    """Whether `at` falls inside one of the absences."""
    for a in absences or []:
        starts, ends = datetime.fromisoformat(a["starts_at"]), datetime.fromisoformat(a["ends_at"])
        if starts <= at < ends:
            return True
    return False


def is_available(working_hours: dict[str, Any], absences: list[dict[str, Any]], tz: str | None,
                 at: datetime) -> bool:
    """Working at `at` in their own time zone and not absent (no hours set: always working)."""
    if is_absent(absences, at):
        return False
    if not working_hours:
        return True
    local = at.astimezone(zone(tz))
    return _in_window(local, working_hours.get(WEEKDAYS[local.weekday()], []))


def add_business_hours(start: datetime, hours: float, *, day_start: time, day_end: time,
                       days: tuple[int, ...], tz: str) -> datetime:
    """`start` plus `hours` counted only inside business hours (weekday numbers in `days`, Monday 0)."""
    z = zone(tz)
    local = start.astimezone(z)
    remaining = timedelta(hours=hours)
    for _ in range(3660):  # ten years of days: a bound, never reached with sane settings
        if local.weekday() in days:
            open_at = datetime.combine(local.date(), day_start, z)
            close_at = datetime.combine(local.date(), day_end, z)
            if local < open_at:
                local = open_at
            if local < close_at:
                available = close_at - local
                if remaining <= available:
                    return (local + remaining).astimezone(start.tzinfo)
                remaining -= available
        local = datetime.combine(local.date() + timedelta(days=1), time(0), z)
    raise ValueError("business hours never open; check TELEHEALTH_SLA_BUSINESS_DAYS")
