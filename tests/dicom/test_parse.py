"""parse.parse_instance on pydicom's test files and on crafted broken files."""

from __future__ import annotations

import shutil
import struct
import warnings

import pydicom
import pytest

from telehealth.dicom.parse import InvalidInstance, parse_instance

from .samples import REJECTED, path, valid_files


@pytest.mark.parametrize("name", valid_files())
def test_valid_files_parse(name):
    parsed = parse_instance(path(name))
    assert parsed.sop_instance_uid and parsed.study_instance_uid and parsed.series_instance_uid
    assert parsed.transfer_syntax_uid.startswith("1.2.840.10008.1.2")


@pytest.mark.parametrize("name,code", sorted(REJECTED.items()))
def test_broken_files_rejected_with_reason(name, code):
    with pytest.raises(InvalidInstance) as info:
        parse_instance(path(name))
    assert info.value.code == code
    assert info.value.message


def test_qido_attributes_extracted():
    parsed = parse_instance(path("CT_small.dcm"))
    ds = pydicom.dcmread(path("CT_small.dcm"))
    assert parsed.patient_id == ds.PatientID
    assert parsed.patient_name == str(ds.PatientName)
    assert parsed.modality == "CT"
    assert parsed.study_date == ds.StudyDate
    assert (parsed.rows, parsed.columns, parsed.number_of_frames) == (128, 128, 1)
    assert parsed.has_pixel_data and parsed.is_image


def test_multiframe_counts_frames():
    parsed = parse_instance(path("examples_ybr_color.dcm"))
    assert parsed.number_of_frames == 30
    assert parsed.photometric_interpretation == "YBR_FULL_422"


def test_non_image_sop_class_without_pixels_accepted():
    parsed = parse_instance(path("test-SR.dcm"))
    assert not parsed.has_pixel_data and parsed.number_of_frames == 0


def _copy(tmp_path, name="CT_small.dcm"):
    dest = tmp_path / "x.dcm"
    shutil.copy(path(name), dest)
    return dest


def test_image_without_pixel_data_rejected(tmp_path):
    ds = pydicom.dcmread(path("CT_small.dcm"))
    del ds.PixelData
    ds.save_as(tmp_path / "x.dcm")
    with pytest.raises(InvalidInstance) as info:
        parse_instance(tmp_path / "x.dcm")
    assert info.value.code == "missing_pixel_data"


def test_missing_pixel_attribute_rejected(tmp_path):
    ds = pydicom.dcmread(path("CT_small.dcm"))
    del ds.BitsAllocated
    ds.save_as(tmp_path / "x.dcm")
    with pytest.raises(InvalidInstance) as info:
        parse_instance(tmp_path / "x.dcm")
    assert info.value.code == "missing_pixel_attributes"


def test_pixel_length_inconsistent_with_rows_rejected(tmp_path):
    ds = pydicom.dcmread(path("CT_small.dcm"))
    ds.Rows = 256
    ds.save_as(tmp_path / "x.dcm")
    with pytest.raises(InvalidInstance) as info:
        parse_instance(tmp_path / "x.dcm")
    assert info.value.code == "pixel_length_mismatch"


def test_invalid_uid_rejected(tmp_path):
    ds = pydicom.dcmread(path("CT_small.dcm"))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds.SeriesInstanceUID = "1.2.03.abc"
    ds.save_as(tmp_path / "x.dcm")
    with pytest.raises(InvalidInstance) as info:
        parse_instance(tmp_path / "x.dcm")
    assert info.value.code == "invalid_uid"


def test_huge_declared_length_refused_without_reading(tmp_path):
    dest = _copy(tmp_path)
    data = bytearray(dest.read_bytes())
    idx = data.index(b"\xe0\x7f\x10\x00OW")
    data[idx + 8 : idx + 12] = struct.pack("<L", 0xFFFFFFF0)
    dest.write_bytes(bytes(data))
    with pytest.raises(InvalidInstance) as info:
        parse_instance(dest)
    assert info.value.code == "element_too_large"


def test_truncated_in_header_rejected(tmp_path):
    dest = _copy(tmp_path)
    dest.write_bytes(dest.read_bytes()[:700])
    with pytest.raises(InvalidInstance) as info:
        parse_instance(dest)
    assert info.value.code in {"truncated", "malformed", "missing_sop_instance_uid", "missing_study_instance_uid"}


def test_truncated_encapsulated_rejected(tmp_path):
    dest = _copy(tmp_path, "MR_small_RLE.dcm")
    dest.write_bytes(dest.read_bytes()[:-300])
    with pytest.raises(InvalidInstance) as info:
        parse_instance(dest)
    assert info.value.code == "truncated"


def test_empty_and_tiny_files_not_dicom(tmp_path):
    (tmp_path / "e").write_bytes(b"")
    with pytest.raises(InvalidInstance) as info:
        parse_instance(tmp_path / "e")
    assert info.value.code == "not_dicom"


def test_truncated_trailing_padding_rejected(tmp_path):
    dest = _copy(tmp_path, "MR_small_RLE.dcm")
    dest.write_bytes(dest.read_bytes()[:-100])
    with pytest.raises(InvalidInstance) as info:
        parse_instance(dest)
    assert info.value.code == "truncated"


def _patched(tmp_path, placeholder: bytes, raw: bytes, **attrs):
    """CT_small with `attrs` set, then the bytes `placeholder` replaced by `raw` in the file."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(path("CT_small.dcm"))
        for key, value in attrs.items():
            setattr(ds, key, value)
        out = tmp_path / "patched.dcm"
        ds.save_as(out, enforce_file_format=True)
    data = out.read_bytes()
    assert data.count(placeholder) == 1
    out.write_bytes(data.replace(placeholder, raw))
    return str(out)


def test_values_that_cannot_be_decoded_are_rejected(tmp_path):
    # A person name in ISO 2022 IR 87 that pydicom cannot split into component groups.
    name = _patched(tmp_path, b"QQQQ", b"=\xff^\xfe", SpecificCharacterSet="ISO 2022 IR 87", PatientName="QQQQ")
    with pytest.raises(InvalidInstance) as info:
        parse_instance(name)
    assert info.value.code == "bad_value"


def test_undecodable_text_is_kept_with_replacement_characters(tmp_path):
    # Text VRs never fail to decode (invalid bytes become U+FFFD), so they are not decoded at ingest.
    ok = _patched(tmp_path, b"QQQQ", b"\xff\xfe\x80\x81", SpecificCharacterSet="ISO_IR 192",
                  StudyDescription="QQQQ")
    parsed = parse_instance(ok)
    assert parsed.sop_instance_uid
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert "\ufffd" in str(pydicom.dcmread(ok).StudyDescription)
