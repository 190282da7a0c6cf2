"""Several server processes sharing Redis: events cross, a killed process's clients move on, Redis restarts.

Real gunicorn processes (one with the Procfile's threaded worker, one with the gevent worker) on
loopback ports, a private
redis-server, the test database, and real python-socketio clients.
"""
from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from telehealth.extensions import db
from telehealth.live.models import LivePresence
from tests.live.conftest import length
from tests.live.peers import Peer
from tests.live.servers import Redis


@pytest.fixture
def peers(app):  # type: ignore[no-untyped-def]
    """Opens clients and closes them before the database is cleaned."""
    opened: list[Peer] = []

    def open_peer(url: str, token: str) -> Peer:
        p = Peer(url, token)
        opened.append(p)
        return p

    yield open_peer
    sids = [p.sid for p in opened if p.sio.connected]
    for p in opened:
        p.close()
    # Let the servers record the disconnects before the tables are emptied.
    deadline = time.monotonic() + 10
    while sids and time.monotonic() < deadline:
        still = db.session.scalar(select(func.count()).where(LivePresence.connection_id.in_(sids),
                                                             LivePresence.left_at.is_(None)))
        db.session.rollback()
        if not still:
            break
        time.sleep(0.05)


def is_event(type_: str, **where: Any):  # type: ignore[no-untyped-def]
    """A matcher of sequenced events of one type (and data fields)."""
    def match(name: str, data: Any) -> bool:
        return name == type_ and all(data.get("data", {}).get(k) == v or data.get(k) == v for k, v in where.items())
    return match


def test_events_cross_between_processes(cluster, live, people, auth, peers):
    sid = live.open_session(people["specialist"], people["case"])
    host = peers(cluster["a"].url, auth.token(people["specialist"]).bearer)
    ref = peers(cluster["b"].url, auth.token(people["referrer"]).bearer)
    host_snap = host.call("join", {"session_id": sid})
    ref_snap = ref.call("join", {"session_id": sid})
    assert ref_snap["seq"] == host_snap["seq"] + 1
    assert {p["connection_id"] for p in ref_snap["participants"]} == {host.sid, ref.sid}
    # B's join reaches A's client ...
    host.wait_for(lambda n, d: n == "presence" and d["data"]["connection_id"] == ref.sid)
    # ... A's annotation reaches B's client with its seq ...
    a = length()
    ack = host.call("annotation:add", {"session_id": sid, "annotation": a})
    _, got = ref.wait_for(lambda n, d: n == "annotation:add" and d["seq"] == ack["seq"])
    assert got["data"]["annotation"]["id"] == a["id"]
    # ... and B's chat, pointer and WebRTC offer reach A's client.
    chat = ref.call("chat", {"session_id": sid, "body": "across processes"})
    host.wait_for(lambda n, d: n == "chat" and d["seq"] == chat["seq"])
    ref.call("pointer", {"session_id": sid, "x": 5, "y": 6})
    host.wait_for(lambda n, d: n == "pointer" and d["connection_id"] == ref.sid)
    assert ref.call("rtc:offer", {"session_id": sid, "to": host.sid, "sdp": "v=0\r\n"})["ok"]
    _, offer = host.wait_for(lambda n, d: n == "rtc:offer")
    assert offer["from"] == ref.sid and offer["sdp"] == "v=0\r\n"
    # A presenter's rapid views are applied in the order sent: followers end on the last one.
    for i in range(30):
        host.sio.emit("view", {"session_id": sid, "view": {"sop_instance_uid": "1.2.3", "image_index": i}},
                      namespace="/live")
    _, last_view = ref.wait_for(lambda n, d: n == "view" and d["data"]["view"]["image_index"] == 29)
    views = [d["data"]["view"]["image_index"] for n, d in sorted(ref.sequenced().items()) if d["type"] == "view"]
    assert views == list(range(30))
    assert ref.call("resync", {"session_id": sid, "since_seq": 0})["events"][-1]["seq"] == last_view["seq"]
    # Seqs from both processes form one gap-free sequence.
    seen = sorted(set(host.sequenced()) | {ack["seq"]})
    assert seen == list(range(seen[0], seen[-1] + 1))


def test_each_process_drops_a_revoked_listener_in_the_background(cluster, live, people, auth, peers):
    """A connection that only listens is checked too (every LIVE_AUTH_RECHECK_SECONDS, here 1 s)."""
    from telehealth import clock
    from telehealth.accounts.auth import token_hash
    from telehealth.accounts.models import AuthSession

    sid = live.open_session(people["specialist"], people["case"])
    host = peers(cluster["a"].url, auth.token(people["specialist"]).bearer)
    host.call("join", {"session_id": sid})
    listeners = {}
    for name in ("a", "b"):
        token = auth.token(people["referrer"]).bearer
        listeners[name] = (peers(cluster[name].url, token), token)
        assert "error" not in listeners[name][0].call("join", {"session_id": sid})
    time.sleep(1.5)
    assert all(p.sio.connected for p, _ in listeners.values())  # rechecked, still signed in
    gone = [p.sid for p, _ in listeners.values()]
    for _, token in listeners.values():
        db.session.execute(AuthSession.__table__.update().where(AuthSession.token_hash == token_hash(token))
                           .values(revoked_at=clock.now()))
    db.session.commit()
    deadline = time.monotonic() + 10
    while any(p.sio.connected for p, _ in listeners.values()) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(p.sio.connected for p, _ in listeners.values())
    assert host.sio.connected
    for connection_id in gone:
        host.wait_for(lambda n, d, c=connection_id: n == "presence" and d["data"]["connection_id"] == c
                      and d["data"]["action"] == "leave")


def test_sessions_recover_after_a_redis_restart(cluster, live, people, auth, peers):
    sid = live.open_session(people["specialist"], people["case"])
    host = peers(cluster["a"].url, auth.token(people["specialist"]).bearer)
    ref = peers(cluster["b"].url, auth.token(people["referrer"]).bearer)
    host.call("join", {"session_id": sid})
    snap = ref.call("join", {"session_id": sid})
    redis: Redis = cluster["redis"]
    redis.stop()
    # While Redis is down, changes are still accepted and stored (only their broadcast is lost) ...
    during = host.call("annotation:add", {"session_id": sid, "annotation": length()})
    assert during["ok"]
    redis.start()
    back = time.monotonic()
    # ... and within 5 s of its return, events cross again.
    crossed = None
    while time.monotonic() - back < 5 and crossed is None:
        ack = host.call("chat", {"session_id": sid, "body": "still there?"})
        try:
            ref.wait_for(lambda n, d, s=ack["seq"]: n == "chat" and d["seq"] == s, timeout=0.25)
            crossed = time.monotonic() - back
        except AssertionError:
            pass
    assert crossed is not None and crossed < 5
    # The receiver sees the hole in the seqs and fills it with a resync.
    missed = ref.call("resync", {"session_id": sid, "since_seq": snap["seq"]})
    assert during["seq"] in {e["seq"] for e in missed["events"]}


def test_a_killed_process_loses_no_accepted_annotation(cluster, live, people, auth, peers):
    a_srv, b_srv = cluster["a"], cluster["b"]
    sid = live.open_session(people["specialist"], people["case"])
    tokens = {k: auth.token(people[k]).bearer for k in ("specialist", "referrer", "patient")}
    host = peers(a_srv.url, tokens["specialist"])
    patient = peers(a_srv.url, tokens["patient"])
    ref = peers(b_srv.url, tokens["referrer"])
    for p in (host, patient, ref):
        p.call("join", {"session_id": sid})
    host_sid, patient_sid = host.sid, patient.sid
    accepted: list[str] = []
    ten = threading.Event()

    def annotate() -> None:
        for _ in range(200):
            a = length()
            try:
                ack = host.call("annotation:add", {"session_id": sid, "annotation": a}, timeout=3)
            except Exception:  # noqa: BLE001 - the process died under us
                return
            if ack.get("ok"):
                accepted.append(a["id"])
            if len(accepted) >= 10:
                ten.set()

    writer = threading.Thread(target=annotate)
    writer.start()
    assert ten.wait(20)
    a_srv.kill()  # mid-stream: no goodbye, no disconnect handlers
    writer.join(10)
    assert len(accepted) >= 10
    # A's clients reconnect to B; a join gives them the whole state.
    host2 = peers(b_srv.url, tokens["specialist"])
    snap = host2.call("join", {"session_id": sid})
    assert set(accepted) <= {x["id"] for x in snap["annotations"]}
    # The patient had been following on A: a resync from its last seq fills what it missed.
    patient_seen = patient.sequenced()
    last = max(patient_seen)
    patient2 = peers(b_srv.url, tokens["patient"])
    patient2.call("join", {"session_id": sid})
    replay = patient2.call("resync", {"session_id": sid, "since_seq": last})
    ids = {d["data"]["annotation"]["id"] for d in [*patient_seen.values(), *replay["events"]]
           if d["type"] == "annotation:add"}
    assert set(accepted) <= ids
    # B's client saw everything that was accepted, in order.
    time.sleep(0.3)
    ref_ids = [d["data"]["annotation"]["id"] for _, d in sorted(ref.sequenced().items())
               if d["type"] == "annotation:add"]
    assert set(accepted) <= set(ref_ids)
    # The session goes on on B.
    more = host2.call("annotation:add", {"session_id": sid, "annotation": length()})
    ref.wait_for(lambda n, d: n == "annotation:add" and d["seq"] == more["seq"])
    # The stays of the dead process fade (B refreshes its own): a later join no longer lists them.
    time.sleep(3.5)
    late = peers(b_srv.url, tokens["referrer"]).call("join", {"session_id": sid})
    assert {p["connection_id"] for p in late["participants"]} >= {host2.sid, ref.sid, patient2.sid}
    assert not {host_sid, patient_sid} & {p["connection_id"] for p in late["participants"]}
    for ghost in (host_sid, patient_sid):
        ref.wait_for(lambda n, d, g=ghost: n == "presence" and d["data"].get("reason") == "lost"
                     and d["data"]["connection_id"] == g)
