"""QIDO-RS matching against a Python oracle, each kind of query run with several values (the statements are
reused per query shape, so a later value must never see an earlier one's)."""
from __future__ import annotations

import io

import pydicom
import pytest
from pydicom.uid import generate_uid

from telehealth.dicom.dicomjson import matches, parse_match

from .conftest import read, upload

PEOPLE = [("DOE^JOHN", "20200105", "CT"), ("DOE^JANE", "20210611", "MR"), ("ROE^RICHARD", "20200105", "CT"),
          ("SMITH^ANNA", "19991231", "US"), ("O'NEIL^PAT_1%", "20221120", "CT")]


@pytest.fixture
def corpus(api, case):
    """Five studies of one series each (two series in the first), instance numbers 1..2."""
    files, studies = [], []
    for n, (name, date, modality) in enumerate(PEOPLE):
        study = {"uid": generate_uid(), "name": name, "date": date, "id": f"P{n}", "acc": f"ACC{n}",
                 "series": []}
        for s in range(2 if n == 0 else 1):
            series = {"uid": generate_uid(), "modality": "SR" if s else modality, "number": s + 1, "sops": []}
            for i in range(2):
                ds = pydicom.dcmread(io.BytesIO(read("CT_small.dcm")))
                ds.file_meta.MediaStorageSOPInstanceUID = sop = generate_uid()
                ds.SOPInstanceUID, ds.StudyInstanceUID, ds.SeriesInstanceUID = sop, study["uid"], series["uid"]
                ds.PatientName, ds.PatientID, ds.StudyDate, ds.AccessionNumber = name, study["id"], date, study["acc"]
                ds.Modality, ds.SeriesNumber, ds.InstanceNumber = series["modality"], s + 1, i + 1
                buf = io.BytesIO()
                ds.save_as(buf, enforce_file_format=True)
                files.append((f"{sop}.dcm", buf.getvalue()))
                series["sops"].append((sop, i + 1))
            study["series"].append(series)
        studies.append(study)
    assert upload(api, case.id, files=files).get_json()["stored"] == len(files)
    return studies


def _uids(api, url: str, tag: str) -> list[str]:
    r = api.get(url)
    assert r.status_code == 200, (url, r.get_json())
    return [item[tag]["Value"][0] for item in r.get_json()]


def _study_match(study, key: str, value: str, fuzzy: bool = False) -> bool:
    vr = {"PatientName": "PN", "PatientID": "LO", "StudyDate": "DA", "AccessionNumber": "SH",
          "StudyInstanceUID": "UI", "ModalitiesInStudy": "CS"}[key]
    m = parse_match(vr, value)
    if key == "ModalitiesInStudy":
        return any(matches(s["modality"], m) for s in study["series"])
    field = {"PatientName": "name", "PatientID": "id", "StudyDate": "date", "AccessionNumber": "acc",
             "StudyInstanceUID": "uid"}[key]
    if key == "PatientName":
        if fuzzy and m.kind == "exact":
            m = parse_match(vr, value + "*")
        return matches(study[field], m, fold_case=True)
    return matches(study[field], m)


STUDY_QUERIES = [
    ("PatientName", ["DOE^JOHN", "doe^jane", "ROE^RICHARD", "NOBODY"]),
    ("PatientName", ["DOE*", "*ANNA", "R?E*", "O'NEIL^PAT_1%", "O'NEIL^PAT?1*", "*%"]),
    ("PatientID", ["P0", "P3", "P9"]),
    ("StudyDate", ["20200105", "20200101-20201231", "-20000101", "20210101-", "20221120-20221120"]),
    ("AccessionNumber", ["ACC1", "ACC4", "acc1"]),
    ("ModalitiesInStudy", ["CT", "MR", "SR", "U*", "XA"]),
]


def test_study_matches_equal_the_oracle_for_every_value(api, case, corpus):
    base = f"/api/cases/{case.id}/dicomweb"
    for key, values in STUDY_QUERIES:
        for value in values:
            want = {s["uid"] for s in corpus if _study_match(s, key, value)}
            assert set(_uids(api, f"{base}/studies?{key}={value}", "0020000D")) == want, (key, value)
    for value in ["DOE", "ROE", "SMITH^A", "X"]:
        want = {s["uid"] for s in corpus if _study_match(s, "PatientName", value, fuzzy=True)}
        got = _uids(api, f"{base}/studies?PatientName={value}&fuzzymatching=true", "0020000D")
        assert set(got) == want, value
    uid_list = "\\".join(s["uid"] for s in corpus[1:3])
    assert set(_uids(api, f"{base}/studies?StudyInstanceUID={uid_list}", "0020000D")) == {
        s["uid"] for s in corpus[1:3]}
    assert _uids(api, f"{base}/studies?StudyInstanceUID={corpus[4]['uid']}", "0020000D") == [corpus[4]["uid"]]
    both = _uids(api, f"{base}/studies?PatientName=DOE*&StudyDate=20200105", "0020000D")
    assert both == [corpus[0]["uid"]]


def test_paging_and_counts_with_reused_statements(api, case, corpus):
    base = f"/api/cases/{case.id}/dicomweb"
    everything = _uids(api, f"{base}/studies", "0020000D")
    assert len(everything) == 5
    pages = [_uids(api, f"{base}/studies?limit=2&offset={o}", "0020000D") for o in (0, 2, 4)]
    assert [len(p) for p in pages] == [2, 2, 1] and sum(pages, []) == everything
    first = api.get(f"{base}/studies?StudyInstanceUID={corpus[0]['uid']}").get_json()[0]
    assert first["00201206"]["Value"] == [2] and first["00201208"]["Value"] == [4]
    assert first["00080061"]["Value"] == ["CT", "SR"]


def test_series_and_instance_matches_for_every_value(api, case, corpus):
    base = f"/api/cases/{case.id}/dicomweb"
    for study in corpus:
        got = _uids(api, f"{base}/studies/{study['uid']}/series", "0020000E")
        assert got == [s["uid"] for s in study["series"]]
        for series in study["series"]:
            assert _uids(api, f"{base}/series?SeriesInstanceUID={series['uid']}", "0020000E") == [series["uid"]]
            url = f"{base}/studies/{study['uid']}/series/{series['uid']}/instances"
            assert _uids(api, url, "00080018") == [sop for sop, _ in series["sops"]]
            for sop, number in series["sops"]:
                assert _uids(api, f"{url}?InstanceNumber={number}", "00080018") == [sop]
                assert _uids(api, f"{base}/instances?SOPInstanceUID={sop}", "00080018") == [sop]
    for modality in ("CT", "MR", "SR", "US"):
        want = {se["uid"] for st in corpus for se in st["series"] if se["modality"] == modality}
        assert set(_uids(api, f"{base}/series?Modality={modality}", "0020000E")) == want
    for number in (1, 2):
        want = {se["uid"] for st in corpus for se in st["series"] if se["number"] == number}
        assert set(_uids(api, f"{base}/series?SeriesNumber={number}", "0020000E")) == want
    assert _uids(api, f"{base}/studies/{corpus[1]['uid']}/series?Modality=CT", "0020000E") == []
