"""Browser journeys: the real frontend in headless Debian Chromium against the live app.

Each journey is a playwright-core script in ``frontend/e2e/``; it prints ``PASS <name>`` and
exits 0, or prints the failure and leaves screenshots in ``tests/e2e/artifacts/``.
"""
from __future__ import annotations

from collections.abc import Callable


def test_patient_signs_in_creates_case_and_sees_it_in_list(
    live_server: str, run_journey: Callable[..., str]
) -> None:
    """The demo patient signs in, opens a consult through the wizard and finds it in the list."""
    output = run_journey("patient-creates-case", live_server)
    assert "patient-06-case-list-after.png" in output
