"""Room membership as the /live namespace reads it, while other threads join and leave rooms.

python-socketio's rooms(sid) walks the namespace's room table and raised "dictionary changed size during
iteration" when a join landed meanwhile (bench_live, concurrent joins with the threaded worker)."""
from __future__ import annotations

import sys
import threading

from flask import Flask

from telehealth.extensions import socketio
from telehealth.live.connections import room
from telehealth.live.events import NAMESPACE, namespace


def test_membership_is_read_right_while_rooms_change(app: Flask) -> None:
    manager = socketio.server.manager
    reader, writer = manager.connect("eio-reader", NAMESPACE), manager.connect("eio-writer", NAMESPACE)
    manager.enter_room(reader, NAMESPACE, room("a"))
    manager.enter_room(reader, NAMESPACE, room("b"))
    manager.enter_room(writer, NAMESPACE, room("b"))
    assert namespace._in_room(reader, room("a")) and not namespace._in_room(writer, room("a"))
    assert not namespace._in_room(reader, room("nowhere"))
    assert sorted(namespace._live_rooms(reader)) == [room("a"), room("b")]
    assert namespace._live_rooms(writer) == [room("b")]

    failures: list[BaseException] = []
    done = threading.Event()

    def churn() -> None:
        try:
            for i in range(3000):
                manager.enter_room(writer, NAMESPACE, room(f"churn-{i}"))
                manager.leave_room(writer, NAMESPACE, room(f"churn-{i - 1}"))
        finally:
            done.set()

    def read() -> None:
        try:
            while not done.is_set():
                assert sorted(namespace._live_rooms(reader)) == [room("a"), room("b")]
                assert namespace._in_room(reader, room("b"))
        except BaseException as e:  # noqa: BLE001 - reported below
            failures.append(e)

    before = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # switch threads as often as possible
    try:
        threads = [threading.Thread(target=churn), threading.Thread(target=read)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        sys.setswitchinterval(before)
        manager.disconnect(reader, NAMESPACE)
        manager.disconnect(writer, NAMESPACE)
    assert failures == []
