"""Portal browser journeys: resumable uploads, share links, coordinator actions, routing administration.

Each journey is a playwright-core script in ``frontend/e2e/portal-*.mjs`` run against the live app.
"""
from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.e2e.sample_dicom import write_ct_series

LARGE_SLICES = 24  # 512 x 512 x 16 bit: about 12 MB, three tus chunks of 4 MiB


def _large_zip(folder: Path, name: str) -> Path:
    slices = write_ct_series(folder / name, count=LARGE_SLICES, size=512, patient_name="PHANTOM^LARGE")
    path = folder / f"{name}.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as zf:
        for s in slices:
            zf.write(s, f"DICOM/{s.name}")
    return path


@pytest.fixture(scope="module")
def large_zips(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two ZIPs of distinct CT series, each larger than two upload chunks."""
    folder = tmp_path_factory.mktemp("large-zips")
    return _large_zip(folder, "ct-drop"), _large_zip(folder, "ct-reload")


def test_large_upload_resumes_after_a_dropped_connection_and_a_reload(
    live_server: str, run_journey: Callable[..., str], large_zips: tuple[Path, Path]
) -> None:
    """The network drops after the first chunk, then the page is reloaded: both times it continues at the offset."""
    first, second = large_zips
    assert first.stat().st_size > 2 * 4 * 1024 * 1024
    output = run_journey("portal-resumable-upload", live_server, LARGE_ZIP=str(first), LARGE_ZIP_2=str(second),
                         LARGE_ZIP_INSTANCES=str(LARGE_SLICES))
    assert "after the cut:" in output and "after the reload: HEAD" in output
    assert "portal-upload-04-reload-resumed-done.png" in output


def test_patient_shares_images_and_a_recipient_reads_them_with_the_passcode(
    live_server: str, run_journey: Callable[..., str], sample_ct_dir: Path
) -> None:
    """Create a passcode link, the recipient (no account, phone) opens the viewer; the use is logged; revoked."""
    output = run_journey("portal-share-links", live_server, SAMPLE_DICOM_DIR=str(sample_ct_dir))
    assert "portal-share-05-recipient-refused.png" in output


def test_coordinator_offers_from_the_board_and_reassigns_from_the_case_page(
    live_server: str, run_journey: Callable[..., str]
) -> None:
    """An unmatched consult waits in triage; offered by hand, then reassigned; the offer list shows each step."""
    output = run_journey("portal-coordinator-routing", live_server)
    assert "portal-coord-03-case-reassigned.png" in output


def test_admin_edits_specialists_and_rules_and_a_specialist_their_own_settings(
    live_server: str, run_journey: Callable[..., str]
) -> None:
    """Profile with hours and absence, a rule created/edited/removed, own availability and notifications."""
    output = run_journey("portal-routing-admin", live_server)
    assert "portal-admin-05-notifications.png" in output
