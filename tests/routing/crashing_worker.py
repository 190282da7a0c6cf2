"""A worker process that dies hard in the middle of a timer's transaction (used by test_worker.py).

Usage: python -m tests.routing.crashing_worker <now ISO> <die on the Nth notification>
"""
from __future__ import annotations

import os
import sys
from datetime import datetime
from typing import Any


def main() -> None:
    """Run one tick at the given time and kill the process on the Nth notification, mid-transaction."""
    from telehealth import clock, create_app
    from telehealth.routing import jobs, service

    now = datetime.fromisoformat(sys.argv[1])
    die_at = int(sys.argv[2])
    calls = {"n": 0}
    real = service.notify

    def notify(*args: Any, **kw: Any) -> Any:
        calls["n"] += 1
        if calls["n"] >= die_at:
            os._exit(9)  # no rollback, no cleanup: like SIGKILL while the row is claimed
        return real(*args, **kw)

    service.notify = notify  # type: ignore[assignment]
    jobs.notify = notify  # type: ignore[assignment]
    app = create_app({"TESTING": True})
    clock.set_time(now)
    with app.app_context():
        jobs.tick(now)
    sys.exit(0)


if __name__ == "__main__":
    main()
