"""Browser journeys: the real frontend in headless Debian Chromium against the live app.

Each journey is a playwright-core script in ``frontend/e2e/``; it prints ``PASS <name>`` and
exits 0, or prints the failure and leaves screenshots in ``tests/e2e/artifacts/``.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def test_patient_signs_in_creates_case_and_sees_it_in_list(
    live_server: str, run_journey: Callable[..., str]
) -> None:
    """The demo patient signs in, opens a consult through the wizard and finds it in the list."""
    output = run_journey("patient-creates-case", live_server)
    assert "patient-06-case-list-after.png" in output


def test_patient_uploads_a_ct_and_reads_it_in_the_viewer(
    live_server: str, run_journey: Callable[..., str], sample_ct_dir: Path
) -> None:
    """Upload in the wizard (per-file results, duplicates stored once), then scroll, window and measure."""
    output = run_journey("patient-uploads-and-views", live_server, SAMPLE_DICOM_DIR=str(sample_ct_dir))
    assert "viewer-02-length-and-tags.png" in output


def test_consult_is_accepted_reported_and_the_patient_downloads_the_pdf(
    live_server: str, run_journey: Callable[..., str]
) -> None:
    """Patient submits, the MSK specialist accepts from the worklist, writes and signs; the patient gets the PDF."""
    output = run_journey("consult-to-report", live_server)
    assert "report-03-patient-sees-report.png" in output


def test_patient_signs_up_on_a_phone(live_server: str, run_journey: Callable[..., str]) -> None:
    """Sign-up catches mistakes without losing what was typed, then signs the new patient in."""
    output = run_journey("patient-signs-up", live_server)
    assert "signup-02-empty-list.png" in output
