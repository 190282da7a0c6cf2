"""QIDO-RS rows built directly as DICOM JSON equal what pydicom makes of the same values (PS3.18 F.2)."""
import json

import pytest

from telehealth.dicom.dicomjson import qido_dataset, qido_json, to_json

ROWS = [
    {"StudyInstanceUID": "1.2.3", "PatientID": "P1", "PatientName": "DOE^JOHN", "PatientBirthDate": "19600101",
     "PatientSex": "F", "StudyDate": "20260101", "StudyTime": "101500", "AccessionNumber": "A1",
     "StudyDescription": "CT", "ReferringPhysicianName": "REF^A", "StudyID": "1", "ModalitiesInStudy": ["CT", "MR"],
     "NumberOfStudyRelatedSeries": 2, "NumberOfStudyRelatedInstances": 100, "RetrieveURL": "http://h/x/studies/1.2.3"},
    {"StudyInstanceUID": "1.2.3", "PatientID": "", "PatientName": "", "StudyDate": "", "ModalitiesInStudy": [],
     "NumberOfStudyRelatedSeries": 0, "RetrieveURL": "http://h/x"},
    {"SeriesInstanceUID": "1.2.3.4", "Modality": "", "SeriesNumber": 3, "SeriesDescription": "Thorax café",
     "NumberOfSeriesRelatedInstances": 0},
    {"SOPClassUID": "1.2.840.10008.5.1.4.1.1.2", "SOPInstanceUID": "1.2.3.4.5", "InstanceNumber": 5, "Rows": 512,
     "Columns": 512, "NumberOfFrames": 1, "AvailableTransferSyntaxUID": "1.2.840.10008.1.2.1", "RetrieveURL": "u"},
    {"SOPInstanceUID": "1.2.3.4.5", "InstanceNumber": None, "Rows": None, "NumberOfFrames": None},
    {"ModalitiesInStudy": ["CT", ""], "PatientName": "A^B  "},
    {"PatientName": "Yamada^Tarou=山田^太郎", "SeriesDescription": "a\\b", "InstanceNumber": -3, "SeriesNumber": 0},
    {"StudyDescription": " padded ", "AccessionNumber": "x" * 16},
]


@pytest.mark.parametrize("row", ROWS)
def test_direct_json_is_byte_identical_to_pydicom(row):
    assert json.dumps(qido_json(row)) == json.dumps(to_json(qido_dataset(row)))
