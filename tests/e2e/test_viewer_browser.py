"""Browser journeys of the viewer: layouts, measurements and a phone with touch gestures.

Runs ``frontend/e2e/viewer-layouts-and-touch.mjs`` (see its header) against the live app with a
study of two synthetic CT series.
"""
from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pydicom
import pytest

from tests.e2e.sample_dicom import write_ct_series


@pytest.fixture(scope="module")
def two_series_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One study with two CT series (12 and 8 slices) in one folder, as a patient's disc would hold it."""
    root = tmp_path_factory.mktemp("two-series")
    first = write_ct_series(root / "a", count=12)
    second = write_ct_series(root / "b", count=8, size=96)
    study = pydicom.dcmread(first[0]).StudyInstanceUID
    folder = root / "study"
    folder.mkdir()
    for path in first:
        path.rename(folder / f"S1_{path.name}")
    for path in second:
        ds = pydicom.dcmread(path)
        ds.StudyInstanceUID = study
        ds.SeriesNumber = 2
        ds.SeriesDescription = "Axial 3mm"
        ds.save_as(folder / f"S2_{path.name}", enforce_file_format=True)
    return folder


def test_viewer_layouts_measurements_and_phone_gestures(
    live_server: str, run_journey: Callable[..., str], two_series_dir: Path
) -> None:
    """2x2 with different series and slices kept over a reload; ROI mean/SD in HU; delete; pinch zoom on a phone."""
    output = run_journey("viewer-layouts-and-touch", live_server, SAMPLE_DICOM_DIR=str(two_series_dir))
    assert "ellipse ROI: Mean" in output
    assert "pinch zoom" in output
    assert "viewer-phone-03-tools-open.png" in output
