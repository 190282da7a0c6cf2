"""Browser journey of the report editor: key image from the viewer, live measurements, preview, sign, amend."""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path


def test_specialist_reports_with_key_image_and_live_measurement_amends_and_referrer_downloads(
    live_server: str, run_journey: Callable[..., str], sample_ct_dir: Path
) -> None:
    """Key image and measurement reach the preview; the amended report's PDF and SR reach the referrer."""
    output = run_journey("report-editor", live_server, timeout=420, SAMPLE_DICOM_DIR=str(sample_ct_dir))
    assert "report-editor-06-referrer.png" in output
    assert "referrer downloaded PDF" in output
