"""multipart/related reading and writing; DICOM JSON and QIDO matching helpers."""

from __future__ import annotations

import io
import json
import warnings
from pathlib import Path

import pydicom
import pytest

from telehealth.dicom import dicomjson
from telehealth.dicom.multipart import MultipartError, iter_parts, parse_content_type, write_multipart

from .samples import path


class Trickle(io.RawIOBase):
    """A stream returning a few bytes per read, to exercise boundaries split across reads."""

    def __init__(self, data, step=7):
        self.data, self.pos, self.step = data, 0, step

    def readable(self):
        return True

    def read(self, n=-1):
        chunk = self.data[self.pos : self.pos + self.step]
        self.pos += len(chunk)
        return chunk


def body(parts, boundary="b0undary"):
    return b"".join(write_multipart(((h, [d]) for h, d in parts), boundary))


@pytest.mark.parametrize("step", [1, 7, 4096])
def test_roundtrip(tmp_path, step):
    dicom = pydicom.data.get_testdata_file("CT_small.dcm", read=False)
    with open(dicom, "rb") as fh:
        payload = fh.read()
    data = b"preamble\r\n" + body([({"Content-Type": "application/dicom"}, payload), ({}, b"\r\n--b0undar")])
    parts = list(iter_parts(Trickle(data, step), "b0undary", str(tmp_path)))
    assert [p.content_type for p in parts] == ["application/dicom", ""]
    assert Path(parts[0].path).read_bytes() == payload and parts[0].size == len(payload)
    assert Path(parts[1].path).read_bytes() == b"\r\n--b0undar"


def test_truncated_body(tmp_path):
    data = body([({"Content-Type": "application/dicom"}, b"x" * 100)])[:-30]
    with pytest.raises(MultipartError) as info:
        list(iter_parts(io.BytesIO(data), "b0undary", str(tmp_path)))
    assert info.value.code == "truncated"


def test_size_limit(tmp_path):
    data = body([({}, b"x" * 10_000)])
    with pytest.raises(MultipartError) as info:
        list(iter_parts(io.BytesIO(data), "b0undary", str(tmp_path), max_total=5000))
    assert info.value.code == "too_large"


def test_no_boundary(tmp_path):
    with pytest.raises(MultipartError):
        list(iter_parts(io.BytesIO(b"just text"), "b0undary", str(tmp_path)))


def test_content_type_params():
    media, params = parse_content_type('multipart/related; type="application/dicom"; boundary=abc')
    assert media == "multipart/related" and params == {"type": "application/dicom", "boundary": "abc"}


def test_to_json_has_bulkdata_uri_for_pixels():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(path("CT_small.dcm"), stop_before_pixels=True)
    out = dicomjson.to_json(ds, lambda tag: f"/bulk/{int(tag):08X}", pixel_uri="/frames")
    assert out["0020000D"] == {"vr": "UI", "Value": [ds.StudyInstanceUID]}
    assert out["00100010"]["Value"][0]["Alphabetic"] == str(ds.PatientName)
    assert out["7FE00010"]["BulkDataURI"] == "/frames"
    json.dumps(out)


@pytest.mark.parametrize("vr,raw,value,ok", [
    ("PN", "Ander*", "Anderson^Bob", True),
    ("PN", "ander*", "Anderson^Bob", True),
    ("LO", "A?C", "ABC", True),
    ("LO", "A?C", "ABBC", False),
    ("DA", "20200101-20201231", "20200615", True),
    ("DA", "-20191231", "20200615", False),
    ("DA", "20200101-", "20200615", True),
    ("UI", "1.2.3,1.2.4", "1.2.4", True),
    ("UI", "1.2.3\\1.2.4", "1.2.5", False),
    ("CS", "CT", "CT", True),
])
def test_matching(vr, raw, value, ok):
    assert dicomjson.matches(value, dicomjson.parse_match(vr, raw), fold_case=vr == "PN") is ok


def test_bad_date_refused():
    with pytest.raises(ValueError):
        dicomjson.parse_match("DA", "2020-01-01x")


def test_like_pattern_escapes():
    assert dicomjson.like_pattern("50%_a*?") == "50\\%\\_a%_"


def test_attribute_tag():
    assert dicomjson.attribute_tag("PatientName") == 0x00100010
    assert dicomjson.attribute_tag("00100010") == 0x00100010
    assert dicomjson.attribute_tag("NoSuchKeyword") is None
