"""Rendering follows the PS3.3 C.11 LUT steps; checked against a plain numpy reference."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.dataset import Dataset
from pydicom.pixels import apply_color_lut, convert_color_space, pixel_array

from telehealth.dicom import render
from telehealth.dicom.render import RenderOptions, render_frame, to_display

from .samples import image_files, path, reference_frames


def reference_linear(x, c, w):
    """PS3.3 C.11.2.1.2.1 written out element by element."""
    out = np.empty(x.shape, dtype=np.float64)
    for i, v in np.ndenumerate(x):
        if v <= c - 0.5 - (w - 1) / 2:
            out[i] = 0.0
        elif v > c - 0.5 + (w - 1) / 2:
            out[i] = 255.0
        else:
            out[i] = ((v - (c - 0.5)) / (w - 1) + 0.5) * 255.0
    return np.rint(out).astype(np.uint8)


def decode_png(data):
    return np.asarray(Image.open(io.BytesIO(data)))


def read(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(path(name))


@pytest.mark.parametrize("c,w", [(40.0, 400.0), (0.0, 1.0), (1000.0, 2.0), (-500.5, 1500.0)])
def test_linear_window_matches_standard(c, w):
    x = np.linspace(-2000, 2000, 801)
    assert np.array_equal(np.rint(render.window(x, c, w) * 255).astype(np.uint8), reference_linear(x, c, w))


def test_ct_rendered_with_rescale_and_file_window(tmp_path):
    ds = read("CT_small.dcm")
    ds.WindowCenter, ds.WindowWidth = [40, 300], [400, 1500]  # first pair applies
    ds.save_as(tmp_path / "ct.dcm")
    hu = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    assert np.array_equal(decode_png(render_frame(tmp_path / "ct.dcm", 0)), reference_linear(hu, 40, 400))


def test_request_window_overrides_file():
    ds = read("CT_small.dcm")
    hu = ds.pixel_array * float(ds.RescaleSlope) + float(ds.RescaleIntercept)
    got = decode_png(render_frame(path("CT_small.dcm"), 0, RenderOptions(window=(100.0, 50.0))))
    assert np.array_equal(got, reference_linear(hu, 100.0, 50.0))


def test_no_window_uses_min_max():
    ds = read("MR_small.dcm")
    for k in ("WindowCenter", "WindowWidth"):
        if k in ds:
            del ds[k]
    arr = ds.pixel_array.astype(np.float64)
    expected = np.rint((arr - arr.min()) / (arr.max() - arr.min()) * 255).astype(np.uint8)
    assert np.array_equal(to_display(ds.pixel_array, ds), expected)


def test_monochrome1_is_inverted():
    ds = read("MR_small.dcm")
    normal = to_display(ds.pixel_array, ds)
    ds.PhotometricInterpretation = "MONOCHROME1"
    assert np.array_equal(to_display(ds.pixel_array, ds), 255 - normal)


def _lut_item(first, data, bits=16):
    item = Dataset()
    item.LUTDescriptor = [len(data), first, bits]
    item.LUTData = list(data)
    return item


def test_modality_lut_sequence_applied():
    arr = np.array([[0, 1, 2, 3], [4, 5, 6, 100]], dtype=np.uint16)
    ds = Dataset()
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.ModalityLUTSequence = [_lut_item(1, [10, 20, 30, 40, 50])]
    ds.WindowCenter, ds.WindowWidth = 30.5, 41
    mapped = np.array([[10, 10, 20, 30], [40, 50, 50, 50]], dtype=np.float64)  # clamped below and above
    assert np.array_equal(to_display(arr, ds), reference_linear(mapped, 30.5, 41))


def test_voi_lut_sequence_beats_window():
    arr = np.array([[0, 1, 2, 3]], dtype=np.uint16)
    ds = Dataset()
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.VOILUTSequence = [_lut_item(0, [0, 100, 200, 255], bits=8)]
    ds.WindowCenter, ds.WindowWidth = 1000, 1
    assert to_display(arr, ds).tolist() == [[0, 100, 200, 255]]


def test_palette_colour():
    ds = read("examples_palette.dcm")
    expected = apply_color_lut(ds.pixel_array, ds)
    expected = np.rint(expected.astype(np.float64) * 255 / 65535).astype(np.uint8)
    got = decode_png(render_frame(path("examples_palette.dcm"), 0))
    assert got.shape == (*ds.pixel_array.shape, 3)
    assert np.array_equal(got, expected)


def test_native_ybr_converted_to_rgb():
    ds = read("SC_ybr_full_422_uncompressed.dcm")
    raw = pixel_array(path("SC_ybr_full_422_uncompressed.dcm"), as_rgb=False)
    expected = convert_color_space(raw, "YBR_FULL", "RGB")
    assert ds.PhotometricInterpretation == "YBR_FULL_422"
    got = decode_png(render_frame(path("SC_ybr_full_422_uncompressed.dcm"), 0))
    assert np.array_equal(got, expected)


def test_jpeg_ybr_rendered_as_rgb_close_to_reference():
    got = decode_png(render_frame(path("SC_rgb_dcmtk_+eb+cy+np.dcm"), 0))
    assert got.ndim == 3 and got.shape[2] == 3
    rgb = read("SC_rgb_dcmtk_+eb+cr.dcm").pixel_array  # same picture stored as RGB
    assert np.abs(got.astype(int) - rgb.astype(int)).mean() < 3


def test_viewport_thumbnail_keeps_aspect():
    got = Image.open(io.BytesIO(render_frame(path("JPEG2000.dcm"), 0, RenderOptions(viewport=(64, 64)))))
    assert got.size == (16, 64)


def test_jpeg_output():
    data = render_frame(path("CT_small.dcm"), 0, RenderOptions(media_type="image/jpeg", quality=80))
    assert data[:2] == b"\xff\xd8"


def test_unsupported_media_type():
    with pytest.raises(render.RenderError):
        render_frame(path("CT_small.dcm"), 0, RenderOptions(media_type="image/gif"))


@pytest.mark.parametrize("name", image_files())
def test_every_decodable_file_renders(name):
    frames = reference_frames(name)
    img = decode_png(render_frame(path(name), frames.shape[0] - 1))
    assert img.shape[:2] == frames.shape[1:3]
