"""Live-session journeys with two browsers (``frontend/e2e/live-*.mjs``) against the real app.

Each prints ``PASS <name>`` and exits 0, or prints the failure and leaves screenshots in
``tests/e2e/artifacts/``. The audio/video step uses Chromium's fake camera and microphone.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path


def test_live_session_follower_shows_the_presenters_slice_and_window(
    live_server: str, run_journey: Callable[..., str], sample_ct_dir: Path
) -> None:
    """Two browsers: the follower shows the presenter's slice, window and length within 500 ms."""
    output = run_journey("live-session", live_server, SAMPLE_DICOM_DIR=str(sample_ct_dir))
    assert "follower matched the presenter in" in output
    assert "follower showed the length" in output


def test_live_pointer_annotations_chat_reconnect_handoff_and_video(
    live_server: str, run_journey: Callable[..., str], sample_ct_dir: Path
) -> None:
    """Pointer, edit/delete sync, offline queue, chat, hand-off and WebRTC between two browsers."""
    output = run_journey("live-collab", live_server, timeout=420, SAMPLE_DICOM_DIR=str(sample_ct_dir))
    assert "shown on the follower" in output
    states = re.findall(r"peer connections: (\{.*\})", output)
    assert len(states) == 2 and all('"connected"' in s for s in states), output
