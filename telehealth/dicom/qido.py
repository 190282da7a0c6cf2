"""QIDO-RS handlers (PS3.18 10.6): studies, series and instances of a case as DICOM JSON."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from telehealth.errors import BadRequest
from telehealth.extensions import db

from . import search, webutil
from .dicomjson import qido_json
from .models import DicomInstance, DicomSeries, DicomStudy


def _query(level: str) -> search.Query:
    try:
        return search.parse_query(request.args.to_dict(flat=False), level)
    except search.QueryError as exc:
        raise BadRequest(str(exc), code="bad_query") from None


def _study_json(study: DicomStudy, counts: tuple[int, int, list[str]], base: str) -> dict[str, Any]:
    return qido_json({
        "StudyInstanceUID": study.study_instance_uid, "PatientID": study.patient_id,
        "PatientName": study.patient_name, "PatientBirthDate": study.patient_birth_date,
        "PatientSex": study.patient_sex, "StudyDate": study.study_date, "StudyTime": study.study_time,
        "AccessionNumber": study.accession_number, "StudyDescription": study.study_description,
        "ReferringPhysicianName": study.referring_physician_name, "StudyID": study.study_id,
        "ModalitiesInStudy": counts[2], "NumberOfStudyRelatedSeries": counts[0],
        "NumberOfStudyRelatedInstances": counts[1],
        "RetrieveURL": f"{base}/studies/{study.study_instance_uid}",
    })


def _series_json(series: DicomSeries, study_uid: str, count: int, base: str) -> dict[str, Any]:
    return qido_json({
        "StudyInstanceUID": study_uid, "SeriesInstanceUID": series.series_instance_uid,
        "Modality": series.modality, "SeriesNumber": series.series_number,
        "SeriesDescription": series.series_description, "BodyPartExamined": series.body_part_examined,
        "NumberOfSeriesRelatedInstances": count,
        "RetrieveURL": f"{base}/studies/{study_uid}/series/{series.series_instance_uid}",
    })


def _instance_json(inst: DicomInstance, study_uid: str, series_uid: str, base: str) -> dict[str, Any]:
    return qido_json({
        "StudyInstanceUID": study_uid, "SeriesInstanceUID": series_uid,
        "SOPClassUID": inst.sop_class_uid, "SOPInstanceUID": inst.sop_instance_uid,
        "InstanceNumber": inst.instance_number, "Rows": inst.rows, "Columns": inst.columns,
        "NumberOfFrames": inst.number_of_frames or None, "AvailableTransferSyntaxUID": inst.transfer_syntax_uid,
        "RetrieveURL": f"{base}/studies/{study_uid}/series/{series_uid}/instances/{inst.sop_instance_uid}",
    })


def qido_studies(scope: webutil.Scope) -> Response:
    q = _query("studies")
    rows = search.search_studies(db.session, scope.case_id, q)
    counts = search.study_counts(db.session, [s.id for s in rows])
    return webutil.json_response([_study_json(s, counts[s.id], webutil.base_url()) for s in rows])


def qido_series(scope: webutil.Scope, study: str | None = None) -> Response:
    q = _query("series")
    rows = search.search_series(db.session, scope.case_id, q, study)
    counts = search.series_counts(db.session, [s.id for s in rows])
    base = webutil.base_url()
    return webutil.json_response([_series_json(s, s.study.study_instance_uid, counts.get(s.id, 0), base)
                                  for s in rows])


def qido_instances(scope: webutil.Scope, study: str | None = None, series: str | None = None) -> Response:
    q = _query("instances")
    rows = search.search_instances(db.session, scope.case_id, q, study, series)
    base = webutil.base_url()
    return webutil.json_response([_instance_json(i, i.series.study.study_instance_uid,
                                                 i.series.series_instance_uid, base) for i in rows])
