"""The request context of a Socket.IO event (telehealth.App): not routed, no Flask session, and no cyclic
garbage left behind by the frequent events.

Matching the Socket.IO URL against the app's routes left two reference cycles per event (werkzeug's recursive
matcher closure, the NoMatch exception with its traceback), and Flask's session interface, reading the sign-in
cookie as a signed session, a third (BadSignature's traceback). Only the cyclic collector frees those, in
pauses that stopped every thread of the server for 10-15 ms (docs/benchmarks.md, "Session 8"). The events that
go through the ORM (update, delete, resync, join) still leave about five objects per SQL statement they build:
SQLAlchemy's own, and rarer."""
from __future__ import annotations

import gc
import uuid
from collections import Counter
from types import FrameType, FunctionType, TracebackType
from typing import Any

import pytest
from flask import request, session

from telehealth.live.events import namespace
from tests.live.conftest import SOP, emit, length, received


def test_live_events_leave_no_cyclic_garbage(live, people) -> None:  # type: ignore[no-untyped-def]
    host, referrer = people["specialist"], people["referrer"]
    sid = live.open_session(host, people["case"])
    h, _ = live.joined(host, sid)  # with the session cookie, as a browser
    r, _ = live.joined(referrer, sid, bearer=True)

    def events() -> None:  # the frequent ones
        assert emit(h, "annotation:add", {"session_id": sid, "annotation": length(id=str(uuid.uuid4()))})["ok"]
        assert emit(h, "view", {"session_id": sid, "view": {"sop_instance_uid": SOP, "image_index": 3}})["ok"]
        assert emit(r, "pointer", {"session_id": sid, "sop_instance_uid": SOP, "x": 1.0, "y": 2.0})["ok"]
        received(h), received(r)

    events()  # caches, prepared statements, first-use imports
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for _ in range(10):
            events()
        gc.collect()
        garbage: list[Any] = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    # What an event's own cycles are made of. (Other tests' apps, going away meanwhile, may add theirs.)
    ours = ("werkzeug", "flask", "itsdangerous", "socketio", "engineio", "telehealth.live", "pydantic")
    cycles = [o for o in garbage if isinstance(o, (FrameType, TracebackType, BaseException))
              or (isinstance(o, FunctionType) and str(o.__module__).startswith(ours))]
    assert not cycles, Counter(f"{type(o).__module__}.{type(o).__qualname__}" for o in cycles).most_common(10)


def test_an_event_is_not_routed(live, people, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    host = people["specialist"]
    sid = live.open_session(host, people["case"])
    h, _ = live.joined(host, sid)
    seen: dict[str, Any] = {}
    pointer = namespace.on_pointer

    def spy(*args: Any) -> Any:
        seen.update(path=request.path, rule=request.url_rule, failure=request.routing_exception)
        return pointer(*args)

    monkeypatch.setattr(namespace, "on_pointer", spy)
    assert emit(h, "pointer", {"session_id": sid, "sop_instance_uid": SOP, "x": 1.0, "y": 2.0})["ok"]
    assert seen == {"path": "/socket.io", "rule": None, "failure": None}
    assert live.api(host).get(f"/api/cases/{people['case'].id}").status_code == 200  # HTTP is routed as before


def test_the_app_keeps_no_flask_session(app, live, people) -> None:  # type: ignore[no-untyped-def]
    client = live.api(people["referrer"])  # signed in: its sign-in cookie is not read as a Flask session
    assert client.get("/api/auth/me").status_code == 200
    with app.test_request_context("/api/auth/me", headers={"Cookie": "telehealth_session=opaque-token"}):
        assert dict(session) == {}
        with pytest.raises(RuntimeError, match="no Flask session"):
            session["x"] = 1
