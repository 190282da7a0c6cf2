"""Extensions, created unbound here and bound to the app in create_app()."""
from __future__ import annotations

from typing import TYPE_CHECKING

from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy

from telehealth.db import Base

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    class _ScopedSession(Session):
        """For type checkers: `db.session` is a scoped_session, which proxies every Session method."""

        def remove(self) -> None: ...  # noqa: D102

        def __call__(self) -> Session: ...  # noqa: D102

    class _TypedSQLAlchemy(SQLAlchemy):
        session: _ScopedSession  # type: ignore[assignment]


db: _TypedSQLAlchemy = SQLAlchemy(model_class=Base)  # type: ignore[assignment]
migrate = Migrate()
socketio = SocketIO()
