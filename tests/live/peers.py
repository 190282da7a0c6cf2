"""A real python-socketio client of /live that records what it receives, as a browser's sync code would."""
from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

import socketio


class Peer:
    """One participant's connection: joins, calls with acks, and tracks the session's `seq`."""

    def __init__(self, url: str, token: str) -> None:
        self.url, self.token = url, token
        self.events: list[tuple[str, Any]] = []
        self.cond = threading.Condition()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("*", self._on_any, namespace="/live")
        self.sio.connect(url, namespaces=["/live"], auth={"token": token}, transports=["websocket"],
                         wait_timeout=15)

    def _on_any(self, event: str, data: Any = None) -> None:
        with self.cond:
            self.events.append((event, data))
            self.cond.notify_all()

    @property
    def sid(self) -> str:
        """This connection's id in /live."""
        return str(self.sio.get_sid("/live"))

    def call(self, event: str, data: dict[str, Any], timeout: float = 15) -> Any:
        """Send an event and wait for its ack."""
        return self.sio.call(event, data, namespace="/live", timeout=timeout)

    def wait_for(self, match: Callable[[str, Any], bool], timeout: float = 10) -> tuple[str, Any]:
        """The first received event that matches, waiting for it if need be."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for name, data in self.events:
                    if match(name, data):
                        return name, data
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"no matching event in {timeout}s; got {[n for n, _ in self.events]}")
                self.cond.wait(left)

    def sequenced(self) -> dict[int, dict[str, Any]]:
        """The sequenced events received so far, by seq."""
        with self.cond:
            return {d["seq"]: d for _, d in self.events if isinstance(d, dict) and "seq" in d}

    def close(self) -> None:
        """Disconnect (quietly, if the server is gone)."""
        try:
            self.sio.disconnect()
        except Exception:  # noqa: BLE001 - the server may be dead already
            pass
        # After a transport error engineio drops its websocket without closing it; close it here.
        ws = getattr(self.sio.eio, "ws", None)
        if ws is not None:
            try:
                ws.close(timeout=0.1)
            except Exception:  # noqa: BLE001
                pass
            if getattr(ws, "sock", None) is not None:
                ws.sock.close()
