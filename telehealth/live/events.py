"""The Socket.IO namespace `/live`: the live session protocol of DESIGN.md.

Handlers are thin: they check the connection (signed in, joined, within its rate), validate
the payload with pydantic, call one service, broadcast the accepted event to the session's
room and acknowledge. A refused event gets `{"error": {"code", "message"[, "details"]}}` and
changes nothing. Room membership is the proof of having joined: a client can only act in the
sessions whose room it is in, and the room is entered only after the join was authorized.
"""
from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, request
from flask_socketio import ConnectionRefusedError, Namespace, join_room, leave_room
from pydantic import BaseModel, ValidationError
from sqlalchemy import select

from telehealth.accounts.auth import session_is_live, token_hash
from telehealth.accounts.models import AuthSession, User
from telehealth.api import _validation_details
from telehealth.db import new_id
from telehealth.errors import ApiError
from telehealth.extensions import db
from telehealth.live import annotations as annotation_service
from telehealth.live import control, presence, service, sign_ins
from telehealth.live.connections import Bucket, Connection, error, room
from telehealth.live.schemas import (
    AnnotationAddIn,
    AnnotationDeleteIn,
    AnnotationUpdateIn,
    ChatIn,
    FollowIn,
    JoinIn,
    LeaveIn,
    PointerIn,
    PresenterGrantIn,
    ResyncIn,
    RtcCandidateIn,
    RtcDescriptionIn,
    SessionRef,
    ViewIn,
)

log = logging.getLogger(__name__)

NAMESPACE = "/live"
# This server process, as named in presence rows (so the stays of a dead process can be recognised).
NODE_ID = new_id()
# bucket -> (events per second, burst): per connection.
DEFAULT_RATES = {"default": (20.0, 40.0), "pointer": (30.0, 30.0), "view": (30.0, 30.0), "rtc": (50.0, 100.0)}


@dataclass(frozen=True)
class Handler:
    """How one client event is checked before its method runs."""

    method: str
    schema: type[BaseModel]
    bucket: str = "default"
    max_bytes: int = 16_384
    joined: bool = True


HANDLERS: dict[str, Handler] = {
    "join": Handler("join", JoinIn, joined=False),
    "leave": Handler("leave", LeaveIn),
    "resync": Handler("resync", ResyncIn),
    "view": Handler("view", ViewIn, bucket="view"),
    "pointer": Handler("pointer", PointerIn, bucket="pointer", max_bytes=1024),
    "annotation:add": Handler("annotation_add", AnnotationAddIn, max_bytes=98_304),
    "annotation:update": Handler("annotation_update", AnnotationUpdateIn, max_bytes=98_304),
    "annotation:delete": Handler("annotation_delete", AnnotationDeleteIn),
    "presenter:request": Handler("presenter_request", SessionRef),
    "presenter:grant": Handler("presenter_grant", PresenterGrantIn),
    "follow": Handler("follow", FollowIn),
    "chat": Handler("chat", ChatIn),
    "end": Handler("end", SessionRef),
    "rtc:offer": Handler("rtc_description", RtcDescriptionIn, bucket="rtc", max_bytes=65_536),
    "rtc:answer": Handler("rtc_description", RtcDescriptionIn, bucket="rtc", max_bytes=65_536),
    "rtc:candidate": Handler("rtc_candidate", RtcCandidateIn, bucket="rtc", max_bytes=4096),
}


class LiveNamespace(Namespace):
    """Handlers of the `/live` namespace."""

    def __init__(self, namespace: str = NAMESPACE) -> None:
        super().__init__(namespace)
        self.connections: dict[str, Connection] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()
        self._background_started = False

    # dispatch

    def trigger_event(self, event: str, *args: Any) -> Any:
        """Route `annotation:add` & co. to their handlers; unknown events get an error ack."""
        if event in ("connect", "disconnect"):
            return super().trigger_event(event, *args)
        spec = HANDLERS.get(event)
        if spec is None:
            return error("unknown_event", f"Unknown event {str(event)[:40]!r}")
        return self.socketio._handle_event(self._dispatch, event, self.namespace, *args)

    def _dispatch(self, *args: Any) -> Any:
        event = request.event["message"]  # type: ignore[attr-defined]
        spec = HANDLERS[event]
        sid: str = request.sid  # type: ignore[attr-defined]
        conn = self.connections.get(sid)
        if conn is None:
            return error("unauthenticated", "Connect again")
        rates = current_app.config.get("LIVE_RATES", DEFAULT_RATES)
        bucket = conn.buckets.setdefault(spec.bucket, Bucket(*rates[spec.bucket]))
        if not bucket.take(time.monotonic()):
            return None if spec.bucket == "pointer" else error("rate_limited", "Too many events; slow down")
        data = args[0] if args else None
        if len(args) > 1 or not isinstance(data, dict):
            return error("validation_failed", "The payload must be one JSON object")
        if len(json.dumps(data, separators=(",", ":"))) > spec.max_bytes:
            return error("payload_too_large", f"The payload exceeds {spec.max_bytes} bytes")
        try:
            payload = spec.schema.model_validate(data)
        except ValidationError as e:
            return error("validation_failed", f"Invalid {event} payload", _validation_details(e))
        conn.active = True
        try:
            if spec.joined and not self._in_room(sid, room(payload.session_id)):  # type: ignore[attr-defined]
                return error("not_joined", "Join the session first")
            if spec.method == "pointer":  # the hot path: no database at all
                return self.on_pointer(sid, conn, payload)  # type: ignore[arg-type]
            user = conn.user(db.session)
            return getattr(self, f"on_{spec.method}")(sid, user, payload)
        except ApiError as e:
            db.session.rollback()
            return error(e.code, e.message, e.details)
        except Exception:
            db.session.rollback()
            log.exception("live event %s failed", event)
            return error("internal_error", "The server could not handle this event")

    def recheck_sign_ins(self) -> None:
        """Check the sign-in and case participation of every connection of this process (also those that only
        listen): a revoked or expired sign-in is disconnected, someone taken off a case (or whose case closed)
        leaves its sessions with reason "removed". Runs every LIVE_AUTH_RECHECK_SECONDS in the background."""
        found = sign_ins.recheck(db.session, dict(self.connections))
        for sid in found.signed_out:
            log.info("live connection %s signed out: its sign-in was revoked or expired", sid)
            self.disconnect(sid)
        for sid, session_id in found.removed:
            conn = self.connections.get(sid)
            if conn is None:
                continue
            try:
                with self._lock(session_id):
                    self._broadcast(presence.leave(db.session, conn.user(db.session), session_id, connection_id=sid,
                                                   reason="removed"), skip_sid=sid)
            except ApiError:
                db.session.rollback()  # the session ended meanwhile: nothing to announce
            self.leave_room(sid, room(session_id))
            conn.cases.pop(session_id, None)

    # Room membership, read from the Socket.IO manager's own table: python-socketio's rooms(sid) walks every
    # room of the namespace (on every event) and fails with "dictionary changed size during iteration" when
    # another thread joins a room meanwhile (seen with concurrent joins in bench_live).

    def _in_room(self, sid: str, name: str) -> bool:
        members = self.socketio.server.manager.rooms.get(self.namespace, {}).get(name)
        return members is not None and sid in members

    def _live_rooms(self, sid: str) -> list[str]:
        rooms = self.socketio.server.manager.rooms.get(self.namespace, {}).copy()  # dict.copy holds the GIL
        return [name for name, members in rooms.items() if str(name).startswith("live:") and sid in members]

    def _case_of(self, sid: str, session_id: str) -> str | None:
        # The case of a session this connection joined (services check it again against the session).
        conn = self.connections.get(sid)
        return conn.cases.get(session_id) if conn is not None else None

    def _lock(self, session_id: str) -> threading.Lock:
        # One writer per session in this process, so that its broadcasts leave in seq order.
        with self._guard:
            return self._locks.setdefault(session_id, threading.Lock())

    def _broadcast(self, env: dict[str, Any] | None, skip_sid: str | None = None) -> None:
        if env is not None:
            self.socketio.emit(env["type"], env, to=room(env["session_id"]), skip_sid=skip_sid,
                               namespace=self.namespace)

    def _apply(self, sid: str, session_id: str, change: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        with self._lock(session_id):
            env = change()
            self._broadcast(env, skip_sid=sid)
        return {"ok": True, "seq": env["seq"], "event": env}

    # connection

    def on_connect(self, auth: Any = None) -> None:
        """Accept only a live session cookie or bearer token."""
        s = self._authenticate(auth)
        self.connections[request.sid] = Connection.of(s.id, s.user)  # type: ignore[attr-defined]
        db.session.commit()
        self._start_background(current_app._get_current_object())  # type: ignore[attr-defined]

    def _authenticate(self, auth: Any) -> AuthSession:
        token, kind = None, "cookie"
        if isinstance(auth, dict) and auth.get("token"):
            token, kind = auth["token"], "bearer"
        else:
            token = request.cookies.get(current_app.config["SESSION_COOKIE_NAME"])
            origin = request.headers.get("Origin")
            if token and origin and not self._origin_allowed(origin):
                raise ConnectionRefusedError({"code": "bad_origin", "message": "Cross-site connection refused"})
        if not isinstance(token, str) or not token or len(token) > 200:
            raise ConnectionRefusedError({"code": "unauthenticated", "message": "Sign in first"})
        s = db.session.scalar(select(AuthSession).where(AuthSession.token_hash == token_hash(token)))
        if s is None or s.kind != kind or not session_is_live(s):
            db.session.rollback()
            raise ConnectionRefusedError({"code": "unauthenticated",
                                          "message": "Session expired or revoked; sign in again"})
        return s

    def _origin_allowed(self, origin: str) -> bool:
        allowed = {request.host_url.rstrip("/"), str(current_app.config.get("PUBLIC_URL", "")).rstrip("/")}
        extra = current_app.config.get("SOCKETIO_CORS_ORIGINS") or []
        allowed.update([extra] if isinstance(extra, str) else extra)
        return origin.rstrip("/") in allowed or "*" in allowed

    def on_disconnect(self, reason: Any = None) -> None:
        """Leave every session this connection was in; the others see it go."""
        sid: str = request.sid  # type: ignore[attr-defined]
        conn = self.connections.pop(sid, None)
        if conn is None:
            return
        user = db.session.get(User, conn.user_id)
        for name in self._live_rooms(sid):
            session_id = name.split(":", 1)[1]
            try:
                with self._lock(session_id):
                    self._broadcast(presence.leave(db.session, user, session_id, connection_id=sid,  # type: ignore[arg-type]
                                                   reason="disconnect"), skip_sid=sid)
            except Exception:
                db.session.rollback()
                log.exception("could not record the disconnect of %s from %s", sid, session_id)

    def _start_background(self, app: Flask) -> None:
        # Once per process: the presence heartbeat and the recheck of the sign-ins.
        if self._background_started or app.testing:
            return
        with self._guard:
            if self._background_started:
                return
            self._background_started = True
        for seconds, job in ((app.config.get("LIVE_HEARTBEAT_SECONDS", 15), self._heartbeat),
                             (app.config.get("LIVE_AUTH_RECHECK_SECONDS", 60), self.recheck_sign_ins)):
            if seconds:
                self.socketio.start_background_task(self._every, app, seconds, job)

    def _every(self, app: Flask, seconds: float, job: Callable[[], None]) -> None:
        while True:
            self.socketio.sleep(seconds)
            with app.app_context():
                try:
                    job()
                except Exception:
                    log.exception("live background task %s failed", job.__name__)
                finally:
                    db.session.remove()

    def _heartbeat(self) -> None:
        presence.heartbeat(db.session, NODE_ID, list(self.connections))

    # session membership

    def on_join(self, sid: str, user: User, p: JoinIn) -> dict[str, Any]:
        """Enter a session (participants of its case only); the ack is a snapshot."""
        name = room(p.session_id)
        if not self._in_room(sid, name):
            presence.check_join(db.session, user, p.session_id)
            join_room(name)  # before the state is read, so that no later event is missed
            try:
                with self._lock(p.session_id):
                    for env in presence.join(db.session, user, p.session_id, connection_id=sid, node_id=NODE_ID):
                        self._broadcast(env, skip_sid=sid)
            except BaseException:
                leave_room(name)
                raise
        snap = service.snapshot(db.session, p.session_id)
        if (conn := self.connections.get(sid)) is not None:
            conn.cases[p.session_id] = snap["session"]["case_id"]
        return snap

    def on_leave(self, sid: str, user: User, p: LeaveIn) -> dict[str, Any]:
        """Leave a session."""
        with self._lock(p.session_id):
            env = presence.leave(db.session, user, p.session_id, connection_id=sid, reason="leave")
            self._broadcast(env, skip_sid=sid)
        leave_room(room(p.session_id))
        if (conn := self.connections.get(sid)) is not None:
            conn.cases.pop(p.session_id, None)
        return {"ok": True}

    def on_resync(self, sid: str, user: User, p: ResyncIn) -> dict[str, Any]:
        """The events after `since_seq`, or a snapshot when too far behind."""
        events = service.events_since(db.session, p.session_id, p.since_seq)
        if events is None:
            return {"snapshot": service.snapshot(db.session, p.session_id)}
        return {"events": events, "seq": events[-1]["seq"] if events else p.since_seq}

    def on_end(self, sid: str, user: User, p: SessionRef) -> dict[str, Any]:
        """The host ends the session."""
        _live, env = service.end_session(db.session, user, p.session_id)
        close_session_room(env)
        return {"ok": True, "seq": env["seq"], "event": env}

    # shared state

    def on_view(self, sid: str, user: User, p: ViewIn) -> dict[str, Any]:
        """The presenter's viewport."""
        view = p.view.model_dump(mode="json", exclude_none=True)
        case_id = self._case_of(sid, p.session_id)
        return self._apply(sid, p.session_id,
                           lambda: control.set_view(db.session, user, p.session_id, view, case_id=case_id))

    def on_pointer(self, sid: str, conn: Connection, p: PointerIn) -> dict[str, Any]:
        """Relay the pointer to the others: never stored, no seq."""
        out = p.model_dump(mode="json") | {"connection_id": sid, "user": {"id": conn.user_id, "name": conn.user_name}}
        self.socketio.emit("pointer", out, to=room(p.session_id), skip_sid=sid, namespace=self.namespace)
        return {"ok": True}

    def on_annotation_add(self, sid: str, user: User, p: AnnotationAddIn) -> dict[str, Any]:
        """A new annotation (a retried add of the same annotation is acknowledged again)."""
        case_id = self._case_of(sid, p.session_id)
        with self._lock(p.session_id):
            out, env = annotation_service.add(db.session, user, p.session_id, p.annotation, case_id=case_id)
            self._broadcast(env, skip_sid=sid)
        return {"ok": True, "seq": env["seq"] if env else None, "annotation": out, "event": env}

    def on_annotation_update(self, sid: str, user: User, p: AnnotationUpdateIn) -> dict[str, Any]:
        """Change an annotation at `base_version` (a stale one is refused with the current annotation)."""
        changes = p.changes.model_dump(mode="json", exclude_unset=True)
        with self._lock(p.session_id):
            out, env = annotation_service.update(db.session, user, p.session_id, p.id, p.base_version, changes)
            self._broadcast(env, skip_sid=sid)
        return {"ok": True, "seq": env["seq"], "annotation": out, "event": env}

    def on_annotation_delete(self, sid: str, user: User, p: AnnotationDeleteIn) -> dict[str, Any]:
        """Delete an annotation at `base_version` (a tombstone remains)."""
        with self._lock(p.session_id):
            out, env = annotation_service.delete(db.session, user, p.session_id, p.id, p.base_version)
            self._broadcast(env, skip_sid=sid)
        return {"ok": True, "seq": env["seq"], "annotation": out, "event": env}

    def on_presenter_request(self, sid: str, user: User, p: SessionRef) -> dict[str, Any]:
        """Ask for control of the shared view."""
        return self._apply(sid, p.session_id, lambda: control.request_presenter(db.session, user, p.session_id))

    def on_presenter_grant(self, sid: str, user: User, p: PresenterGrantIn) -> dict[str, Any]:
        """Hand control to another participant."""
        return self._apply(sid, p.session_id,
                           lambda: control.grant_presenter(db.session, user, p.session_id, p.user_id))

    def on_follow(self, sid: str, user: User, p: FollowIn) -> dict[str, Any]:
        """Follow the presenter, or go free."""
        return self._apply(sid, p.session_id, lambda: presence.follow(db.session, user, p.session_id,
                                                                      connection_id=sid, following=p.following))

    def on_chat(self, sid: str, user: User, p: ChatIn) -> dict[str, Any]:
        """A chat line (a case message)."""
        return self._apply(sid, p.session_id, lambda: control.chat(db.session, user, p.session_id, p.body))

    # WebRTC signalling: relayed to one named connection of the same session, never stored

    def _relay(self, sid: str, user: User, p: RtcDescriptionIn | RtcCandidateIn, body: dict[str, Any]) -> Any:
        if p.to == sid or not presence.is_present(db.session, p.session_id, connection_id=p.to):
            db.session.rollback()
            return error("not_in_session", "No such connection in this session")
        db.session.rollback()
        event = request.event["message"]  # type: ignore[attr-defined]
        self.socketio.emit(event, {"session_id": p.session_id, "from": sid,
                                   "user": {"id": user.id, "name": user.name}, **body},
                           to=p.to, namespace=self.namespace)
        return {"ok": True}

    def on_rtc_description(self, sid: str, user: User, p: RtcDescriptionIn) -> Any:
        """Relay an SDP offer or answer."""
        return self._relay(sid, user, p, {"sdp": p.sdp})

    def on_rtc_candidate(self, sid: str, user: User, p: RtcCandidateIn) -> Any:
        """Relay an ICE candidate."""
        return self._relay(sid, user, p, {"candidate": p.candidate.model_dump(mode="json", exclude_none=True)})


def close_session_room(env: dict[str, Any]) -> None:
    """Tell everyone the session ended and empty its room (on every server process)."""
    from telehealth.extensions import socketio

    socketio.emit(env["type"], env, to=room(env["session_id"]), namespace=NAMESPACE)
    socketio.close_room(room(env["session_id"]), namespace=NAMESPACE)


namespace = LiveNamespace()
