"""The presence heartbeat refreshes exactly the open stays of this process's connections, however many there are:
one array parameter on PostgreSQL, IN lists of 500 on SQLite (telehealth.db.one_of_chunks)."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import String, column, select, table

from telehealth import clock, create_app
from telehealth.accounts.service import create_user
from telehealth.cases.service import create_case
from telehealth.db import IN_LIST_CHUNK, Base, one_of_chunks
from telehealth.extensions import db
from telehealth.live import presence
from telehealth.live.models import LivePresence, LiveSession

NODE, OTHER_NODE = "node-a", "node-b"


def _beat(session) -> None:  # type: ignore[no-untyped-def]
    user = create_user(session, email="p@example.org", name="Pat", password=None, roles=["patient"])
    case = create_case(session, user, title="Knee", question="Torn meniscus?", consent=True)
    live = LiveSession(case_id=case.id, host_id=user.id, title="Review", status="live", presenter_id=user.id)
    session.add(live)
    session.flush()
    long_ago = clock.now() - timedelta(minutes=10)
    stays = {name: LivePresence(session_id=live.id, user_id=user.id, connection_id=name, node_id=node,
                                seen_at=long_ago, left_at=left)
             for name, node, left in (("mine", NODE, None), ("mine-too", NODE, None), ("left", NODE, long_ago),
                                      ("elsewhere", OTHER_NODE, None))}
    session.add_all(stays.values())
    session.commit()
    held = [f"gone-{i}" for i in range(1200)] + ["mine", "left", "elsewhere"] + [f"gone-{i}" for i in range(1200, 2000)]
    held.append("mine-too")

    assert presence.heartbeat(session, NODE, held) == 2
    seen = dict(session.execute(select(LivePresence.connection_id, LivePresence.seen_at)).tuples().all())
    assert seen["mine"] > long_ago and seen["mine-too"] > long_ago
    assert seen["left"] == long_ago and seen["elsewhere"] == long_ago  # left already, or another process's
    assert presence.heartbeat(session, NODE, []) == 0


def test_the_heartbeat_on_postgresql_is_one_statement(app):
    _beat(db.session)
    ids = [str(i) for i in range(2 * IN_LIST_CHUNK + 1)]
    conditions = one_of_chunks(column("id", String()), ids, db.engine.dialect)
    assert len(conditions) == 1
    sql = str(select(column("id", String())).select_from(table("t")).where(conditions[0])
              .compile(dialect=db.engine.dialect))
    assert "= ANY (" in sql and sql.count("%(") == 1  # one bound parameter, not one per id


def test_the_heartbeat_on_sqlite(tmp_path):
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'embedded.db'}",
                      "DATA_DIR": str(tmp_path), "REDIS_URL": None})
    with app.app_context():
        Base.metadata.create_all(db.engine)
        assert len(one_of_chunks(column("id"), [str(i) for i in range(2 * IN_LIST_CHUNK + 1)],
                                 db.engine.dialect)) == 3
        _beat(db.session)
        db.session.remove()
        db.engine.dispose()
