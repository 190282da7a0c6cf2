"""The viewer benchmark's synthetic CT series (bench/bench_viewer.py) has a scanner's geometry."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pydicom
import pytest

from bench.bench_viewer import generate_series, kind


def test_series_geometry_rescale_and_window(tmp_path: Path) -> None:
    series = generate_series(str(tmp_path), 6, size=64, spacing=0.8, step=2.5, z0=10.0)
    datasets = [pydicom.dcmread(p) for p in series.paths]

    assert len(datasets) == 6
    assert {ds.StudyInstanceUID for ds in datasets} == {series.study_uid}
    assert {ds.SeriesInstanceUID for ds in datasets} == {series.series_uid}
    assert len({ds.SOPInstanceUID for ds in datasets}) == 6
    assert len({ds.FrameOfReferenceUID for ds in datasets}) == 1
    assert [int(ds.InstanceNumber) for ds in datasets] == [1, 2, 3, 4, 5, 6]
    for i, ds in enumerate(datasets):
        assert ds.file_meta.TransferSyntaxUID == pydicom.uid.ExplicitVRLittleEndian
        assert [float(v) for v in ds.ImageOrientationPatient] == [1, 0, 0, 0, 1, 0]
        x, y, z = (float(v) for v in ds.ImagePositionPatient)
        # Centred on the table: the first pixel is half the field of view up and to the right.
        assert x == y == pytest.approx(-0.8 * 63 / 2)
        assert z == 10.0 - 2.5 * i
        assert float(ds.SliceLocation) == z
        assert float(ds.SliceThickness) == float(ds.SpacingBetweenSlices) == 2.5
        assert [float(v) for v in ds.PixelSpacing] == [0.8, 0.8]
        assert (ds.Rows, ds.Columns, ds.BitsAllocated, ds.BitsStored, ds.PixelRepresentation) == (64, 64, 16, 12, 0)
        assert (float(ds.RescaleSlope), float(ds.RescaleIntercept), ds.RescaleType) == (1.0, -1024.0, "HU")
        assert [float(v) for v in ds.WindowCenter] == [40, -600]
        assert [float(v) for v in ds.WindowWidth] == [400, 1500]
    # The position steps along the slice normal (the cross product of the orientation's rows).
    steps = np.diff([[float(v) for v in ds.ImagePositionPatient] for ds in datasets], axis=0)
    assert np.allclose(steps, [0, 0, -2.5])


def test_series_pixels_are_hounsfield_units_of_a_body(tmp_path: Path) -> None:
    series = generate_series(str(tmp_path), 3, size=128)
    ds = pydicom.dcmread(series.paths[1])
    hu = ds.pixel_array.astype(np.int32) * int(ds.RescaleSlope) + int(ds.RescaleIntercept)
    assert hu.shape == (128, 128)
    assert hu[0, 0] < -900  # air in the corner
    assert -20 < np.median(hu[60:68, 60:68]) < 100  # soft tissue in the middle (mediastinum)
    assert np.median(hu[58:66, 80:88]) < -700  # a lung beside it (halfway down the scan is chest)
    assert hu.max() > 500  # bone
    assert ds.pixel_array.max() <= 4095  # fits BitsStored 12


def test_request_kinds() -> None:
    base = "/api/cases/c1/dicomweb/studies/1.2/series/1.2.3"
    assert kind(f"{base}/instances/1.2.3.4/frames/1") == "frames"
    assert kind(f"{base}/metadata") == "series metadata"
    assert kind(f"{base}/thumbnail") == "thumbnail"
    assert kind("/api/cases/c1/dicomweb/studies/1.2/series") == "QIDO"
    assert kind("/assets/index-abc.js") == "static assets"
    assert kind("/api/auth/me") == "other API"
    assert kind("/cases/c1/viewer?study=1") == "page"
