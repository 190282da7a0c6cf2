"""Services under concurrency: seq allocation and versioned updates from many writers at once (PostgreSQL)."""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from telehealth.accounts.models import User
from telehealth.errors import ApiError
from telehealth.extensions import db
from telehealth.live import annotations, service
from telehealth.live.models import LiveEvent, LiveSession
from telehealth.live.schemas import AnnotationIn
from tests.live.conftest import length


def in_threads(app, n: int, work: Callable[[int], Any]) -> list[Any]:  # type: ignore[no-untyped-def]
    """Run work(i) in n threads at once, each with its own app context and database session."""
    results: list[Any] = [None] * n
    start = threading.Barrier(n)

    def run(i: int) -> None:
        with app.app_context():
            start.wait()
            try:
                results[i] = work(i)
            except ApiError as e:
                db.session.rollback()
                results[i] = e
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return results


def test_concurrent_writers_get_distinct_gap_free_seqs(app, people):
    live = service.create_session(db.session, people["specialist"], people["case"].id, title="t")
    live_id, user_ids = live.id, [people["specialist"].id, people["referrer"].id]
    db.session.commit()

    def add(i: int) -> int:
        user = db.session.get(User, user_ids[i % 2])
        _out, env = annotations.add(db.session, user, live_id, AnnotationIn.model_validate(length()))
        return env["seq"]  # type: ignore[index]

    seqs = in_threads(app, 12, add)
    assert sorted(seqs) == list(range(1, 13))
    stored = db.session.scalars(select(LiveEvent.seq).where(LiveEvent.session_id == live_id)
                                .order_by(LiveEvent.seq)).all()
    assert stored == list(range(1, 13))
    assert db.session.scalar(select(LiveSession.last_seq).where(LiveSession.id == live_id)) == 12


def test_of_two_updates_on_the_same_version_exactly_one_wins(app, people):
    live = service.create_session(db.session, people["specialist"], people["case"].id, title="t")
    a = AnnotationIn.model_validate(length())
    annotations.add(db.session, people["specialist"], live.id, a)
    live_id, user_id = live.id, people["specialist"].id

    def update(i: int) -> Any:
        user = db.session.get(User, user_id)
        return annotations.update(db.session, user, live_id, a.id, 1, {"label": f"writer {i}"})

    results = in_threads(app, 6, update)
    winners = [r for r in results if isinstance(r, tuple)]
    losers = [r for r in results if isinstance(r, ApiError)]
    assert len(winners) == 1 and len(losers) == 5
    assert {e.code for e in losers} == {"stale_version"}
    assert all(e.details["current"]["version"] == 2 for e in losers)
    assert all(e.details["current"]["label"] == winners[0][0]["label"] for e in losers)
