"""Telehealth: consultation and second-opinion platform. `create_app` wires the parts."""

from __future__ import annotations

import importlib
import os
from typing import Any, NoReturn

from flask import Flask, Request, Response
from flask.ctx import RequestContext
from flask.sessions import NullSession, SessionInterface, SessionMixin
from werkzeug.middleware.proxy_fix import ProxyFix

from telehealth import config, errors, extensions
from telehealth.db import ping_when_idle
from telehealth.features import BLUEPRINTS, NAMESPACES

SOCKETIO_PATH = "/socket.io"  # Flask-SocketIO's default path, which create_app keeps


class NoSession(NullSession):
    """Flask's session, which this app never uses: a write fails loudly."""

    def _fail(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise RuntimeError("The app keeps no Flask session: sign-ins are accounts.auth's")

    __setitem__ = __delitem__ = clear = pop = popitem = update = setdefault = _fail  # type: ignore[assignment]


class NoSessions(SessionInterface):
    """No Flask session. The sign-in cookie (SESSION_COOKIE_NAME, accounts.auth) holds an opaque token, and
    Flask's own interface tried to load it as a signed session on every request and every Socket.IO event
    of a browser: it failed each time, and the BadSignature's traceback was a reference cycle of about 30
    frames for the cyclic collector (docs/benchmarks.md, "Session 8")."""

    null_session_class = NoSession

    def open_session(self, app: Flask, request: Request) -> NoSession:
        return NoSession()

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        return None


class App(Flask):
    """Flask, except that the request context Flask-SocketIO pushes for every Socket.IO event is not matched
    against the app's routes: no view serves an event (so `url_for` is not available in live handlers).

    Matching the Socket.IO URL failed on every event, and left two reference cycles behind: werkzeug's
    recursive matcher closure and the NoMatch exception with its traceback. Only the cyclic garbage collector
    frees those, in pauses of 10-15 ms with every thread stopped (docs/benchmarks.md, "Session 8")."""

    def request_context(self, environ: dict[str, Any]) -> RequestContext:
        ctx = super().request_context(environ)
        if str(environ.get("PATH_INFO", "")).startswith(SOCKETIO_PATH):
            ctx.url_adapter = None  # created (so TRUSTED_HOSTS still applies), never matched
        return ctx

    session_interface = NoSessions()


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app: configuration, extensions, blueprints, socket namespaces. No I/O here."""
    app = App(__name__, instance_relative_config=True, static_folder=None)
    app.config.update(config.load(app.instance_path))
    if test_config:
        app.config.update(test_config)
    config.check_production(app.config)
    if os.environ.get("TELEHEALTH_TRUST_PROXY"):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    # `extensions.db` (not `db` here): the package attribute `telehealth.db` is the db module.
    extensions.db.init_app(app)
    with app.app_context():
        if extensions.db.engine.dialect.name != "sqlite":
            ping_when_idle(extensions.db.engine)
    extensions.migrate.init_app(
        app,
        extensions.db,
        directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    errors.init_app(app)
    _import_models()
    for path in BLUEPRINTS:
        app.register_blueprint(importlib.import_module(path).bp)

    # `socketio` is module-global and Flask-SocketIO keeps a message-queue manager from an earlier
    # init_app; an app without Redis must not inherit one (several apps per process in tests).
    extensions.socketio.server_options.pop("client_manager", None)
    extensions.socketio.init_app(
        app,
        message_queue=app.config.get("REDIS_URL"),
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ORIGINS", []),
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE") or socket_async_mode(),
        max_http_buffer_size=app.config.get("SOCKETIO_MAX_MESSAGE_BYTES", 256_000),
        # Each connection's events are handled in arrival order, in its own thread (live views must not
        # overtake each other); True would start a thread per event and lose that order.
        async_handlers=app.config.get("SOCKETIO_ASYNC_HANDLERS", False),
    )
    for path in NAMESPACES:
        extensions.socketio.on_namespace(importlib.import_module(path).namespace)

    from telehealth import cli, security_headers
    from telehealth.accounts.auth import reset_request_auth

    app.before_request(reset_request_auth)

    cli.init_app(app)
    security_headers.init_app(app)
    return app


def _import_models() -> None:
    """Import every feature's models so metadata (and Alembic) see all tables."""
    for mod in ("telehealth.accounts.models", "telehealth.cases.models", "telehealth.audit.models"):
        importlib.import_module(mod)
    for path in BLUEPRINTS:
        package = path.rsplit(".", 1)[0]
        try:
            importlib.import_module(f"{package}.models")
        except ModuleNotFoundError as e:
            if e.name != f"{package}.models":
                raise


def socket_async_mode() -> str:
    """"gevent" under gunicorn's gevent worker (the standard library is monkey-patched), else "threading"."""
    try:
        from gevent import monkey
    except ImportError:
        return "threading"
    return "gevent" if monkey.is_module_patched("socket") else "threading"
