"""Fixtures of the routing tests: a frozen service clock and specialist factories."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from telehealth import clock
from tests.routing.factories import MONDAY_10, add_profile


@pytest.fixture
def frozen(app: Any) -> Iterator[Any]:
    """The service clock frozen on a Monday 10:00 UTC; tests move it with clock.advance()."""
    clock.set_time(MONDAY_10)
    yield clock
    clock.set_time(None)


@pytest.fixture
def specialist(make_user: Any, frozen: Any):  # type: ignore[no-untyped-def]
    """Factory: a specialist user with a routing profile (keyword arguments of add_profile)."""

    def make(name: str, **profile: Any):  # type: ignore[no-untyped-def]
        user = make_user("specialist", name=name)
        add_profile(user, **profile)
        return user

    return make
