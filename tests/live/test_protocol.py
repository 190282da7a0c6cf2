"""The /live protocol through the Socket.IO test client: join, seq, resync, annotations, presenter, chat."""
from __future__ import annotations

from sqlalchemy import func, select

from telehealth.audit.models import AuditEvent
from telehealth.cases.models import CaseMessage
from telehealth.extensions import db, socketio
from telehealth.live import service
from telehealth.live.models import LiveEvent, LiveSession
from tests.live.conftest import SOP, emit, length, received


def test_connect_needs_a_live_sign_in(app, live, people, auth):
    anonymous = socketio.test_client(app, namespace="/live")
    assert not anonymous.is_connected("/live")
    forged = socketio.test_client(app, namespace="/live", auth={"token": "not-a-token"})
    assert not forged.is_connected("/live")
    assert live.socket(people["patient"]).is_connected("/live")
    assert live.socket(people["patient"], bearer=True).is_connected("/live")
    # A signed-out cookie no longer connects.
    api = auth.login(people["referrer"])
    api.post("/api/auth/logout")
    stale = socketio.test_client(app, namespace="/live", flask_test_client=api.http)
    assert not stale.is_connected("/live")


def test_join_returns_a_snapshot_and_others_see_presence(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, snap = live.joined(people["specialist"], sid)
    assert snap["presenter"]["id"] == people["specialist"].id
    assert snap["view"] is None and snap["annotations"] == []
    assert [p["user"]["id"] for p in snap["participants"]] == [people["specialist"].id]
    assert snap["seq"] >= 1
    referrer, snap2 = live.joined(people["referrer"], sid)
    assert snap2["seq"] == snap["seq"] + 1
    assert {p["user"]["id"] for p in snap2["participants"]} == {people["specialist"].id, people["referrer"].id}
    joins = received(host, "presence")
    assert [(e["data"]["action"], e["data"]["user"]["id"], e["seq"]) for e in joins] == \
        [("join", people["referrer"].id, snap2["seq"])]
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "live_session.joined",
                                                        AuditEvent.outcome == "success")) == 2


def test_foreign_users_cannot_join_or_act(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    for who in ("outsider", "coordinator"):  # the coordinator sees the case but takes no part in it
        c = live.socket(people[who])
        ack = emit(c, "join", {"session_id": sid})
        assert ack["error"]["code"] == "session_not_found"
        # Without a join, nothing is accepted, and nothing reaches them.
        assert emit(c, "annotation:add", {"session_id": sid, "annotation": length()})["error"]["code"] == "not_joined"
        assert emit(c, "pointer", {"session_id": sid, "x": 1, "y": 2})["error"]["code"] == "not_joined"
        assert emit(c, "resync", {"session_id": sid, "since_seq": 0})["error"]["code"] == "not_joined"
        emit(host, "chat", {"session_id": sid, "body": "private"})
        assert received(c) == []
    denied = db.session.scalar(select(func.count()).where(AuditEvent.action == "live_session.joined",
                                                          AuditEvent.outcome == "denied"))
    assert denied == 2


def test_annotations_are_sequenced_broadcast_and_readable(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    other, snap = live.joined(people["referrer"], sid)
    received(host)
    a = length()
    added = emit(host, "annotation:add", {"session_id": sid, "annotation": a})
    assert added["ok"] and added["annotation"]["version"] == 1 and added["seq"] == snap["seq"] + 1
    updated = emit(host, "annotation:update", {"session_id": sid, "id": a["id"], "base_version": 1,
                                               "changes": {"points": [[10, 20], [130, 20]],
                                                           "measurements": [{"name": "length", "value": 60,
                                                                             "unit": "mm"}]}})
    assert updated["annotation"]["version"] == 2 and updated["seq"] == added["seq"] + 1
    deleted = emit(host, "annotation:delete", {"session_id": sid, "id": a["id"], "base_version": 2})
    assert deleted["annotation"]["deleted"] and deleted["annotation"]["version"] == 3
    seen = received(other)
    assert [(e["type"], e["seq"]) for e in seen] == [("annotation:add", added["seq"]),
                                                     ("annotation:update", added["seq"] + 1),
                                                     ("annotation:delete", added["seq"] + 2)]
    assert seen[1]["data"]["annotation"]["points"] == [[10.0, 20.0], [130.0, 20.0]]
    assert received(host) == []  # the sender has its ack, not an echo
    # The report editor reads them over HTTP: the tombstone only when asked for.
    api = live.api(people["referrer"])
    assert api.get(f"/api/sessions/{sid}/annotations").get_json()["items"] == []
    items = api.get(f"/api/sessions/{sid}/annotations?include_deleted=true").get_json()["items"]
    assert [(i["id"], i["version"], i["deleted"], i["author"]["id"]) for i in items] == \
        [(a["id"], 3, True, people["specialist"].id)]
    b = length()
    emit(host, "annotation:add", {"session_id": sid, "annotation": b})
    case_items = api.get(f"/api/cases/{people['case'].id}/annotations?sop_instance_uid={SOP}").get_json()["items"]
    assert [i["id"] for i in case_items] == [b["id"]]
    assert case_items[0]["measurements"] == [{"name": "length", "value": 50.25, "unit": "mm"}]
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "annotation")
                                 .order_by(AuditEvent.at)).all()
    assert actions == ["annotation.created", "annotation.updated", "annotation.deleted", "annotation.created"]


def test_a_retried_add_is_acknowledged_once(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    a = length()
    first = emit(host, "annotation:add", {"session_id": sid, "annotation": a})
    again = emit(host, "annotation:add", {"session_id": sid, "annotation": a})
    assert again["ok"] and again["event"] is None and again["annotation"]["id"] == a["id"]
    other = emit(host, "annotation:add", {"session_id": sid, "annotation": {**a, "label": "changed"}})
    assert other["error"]["code"] == "duplicate_annotation"
    last = db.session.scalar(select(LiveSession.last_seq).where(LiveSession.id == sid))
    assert last == first["seq"]


def test_a_stale_update_is_refused_with_the_current_annotation(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    second, _ = live.joined(people["specialist"], sid)  # the same host in a second tab
    a = length()
    emit(host, "annotation:add", {"session_id": sid, "annotation": a})
    ok = emit(host, "annotation:update", {"session_id": sid, "id": a["id"], "base_version": 1,
                                          "changes": {"label": "tear"}})
    assert ok["annotation"]["version"] == 2
    stale = emit(second, "annotation:update", {"session_id": sid, "id": a["id"], "base_version": 1,
                                               "changes": {"label": "no tear"}})
    assert stale["error"]["code"] == "stale_version"
    assert stale["error"]["details"]["current"]["label"] == "tear"
    assert stale["error"]["details"]["current"]["version"] == 2
    stale_delete = emit(second, "annotation:delete", {"session_id": sid, "id": a["id"], "base_version": 1})
    assert stale_delete["error"]["code"] == "stale_version"
    items = live.api(people["specialist"]).get(f"/api/sessions/{sid}/annotations").get_json()["items"]
    assert [(i["label"], i["version"]) for i in items] == [("tear", 2)]


def test_only_author_or_host_change_an_annotation(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    patient, _ = live.joined(people["patient"], sid)
    mine = length()
    assert emit(patient, "annotation:add", {"session_id": sid, "annotation": mine})["ok"]
    theirs = length()
    emit(host, "annotation:add", {"session_id": sid, "annotation": theirs})
    refused = emit(patient, "annotation:delete", {"session_id": sid, "id": theirs["id"], "base_version": 1})
    assert refused["error"]["code"] == "not_author"
    # The host may tidy up anyone's.
    assert emit(host, "annotation:delete", {"session_id": sid, "id": mine["id"], "base_version": 1})["ok"]


def test_a_gap_is_filled_by_resync_or_a_snapshot(live, people, monkeypatch):
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    other, snap = live.joined(people["referrer"], sid)
    for _ in range(4):
        emit(host, "annotation:add", {"session_id": sid, "annotation": length()})
    got = received(other)
    seqs = [e["seq"] for e in got]
    assert seqs == list(range(snap["seq"] + 1, snap["seq"] + 5))
    # Say the client lost the middle two: it asks for everything after the last one it had in order.
    missed = emit(other, "resync", {"session_id": sid, "since_seq": seqs[0]})
    assert [e["seq"] for e in missed["events"]] == seqs[1:]
    assert missed["events"][1] == got[2]  # replayed exactly as broadcast
    assert missed["seq"] == seqs[-1]
    up_to_date = emit(other, "resync", {"session_id": sid, "since_seq": seqs[-1]})
    assert up_to_date == {"events": [], "seq": seqs[-1]}
    # Too far behind (or ahead of the server): a new snapshot instead.
    monkeypatch.setattr(service, "MAX_REPLAY", 2)
    far = emit(other, "resync", {"session_id": sid, "since_seq": 0})
    assert far["snapshot"]["seq"] == seqs[-1] and len(far["snapshot"]["annotations"]) == 4
    ahead = emit(other, "resync", {"session_id": sid, "since_seq": seqs[-1] + 10})
    assert ahead["snapshot"]["seq"] == seqs[-1]


def test_presenter_hand_off_and_view(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    ref, _ = live.joined(people["referrer"], sid)
    received(host)
    view = {"study_instance_uid": "1.2.3", "series_instance_uid": "1.2.3.4", "sop_instance_uid": "1.2.3.4.5",
            "image_index": 12, "window_center": 40, "window_width": 400, "zoom": 1.5, "pan": [3, -4],
            "rotation": 90, "flip_horizontal": False, "invert": True, "layout": "1x2"}
    assert emit(ref, "view", {"session_id": sid, "view": view})["error"]["code"] == "not_presenter"
    assert emit(host, "view", {"session_id": sid, "view": view})["ok"]
    assert received(ref, "view")[0]["data"]["view"]["window_width"] == 400
    # The referrer asks; the presenter is here, so the request goes to them.
    asked = emit(ref, "presenter:request", {"session_id": sid})
    assert asked["event"]["type"] == "presenter:request"
    assert received(host, "presenter:request")[0]["data"]["user"]["id"] == people["referrer"].id
    assert emit(ref, "presenter:grant", {"session_id": sid, "user_id": people["referrer"].id}
                )["error"]["code"] == "not_presenter"
    granted = emit(host, "presenter:grant", {"session_id": sid, "user_id": people["referrer"].id})
    assert granted["event"]["data"]["presenter"]["id"] == people["referrer"].id
    assert received(ref, "presenter")[0]["data"]["presenter"]["id"] == people["referrer"].id
    moved = {**view, "image_index": 13}
    assert emit(ref, "view", {"session_id": sid, "view": moved})["ok"]
    assert emit(host, "view", {"session_id": sid, "view": view})["error"]["code"] == "not_presenter"
    # Followers go free and back; a late joiner gets the current view and presenter.
    assert emit(host, "follow", {"session_id": sid, "following": False})["event"]["data"]["following"] is False
    _, snap = live.joined(people["patient"], sid)
    assert snap["view"]["image_index"] == 13 and snap["presenter"]["id"] == people["referrer"].id
    following = {p["user"]["id"]: p["following"] for p in snap["participants"]}
    assert following[people["specialist"].id] is False and following[people["patient"].id] is True
    # The host takes control back at any time.
    assert emit(host, "presenter:request", {"session_id": sid})["event"]["type"] == "presenter"


def test_pointer_is_relayed_but_never_stored(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    ref, _ = live.joined(people["referrer"], sid)
    received(host)
    before = db.session.scalar(select(func.count()).select_from(LiveEvent))
    assert emit(ref, "pointer", {"session_id": sid, "sop_instance_uid": SOP, "x": 100.5, "y": 64})["ok"]
    got = received(host, "pointer")
    assert got[0]["x"] == 100.5 and got[0]["user"]["id"] == people["referrer"].id and "seq" not in got[0]
    assert db.session.scalar(select(func.count()).select_from(LiveEvent)) == before
    assert received(ref) == []


def test_chat_is_stored_as_a_case_message(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    ref, _ = live.joined(people["referrer"], sid)
    ack = emit(ref, "chat", {"session_id": sid, "body": "Can you show the sagittal?"})
    assert ack["ok"] and received(host, "chat")[0]["data"]["body"] == "Can you show the sagittal?"
    msg = db.session.scalar(select(CaseMessage).where(CaseMessage.live_session_id == sid))
    assert msg is not None and msg.kind == "chat" and msg.author_id == people["referrer"].id
    thread = live.api(people["patient"]).get(f"/api/cases/{people['case'].id}/messages").get_json()["items"]
    assert [(m["body"], m["live_session_id"]) for m in thread] == [("Can you show the sagittal?", sid)]


def test_bad_events_get_an_error_and_change_nothing(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, snap = live.joined(people["specialist"], sid)
    bad = [
        ("annotation:add", "not an object", "validation_failed"),
        ("annotation:add", {"session_id": sid, "annotation": length(), "extra": 1}, "validation_failed"),
        ("annotation:add", {"session_id": sid, "annotation": length(points=[[1, 2]])}, "validation_failed"),
        ("annotation:add", {"session_id": sid, "annotation": length(sop_instance_uid="http://x/y")},
         "validation_failed"),
        ("annotation:add", {"session_id": sid, "annotation": length(id="not-a-uuid-but-36-characters-long!!!")},
         "validation_failed"),
        ("annotation:add", {"session_id": sid, "annotation": length(kind="rectangle_roi")}, "validation_failed"),
        ("annotation:add", {"session_id": sid, "annotation": length(measurements=[
            {"name": "length", "value": 1, "unit": "milli metre"}])}, "validation_failed"),
        ("annotation:add", {"session_id": sid, "annotation": length(label="x" * 100_000)}, "payload_too_large"),
        ("annotation:add", {"session_id": sid, "annotation": length(sop_instance_uid="1.2.3.4")}, "unknown_image"),
        ("annotation:add", {"session_id": sid, "annotation": length(series_instance_uid="1.2.3")}, "unknown_image"),
        ("annotation:add", {"session_id": sid, "annotation": length(frame_number=2)}, "frame_out_of_range"),
        ("annotation:update", {"session_id": sid, "id": "nope", "base_version": 1, "changes": {}},
         "annotation_not_found"),
        ("view", {"session_id": sid, "view": {"zoom": -1}}, "validation_failed"),
        ("chat", {"session_id": sid, "body": ""}, "validation_failed"),
        ("no-such-event", {"session_id": sid}, "unknown_event"),
    ]
    for event, data, code in bad:
        ack = emit(host, event, data)
        assert ack["error"]["code"] == code, (event, ack)
        assert "message" in ack["error"]
    assert db.session.scalar(select(LiveSession.last_seq).where(LiveSession.id == sid)) == snap["seq"]
    # An update that would break the geometry is refused too.
    a = length()
    emit(host, "annotation:add", {"session_id": sid, "annotation": a})
    broken = emit(host, "annotation:update", {"session_id": sid, "id": a["id"], "base_version": 1,
                                              "changes": {"points": [[1, 1]]}})
    assert broken["error"]["code"] == "validation_failed"


def test_rate_limit_per_connection(app, live, people):
    app.config["LIVE_RATES"] = {"default": (0.001, 3), "pointer": (0.001, 2), "view": (1, 1), "rtc": (1, 1)}
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)  # the join took one token
    ref, _ = live.joined(people["referrer"], sid)
    received(ref)
    acks = [emit(host, "chat", {"session_id": sid, "body": f"line {i}"}) for i in range(4)]
    assert [a.get("ok", False) for a in acks] == [True, True, False, False]
    assert acks[-1]["error"]["code"] == "rate_limited"
    assert len(received(ref, "chat")) == 2
    # Pointer moves beyond the throttle are dropped quietly.
    for i in range(5):
        host.emit("pointer", {"session_id": sid, "x": i, "y": i}, namespace="/live")
    assert len(received(ref, "pointer")) == 2
    # Another connection has its own budget.
    assert emit(ref, "chat", {"session_id": sid, "body": "hello"})["ok"]


def test_webrtc_signalling_goes_to_one_named_connection(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    ref, snap = live.joined(people["referrer"], sid)
    pat, _ = live.joined(people["patient"], sid)
    host_conn = next(p["connection_id"] for p in snap["participants"] if p["user"]["id"] == people["specialist"].id)
    received(host), received(pat)
    assert emit(ref, "rtc:offer", {"session_id": sid, "to": host_conn, "sdp": "v=0\r\n"})["ok"]
    assert emit(ref, "rtc:candidate", {"session_id": sid, "to": host_conn,
                                       "candidate": {"candidate": "candidate:1 1 udp 1 127.0.0.1 9 typ host",
                                                     "sdpMid": "0", "sdpMLineIndex": 0}})["ok"]
    got = host.get_received("/live")
    assert [m["name"] for m in got] == ["rtc:offer", "rtc:candidate"]
    assert got[0]["args"][0]["sdp"] == "v=0\r\n" and got[0]["args"][0]["user"]["id"] == people["referrer"].id
    assert received(pat) == []
    # Not to someone outside the session.
    outsider = live.socket(people["outsider"])
    out_conn = list(socketio.server.manager.get_participants("/live", None))
    assert out_conn  # sanity
    nowhere = emit(ref, "rtc:answer", {"session_id": sid, "to": "some-other-connection", "sdp": "v=0"})
    assert nowhere["error"]["code"] == "not_in_session"
    assert received(outsider) == []


def test_leaving_and_disconnecting_are_broadcast_and_summarised(live, people):
    sid = live.open_session(people["specialist"], people["case"])
    host, _ = live.joined(people["specialist"], sid)
    ref, _ = live.joined(people["referrer"], sid)
    pat, _ = live.joined(people["patient"], sid)
    received(host)
    assert emit(ref, "leave", {"session_id": sid})["ok"]
    pat.disconnect("/live")
    left = received(host, "presence")
    assert [(e["data"]["action"], e["data"]["reason"], e["data"]["user"]["id"]) for e in left] == [
        ("leave", "leave", people["referrer"].id), ("leave", "disconnect", people["patient"].id)]
    # Having left, the referrer can no longer act.
    assert emit(ref, "chat", {"session_id": sid, "body": "hi"})["error"]["code"] == "not_joined"
    body = live.api(people["referrer"]).get(f"/api/sessions/{sid}").get_json()
    present = {p["user"]["id"]: p["present"] for p in body["participants"]}
    assert present == {people["specialist"].id: True, people["referrer"].id: False, people["patient"].id: False}
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.action == "live_session.left")).all()
    assert len(actions) == 2
