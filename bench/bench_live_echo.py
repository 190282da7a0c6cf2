"""A bare websocket echo on the same stack as /live (gunicorn threaded worker + simple-websocket).

The baseline of bench_live.py: `gunicorn --pythonpath bench bench_live_echo:app`.
"""
from __future__ import annotations

from typing import Any

import simple_websocket


def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    """Echo every message back until the client closes."""
    ws = simple_websocket.Server(environ)
    try:
        while True:
            ws.send(ws.receive())
    except simple_websocket.ConnectionClosed:
        pass
    return []
