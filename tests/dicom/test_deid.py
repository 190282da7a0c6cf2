"""PS3.15 Annex E Basic Profile actions, checked on pydicom's real files."""

from __future__ import annotations

import warnings

import pydicom
import pytest
from pydicom.uid import UID

from telehealth.dicom.deid import UidMap, action_for, deidentify, profile_table

from .samples import DICOMDIR_TESTS, path


def read(p):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pydicom.dcmread(p)


def run(name, uids=None, **kw):
    ds = read(path(name) if "/" not in str(name) else name)
    return ds, deidentify(ds, uids or UidMap(), **kw)


def test_table_is_the_standard_one():
    exact, masked = profile_table()
    assert len(exact) > 500 and masked
    assert action_for(0x00100010) == "Z"  # Patient's Name
    assert action_for(0x0020000D) == "U"  # Study Instance UID
    assert action_for(0x00080080) == "X"  # Institution Name, X/Z/D
    assert action_for(0x00081030) == "X"  # Study Description
    assert action_for(0x60003000) == "X" and action_for(0x60203000) == "X"  # Overlay Data, any group
    assert action_for(0x00080016) is None  # SOP Class UID kept


def test_z_action_patient_and_study_identifiers():
    before = read(path("CT_small.dcm"))
    assert before.PatientName and before.StudyDate
    ds, result = run("CT_small.dcm", patient_name="ANON^CASE1", patient_id="CASE1")
    assert str(ds.PatientName) == "ANON^CASE1" and ds.PatientID == "CASE1"
    for keyword in ("PatientBirthDate", "StudyDate", "StudyTime", "AccessionNumber", "ReferringPhysicianName"):
        if keyword in before:
            assert ds[keyword].value in (None, "", b"")
    assert result.emptied >= 4


def test_x_action_removes_and_private_tags_go():
    before = read(path("CT_small.dcm"))
    assert "InstitutionName" in before and any(e.tag.is_private for e in before)
    ds, result = run("CT_small.dcm")
    assert "InstitutionName" not in ds and "StudyDescription" not in ds
    assert not any(e.tag.is_private for e in ds.iterall())
    assert result.removed > 0


def test_x_removes_overlay_data():
    assert 0x60003000 in read(path("examples_overlay.dcm"))
    ds, _ = run("examples_overlay.dcm")
    assert 0x60003000 not in ds and "PixelData" in ds


def test_d_action_dummy_value():
    ds = read(path("CT_small.dcm"))
    assert action_for(0x0040A123) == "D"  # Person Name
    ds.add_new(0x0040A123, "PN", "Doe^Jane")
    deidentify(ds, UidMap())
    assert str(ds[0x0040A123].value) == "ANONYMIZED"


def test_u_action_consistent_within_a_case():
    uids = UidMap()
    folder = DICOMDIR_TESTS / "77654033" / "CT2"
    files = sorted(folder.iterdir())
    originals = [read(f) for f in files]
    outs = []
    for f in files:
        ds = read(f)
        deidentify(ds, uids)
        outs.append(ds)
    assert len({o.StudyInstanceUID for o in outs}) == 1
    assert outs[0].StudyInstanceUID != originals[0].StudyInstanceUID
    assert UID(outs[0].StudyInstanceUID).is_valid
    assert {o.SOPInstanceUID for o in outs}.isdisjoint({o.SOPInstanceUID for o in originals})
    assert uids.original(outs[0].StudyInstanceUID) == originals[0].StudyInstanceUID
    for o in outs:
        assert o.file_meta.MediaStorageSOPInstanceUID == o.SOPInstanceUID
        assert o.SOPClassUID == originals[0].SOPClassUID


def test_uid_map_can_be_persisted_and_reloaded():
    first = UidMap()
    a = first.map("1.2.3")
    second = UidMap(first.pairs)
    assert second.map("1.2.3") == a and second.added == {}


def test_identity_removed_and_method_code():
    ds, _ = run("MR_small.dcm")
    assert ds.PatientIdentityRemoved == "YES"
    code = ds.DeidentificationMethodCodeSequence[0]
    assert (code.CodeValue, code.CodingSchemeDesignator) == ("113100", "DCM")
    assert "E.1" in ds.DeidentificationMethod


def test_nested_sequences_processed():
    ds, _ = run("rtplan.dcm")
    for elem in ds.iterall():
        assert action_for(elem.tag) != "X", elem
        if elem.keyword.endswith("InstanceUID") and elem.keyword != "SOPClassUID":
            assert elem.value != read(path("rtplan.dcm")).get(elem.keyword)


@pytest.mark.parametrize("name,expected", [
    ("SC_rgb_jpeg_gdcm.dcm", "UNKNOWN"),
    ("examples_rgb_color.dcm", "UNKNOWN"),
    ("CT_small.dcm", "NO"),
])
def test_burned_in_annotation_flagged(name, expected):
    _, result = run(name)
    assert result.burned_in_annotation == expected
    assert result.needs_review == (expected != "NO")


def test_burned_in_yes_from_attribute():
    ds = read(path("CT_small.dcm"))
    ds.BurnedInAnnotation = "YES"
    assert deidentify(ds, UidMap()).burned_in_annotation == "YES"


def test_deidentified_file_still_parses(tmp_path):
    from telehealth.dicom.parse import parse_instance

    ds, _ = run("MR_small.dcm")
    ds.save_as(tmp_path / "d.dcm")
    parsed = parse_instance(tmp_path / "d.dcm")
    assert parsed.patient_name == "ANONYMOUS"
