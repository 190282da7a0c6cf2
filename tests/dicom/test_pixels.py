"""Frame decoding for every transfer syntax in pydicom's test files matches pydicom."""

from __future__ import annotations

import warnings

import numpy as np
import pydicom
import pytest
from pydicom.encaps import encapsulate
from pydicom.pixels import pack_bits

from telehealth.dicom import pixels
from telehealth.dicom.parse import parse_instance

from .samples import UNDECODABLE, image_files, path, reference_frames

IMAGES = image_files()


def test_every_transfer_syntax_is_covered():
    syntaxes = {parse_instance(path(n)).transfer_syntax_uid for n in IMAGES}
    expected = {
        "1.2.840.10008.1.2", "1.2.840.10008.1.2.1", "1.2.840.10008.1.2.2", "1.2.840.10008.1.2.1.99",
        "1.2.840.10008.1.2.4.50", "1.2.840.10008.1.2.4.51", "1.2.840.10008.1.2.4.70",
        "1.2.840.10008.1.2.4.80", "1.2.840.10008.1.2.4.90", "1.2.840.10008.1.2.4.91", "1.2.840.10008.1.2.5",
    }
    assert expected <= syntaxes


@pytest.mark.parametrize("name", IMAGES)
def test_frames_decode_like_pydicom(name):
    ref = reference_frames(name)
    for index in range(ref.shape[0]):
        assert np.array_equal(pixels.decode_frame(path(name), index), ref[index])


@pytest.mark.parametrize("name", IMAGES)
def test_uncompressed_frame_is_little_endian_native(name):
    ref = reference_frames(name)
    src = pixels.open_source(path(name))
    raw = pixels.uncompressed_frame(path(name), ref.shape[0] - 1)
    ds = src.dataset
    if ds.get("PhotometricInterpretation") == "YBR_FULL_422" and not src.transfer_syntax_uid.is_compressed:
        assert len(raw) == src.frame_length
        return
    if ds.BitsAllocated == 1:
        assert raw == pack_bits(ref[-1])
        return
    expected = ref[-1].astype(ref.dtype.newbyteorder("<")).tobytes()
    assert raw == expected


@pytest.mark.parametrize("name", IMAGES)
def test_stored_frame_decodes_to_the_same_pixels(name):
    src = pixels.open_source(path(name))
    last = src.number_of_frames - 1
    data, ts = pixels.stored_frame(path(name), last)
    if not ts.is_little_endian:
        # Big endian OW cannot be re-read as a frame on its own; "as stored" means the file's own bytes.
        full = pydicom.dcmread(path(name))
        length = src.frame_length  # without the pad byte of an odd-length value
        assert data == full.PixelData[last * length:(last + 1) * length]
        return
    ds = pixels.read_header(path(name))
    ds.NumberOfFrames = 1
    ds.file_meta.TransferSyntaxUID = ts
    ds.PixelData = encapsulate([data]) if ts.is_compressed else data
    ds["PixelData"].VR = "OB" if ts.is_compressed else ds["PixelData"].VR
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        arr = ds.pixel_array
    assert np.array_equal(arr, reference_frames(name)[last])


def test_multiframe_frame_out_of_range():
    with pytest.raises(pixels.FrameNotFound):
        pixels.decode_frame(path("SC_rgb_rle_2frame.dcm"), 2)


def test_no_pixel_data():
    with pytest.raises(pixels.FrameNotFound):
        pixels.open_source(path("test-SR.dcm"))


@pytest.mark.parametrize("name", sorted(UNDECODABLE))
def test_undecodable_raise_decode_failed(name):
    with pytest.raises(pixels.DecodeFailed):
        pixels.decode_frame(path(name), 0)
