"""Socket.IO namespace `/notifications`: each signed-in user joins only their own room."""
from __future__ import annotations

from typing import Any

from flask_socketio import Namespace, emit, join_room
from sqlalchemy import select

from telehealth.accounts.auth import current_user, reset_request_auth, session_is_live, token_hash
from telehealth.accounts.models import AuthSession, User
from telehealth.extensions import db
from telehealth.notifications.service import NAMESPACE, room_for, unread_count


def socket_user(auth: Any) -> User | None:
    """The user of a connecting socket: `auth={"token": <bearer token>}` or the session cookie."""
    reset_request_auth()
    if isinstance(auth, dict) and auth.get("token"):
        token = auth["token"]
        if not isinstance(token, str) or len(token) > 200:
            return None
        s = db.session.scalar(select(AuthSession).where(AuthSession.token_hash == token_hash(token)))
        return s.user if s is not None and s.kind == "bearer" and session_is_live(s) else None
    return current_user()


class NotificationsNamespace(Namespace):
    """Live notifications: the server pushes `notification` events; clients only listen."""

    def on_connect(self, auth: Any = None) -> None:
        """Refuse anyone not signed in; put the user in their own room and send the unread count."""
        user = socket_user(auth)
        if user is None:
            raise ConnectionRefusedError("Sign in first")
        join_room(room_for(user.id))
        emit("unread", {"unread": unread_count(db.session, user.id)})

    def on_disconnect(self, *args: Any) -> None:
        """Nothing to clean up: rooms are left automatically."""


namespace = NotificationsNamespace(NAMESPACE)
