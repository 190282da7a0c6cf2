"""The report's view of the archive: the case's study, image headers and pixel files.

The archive (telehealth.dicom) and live annotations (telehealth.live) are separate features;
they are imported lazily so that the report outputs work from plain UIDs and datasets.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterable
from typing import Any

import pydicom
from pydicom.dataset import Dataset
from sqlalchemy import select
from sqlalchemy.orm import Session


class NoEvidence(LookupError):
    """The case has no stored image to anchor DICOM outputs (or a referenced one is missing)."""


def case_study(session: Session, case_id: str) -> str | None:
    """Study Instance UID of the case's first stored study, if the archive has one."""
    from telehealth.dicom.models import DicomStudy

    return session.scalar(select(DicomStudy.study_instance_uid).where(DicomStudy.case_id == case_id)
                          .order_by(DicomStudy.created_at, DicomStudy.id).limit(1))


def case_modality(session: Session, case_id: str, study_uid: str) -> str:
    """The first image modality of the study (CT, MR...), or ''."""
    from telehealth.dicom.models import DicomSeries, DicomStudy

    rows = session.scalars(select(DicomSeries.modality).join(DicomStudy, DicomSeries.study_id == DicomStudy.id)
                           .where(DicomSeries.case_id == case_id, DicomStudy.study_instance_uid == study_uid)
                           .order_by(DicomSeries.series_number)).all()
    return next((m for m in rows if m and m not in ("SR", "DOC", "KO", "PR")), "")


def _instances(session: Session, case_id: str, sop_uids: Iterable[str], study_uid: str) -> list[Any]:
    from telehealth.dicom.models import DicomInstance, DicomStudy

    wanted = list(dict.fromkeys(sop_uids))
    rows = list(session.scalars(select(DicomInstance).where(
        DicomInstance.case_id == case_id, DicomInstance.sop_instance_uid.in_(wanted))).all()) if wanted else []
    found = {r.sop_instance_uid for r in rows}
    missing = [uid for uid in wanted if uid not in found]
    if missing:
        raise NoEvidence(f"referenced image {missing[0]} is not stored in this case")
    study_ids = set(session.scalars(select(DicomStudy.id).where(
        DicomStudy.case_id == case_id, DicomStudy.study_instance_uid == study_uid)).all())
    if not any(r.study_id in study_ids for r in rows):
        anchor = session.scalar(select(DicomInstance).where(
            DicomInstance.case_id == case_id, DicomInstance.study_id.in_(study_ids))
            .order_by(DicomInstance.created_at, DicomInstance.id).limit(1)) if study_ids else None
        if anchor is None:
            raise NoEvidence("the case has no stored images; DICOM outputs need the study they belong to")
        rows.insert(0, anchor)
    return rows


def _path(config: Any, digest: str) -> str:
    from telehealth.dicom.settings import blob_store

    store = blob_store(config)
    path = store.path(digest)
    if path is not None:
        return path
    # Object stores have no local path: copy the blob to a temporary file.
    handle, tmp = tempfile.mkstemp(suffix=".dcm")
    with os.fdopen(handle, "wb") as out, store.open(digest) as src:
        out.write(src.read())
    return tmp


def load_headers(session: Session, config: Any, case_id: str, sop_uids: Iterable[str],
                 study_uid: str) -> tuple[list[Dataset], dict[str, str]]:
    """Headers (no pixel data) of the referenced images plus one image of the case's study,
    that image first; and the file path of every one, by SOP Instance UID."""
    rows = _instances(session, case_id, sop_uids, study_uid)
    headers: list[Dataset] = []
    paths: dict[str, str] = {}
    for row in rows:
        path = _path(config, row.blob_sha256)
        paths[row.sop_instance_uid] = path
        headers.append(pydicom.dcmread(path, stop_before_pixels=True))
    headers.sort(key=lambda ds: ds.StudyInstanceUID != study_uid)
    return headers, paths


def live_annotations(session: Session, case_id: str, ids: Iterable[str]) -> list[Any]:
    """Live-session annotations of the case with these ids (none when the live feature is absent)."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return []
    try:
        from telehealth.live.models import Annotation
    except ImportError:
        return []
    return list(session.scalars(select(Annotation).where(
        Annotation.case_id == case_id, Annotation.id.in_(wanted), Annotation.deleted.is_(False))).all())


def case_annotations(session: Session, case_id: str) -> list[Any]:
    """Every live annotation of the case (for importing measurements into the report)."""
    try:
        from telehealth.live.models import Annotation
    except ImportError:
        return []
    return list(session.scalars(select(Annotation).where(
        Annotation.case_id == case_id, Annotation.deleted.is_(False)).order_by(Annotation.created_at)).all())
