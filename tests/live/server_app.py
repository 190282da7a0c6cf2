"""The WSGI app of the server processes that the scale-out tests start (gunicorn tests.live.server_app:app).

Like telehealth.wsgi, with fast presence timings so that the tests see a dead process's ghosts go, and a fast
recheck of the sign-ins.
"""
import os

from telehealth import create_app
from telehealth.runtime import settle_gc

app = create_app({
    "EMBEDDED_WORKER": False,  # the routing timers are not under test here
    "LIVE_HEARTBEAT_SECONDS": float(os.environ.get("LIVE_TEST_HEARTBEAT_SECONDS", "1")),
    "LIVE_PRESENCE_STALE_SECONDS": float(os.environ.get("LIVE_TEST_STALE_SECONDS", "3")),
    "LIVE_AUTH_RECHECK_SECONDS": float(os.environ.get("LIVE_TEST_RECHECK_SECONDS", "1")),
})
settle_gc()
