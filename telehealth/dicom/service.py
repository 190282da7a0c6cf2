"""Ingest: validate, de-identify when the case is anonymous, store the blob and index the instance atomically."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

import pydicom
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from telehealth.accounts.models import User
from telehealth.audit.service import record
from telehealth.cases.models import Case
from telehealth.db import utcnow

from .deid import UidMap, deidentify
from .expand import UploadItem
from .models import DicomInstance, DicomPatient, DicomSeries, DicomStudy, DicomUidMapping, DicomUpload
from .parse import InvalidInstance, ParsedInstance, collect_pydicom_warnings, parse_instance
from .storage import BlobStore, sha256_file


@dataclass
class InstanceResult:
    """The outcome for one file: stored, duplicate, rejected or conflict (with a reason)."""

    name: str
    status: str
    reason: str | None = None
    message: str | None = None
    sop_class_uid: str | None = None
    sop_instance_uid: str | None = None
    study_instance_uid: str | None = None
    series_instance_uid: str | None = None
    burned_in_annotation: str | None = None
    warnings: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, without empty fields."""
        return {k: v for k, v in asdict(self).items() if v not in (None, [])}


def identity_key(patient_id: str, name: str, birth_date: str) -> str:
    """A stable key of a patient identity as the images state it."""
    return hashlib.sha256(f"{patient_id}|{name.upper()}|{birth_date}".encode()).hexdigest()


def load_uid_map(session: Session, case_id: str) -> UidMap:
    """The case's de-identification UID map."""
    rows = session.execute(
        select(DicomUidMapping.original_uid, DicomUidMapping.replacement_uid).where(DicomUidMapping.case_id == case_id)
    ).all()
    return UidMap({o: r for o, r in rows})


def start_upload(session: Session, case: Case, user: User | None, source: str = "upload") -> DicomUpload:
    """Create and commit the upload record that results are attached to."""
    upload = DicomUpload(case_id=case.id, user_id=user.id if user else None, source=source)
    session.add(upload)
    session.commit()
    return upload


def ingest_items(
    session: Session, store: BlobStore, case: Case, user: User | None, items: Iterable[UploadItem],
    upload: DicomUpload,
) -> list[InstanceResult]:
    """Ingest each file on its own (one failure never undoes another); returns results in order."""
    results = []
    for item in items:
        result = ingest_file(session, store, case, item.path, name=item.name, upload_id=upload.id)
        results.append(result)
    return results


def finish_upload(session: Session, upload: DicomUpload, results: list[InstanceResult], user: User | None,
                  error: str | None = None) -> DicomUpload:
    """Record counts and results, audit the upload, commit."""
    upload.results = [r.to_dict() for r in results]
    upload.stored = sum(r.status == "stored" for r in results)
    upload.duplicate = sum(r.status == "duplicate" for r in results)
    upload.rejected = sum(r.status in ("rejected", "conflict") for r in results)
    upload.status = "failed" if error else "done"
    upload.error = error
    upload.finished_at = utcnow()
    record(session, actor=user, action="dicom.uploaded", entity_type="dicom_upload", entity_id=upload.id,
           case_id=upload.case_id, outcome="failure" if error else "success",
           details={"stored": upload.stored, "duplicate": upload.duplicate, "rejected": upload.rejected,
                    "source": upload.source, "error": error})
    session.commit()
    return upload


def ingest_file(
    session: Session, store: BlobStore, case: Case, path: str, *, name: str, upload_id: str | None = None,
    expected_study_uid: str | None = None,
) -> InstanceResult:
    """Validate and store one file; all-or-nothing, idempotent on SOP Instance UID + content hash."""
    try:
        parsed = parse_instance(path)
    except InvalidInstance as exc:
        return InstanceResult(name, "rejected", exc.code, exc.message)
    if expected_study_uid and parsed.study_instance_uid != expected_study_uid:
        return InstanceResult(name, "rejected", "study_mismatch",
                              "The instance belongs to another study than the one addressed",
                              sop_class_uid=parsed.sop_class_uid, sop_instance_uid=parsed.sop_instance_uid)
    if not case.anonymous:
        return _store(session, store, case, parsed, path, name, upload_id, parsed.burned_in_annotation, None)
    deid_path = path + ".deid"
    try:
        mapping, burned = _deidentify_copy(session, case, path, deid_path)
        parsed = parse_instance(deid_path)
        return _store(session, store, case, parsed, deid_path, name, upload_id, burned, mapping)
    except InvalidInstance as exc:
        session.rollback()
        return InstanceResult(name, "rejected", exc.code, f"After de-identification: {exc.message}")
    except (ValueError, TypeError, KeyError, AttributeError, NotImplementedError) as exc:
        # Never store an anonymous case's instance that could not be de-identified.
        session.rollback()
        return InstanceResult(name, "rejected", "deidentification_failed", f"Cannot de-identify: {exc}")
    finally:
        if os.path.exists(deid_path):
            os.unlink(deid_path)


@dataclass
class _Pending:
    """A parsed instance whose blob is stored and whose index rows are still to be written."""

    n: int
    parsed: ParsedInstance
    blob: Any
    result: InstanceResult


def ingest_batch(
    session: Session, store: BlobStore, case: Case, user: User | None,
    items: list[tuple[str, str] | InstanceResult], *, source: str, expected_study_uid: str | None = None,
    hashed: dict[str, tuple[str, int]] | None = None,
) -> list[InstanceResult]:
    """Ingest several files of a case that is not anonymous, indexing them in one transaction.

    `items` are (path, name), or a result already decided (kept in its place). Same outcome per file
    as `ingest_file` (each instance all-or-nothing in its own SAVEPOINT, one failure never undoes
    another), but blobs are written first and the upload record, every index row and the audit event
    are committed together: one commit (one fsync) per request, not per instance. The transaction
    starts with a write (the upload row), so on SQLite it takes the write lock at once.

    `hashed` gives, per path, the sha256 and size computed while the file was received: such a temp file is
    moved into the store rather than copied, and its directory entry is made durable with the others, once,
    before the index is committed.
    """
    assert not case.anonymous, "anonymous cases are de-identified one file at a time (ingest_file)"
    results: list[InstanceResult | None] = [None] * len(items)
    todo: list[tuple[int, ParsedInstance, str, str]] = []
    for n, item in enumerate(items):
        if isinstance(item, InstanceResult):
            results[n] = item
            continue
        path, name = item
        try:
            parsed = parse_instance(path)
        except InvalidInstance as exc:
            results[n] = InstanceResult(name, "rejected", exc.code, exc.message)
            continue
        if expected_study_uid and parsed.study_instance_uid != expected_study_uid:
            results[n] = InstanceResult(name, "rejected", "study_mismatch",
                                        "The instance belongs to another study than the one addressed",
                                        sop_class_uid=parsed.sop_class_uid,
                                        sop_instance_uid=parsed.sop_instance_uid)
            continue
        todo.append((n, parsed, path, name))
    known: dict[str, str] = {uid: digest for uid, digest in session.execute(
        select(DicomInstance.sop_instance_uid, DicomInstance.blob_sha256).where(
            DicomInstance.case_id == case.id,
            DicomInstance.sop_instance_uid.in_({p.sop_instance_uid for _, p, _, _ in todo}))
    )} if todo else {}
    pending: list[_Pending] = []
    hashed = hashed or {}
    try:
        for n, parsed, path, name in todo:
            base = _result(parsed, name, parsed.burned_in_annotation)
            digest, size = hashed.get(path, ("", 0))
            if parsed.sop_instance_uid in known:
                results[n] = _same_uid_digest(known[parsed.sop_instance_uid], digest or sha256_file(path), base)
            else:
                blob = store.adopt(path, digest, size, sync=False) if digest else store.put_file(path)
                pending.append(_Pending(n, parsed, blob, base))
        # Before the index commit; blobs that were there already too (a concurrent request may not have synced).
        store.sync([q.blob.sha256 for q in pending])
        upload = DicomUpload(case_id=case.id, user_id=user.id if user else None, source=source)
        session.add(upload)
        session.flush()
        # A stable order, so concurrent requests create shared patient/study/series rows in the same order.
        pending.sort(key=lambda q: (q.parsed.study_instance_uid, q.parsed.series_instance_uid,
                                    q.parsed.sop_instance_uid))
        _index_all(session, case, pending, upload.id)
        for q in pending:
            results[q.n] = q.result
        done = [r for r in results if r is not None]
        finish_upload(session, upload, done, user)
    except BaseException:
        session.rollback()
        for q in pending:
            _drop_unreferenced(session, store, q.blob.sha256, q.blob.created)
        raise
    for q in pending:
        if q.result.status != "stored":
            _drop_unreferenced(session, store, q.blob.sha256, q.blob.created)
    return done


def _result(parsed: ParsedInstance, name: str, burned: str) -> InstanceResult:
    return InstanceResult(
        name, "stored", sop_class_uid=parsed.sop_class_uid, sop_instance_uid=parsed.sop_instance_uid,
        study_instance_uid=parsed.study_instance_uid, series_instance_uid=parsed.series_instance_uid,
        burned_in_annotation=burned or None, warnings=list(parsed.warnings[:5]),
    )


class _SeriesElsewhere(Exception):
    """The series already belongs to another study of the case."""


def _index_all(session: Session, case: Case, pending: list[_Pending], upload_id: str) -> None:
    """The index rows of every instance: all in one SAVEPOINT when nothing clashes (the usual case),
    else each instance in its own SAVEPOINT so that one failure never undoes another."""
    if not pending:
        return
    try:
        with session.begin_nested():
            rows: dict[str, tuple[DicomStudy, DicomSeries]] = {}
            for q in pending:
                session.add(_index_rows(session, case, q, upload_id, rows))
        return
    except (_SeriesElsewhere, IntegrityError):
        pass
    for q in pending:
        _index_one(session, case, q, upload_id)


def _index_rows(session: Session, case: Case, q: _Pending, upload_id: str,
                rows: dict[str, tuple[DicomStudy, DicomSeries]]) -> DicomInstance:
    """The instance row, with its study and series found or created (looked up once per series)."""
    p = q.parsed
    if (known := rows.get(p.series_instance_uid)) is not None and known[0].study_instance_uid == p.study_instance_uid:
        study, series = known
    else:
        study = _study(session, case, p)
        series = _series(session, case, study, p)
        if series.study_id != study.id:
            raise _SeriesElsewhere
        rows[p.series_instance_uid] = study, series
    return _instance_row(case, study, series, p, q.blob, upload_id, p.burned_in_annotation, False)


def _index_one(session: Session, case: Case, q: _Pending, upload_id: str) -> None:
    """The index rows of one instance inside its own SAVEPOINT; the outcome goes into q.result."""
    base = q.result
    try:
        with session.begin_nested():
            session.add(_index_rows(session, case, q, upload_id, {}))
    except _SeriesElsewhere:
        base.status, base.reason = "rejected", "series_in_other_study"
        base.message = "This Series Instance UID already belongs to another study of the case"
    except IntegrityError:
        # The same SOP Instance UID was stored first (by a concurrent upload, or earlier in this request).
        existing = _existing(session, case.id, q.parsed.sop_instance_uid)
        if existing is None:
            raise
        _same_uid_result(existing, q.blob.sha256, base)


def _same_uid_digest(stored_digest: str, digest: str, base: InstanceResult) -> InstanceResult:
    if stored_digest == digest:
        base.status = "duplicate"
        base.message = "This instance is already stored"
    else:
        base.status, base.reason = "conflict", "uid_conflict"
        base.message = "A different object is already stored under this SOP Instance UID"
    return base


def _deidentify_copy(session: Session, case: Case, path: str, out: str) -> tuple[UidMap, str]:
    """Write a de-identified copy of `path` to `out` (PS3.15 E.1); returns the case's UID map and burn-in flag."""
    # One anonymous ingest per case at a time, so concurrent uploads share one UID map (row lock until commit).
    session.execute(select(Case.id).where(Case.id == case.id).with_for_update())
    mapping = load_uid_map(session, case.id)
    with collect_pydicom_warnings():
        ds = pydicom.dcmread(path)
        result = deidentify(ds, mapping, patient_name=f"ANONYMOUS^{case.id[:8].upper()}",
                            patient_id=f"ANON-{case.id[:8].upper()}")
        ds.save_as(out, enforce_file_format=True)
    return mapping, result.burned_in_annotation


def _existing(session: Session, case_id: str, sop_uid: str) -> DicomInstance | None:
    return session.scalar(
        select(DicomInstance).where(DicomInstance.case_id == case_id, DicomInstance.sop_instance_uid == sop_uid)
    )


def _same_uid_result(existing: DicomInstance, digest: str, base: InstanceResult) -> InstanceResult:
    return _same_uid_digest(existing.blob_sha256, digest, base)


def _store(
    session: Session, store: BlobStore, case: Case, parsed: ParsedInstance, path: str, name: str,
    upload_id: str | None, burned: str, mapping: UidMap | None,
) -> InstanceResult:
    """Blob first (idempotent, content-addressed), then the index rows in one transaction."""
    base = _result(parsed, name, burned)
    existing = _existing(session, case.id, parsed.sop_instance_uid)
    if existing is not None:
        return _same_uid_result(existing, sha256_file(path), base)
    blob = store.put_file(path)
    digest = blob.sha256  # put_file hashes while it copies: no second read of the file
    for attempt in range(3):
        try:
            if mapping is not None:
                for original, replacement in mapping.added.items():
                    session.add(DicomUidMapping(case_id=case.id, original_uid=original,
                                                replacement_uid=replacement))
            study = _study(session, case, parsed)
            series = _series(session, case, study, parsed)
            if series.study_id != study.id:
                session.rollback()
                _drop_unreferenced(session, store, blob.sha256, blob.created)
                base.status, base.reason = "rejected", "series_in_other_study"
                base.message = "This Series Instance UID already belongs to another study of the case"
                return base
            session.add(_instance_row(case, study, series, parsed, blob, upload_id, burned, mapping is not None))
            session.commit()
            return base
        except IntegrityError:
            # A concurrent upload created the same patient, study, series or instance first.
            session.rollback()
            existing = _existing(session, case.id, parsed.sop_instance_uid)
            if existing is not None:
                return _same_uid_result(existing, digest, base)
            if attempt == 2:
                _drop_unreferenced(session, store, blob.sha256, blob.created)
                raise
        except BaseException:
            session.rollback()
            _drop_unreferenced(session, store, blob.sha256, blob.created)
            raise
    raise AssertionError("unreachable")


def _instance_row(case: Case, study: DicomStudy, series: DicomSeries, parsed: ParsedInstance, blob: Any,
                  upload_id: str | None, burned: str, deidentified: bool) -> DicomInstance:
    """The index row of a stored instance."""
    return DicomInstance(
        case_id=case.id, study_id=study.id, series_id=series.id, upload_id=upload_id,
        sop_instance_uid=parsed.sop_instance_uid, sop_class_uid=parsed.sop_class_uid,
        transfer_syntax_uid=parsed.transfer_syntax_uid, instance_number=parsed.instance_number,
        number_of_frames=parsed.number_of_frames, rows=parsed.rows, columns=parsed.columns,
        bits_allocated=parsed.bits_allocated, photometric_interpretation=parsed.photometric_interpretation,
        blob_sha256=blob.sha256, size=blob.size, burned_in_annotation=burned or "", deidentified=deidentified,
    )


def _drop_unreferenced(session: Session, store: BlobStore, digest: str, created: bool) -> None:
    """Remove a blob this call created when no instance points at it (leave nothing behind)."""
    if created and not session.scalar(select(func.count()).where(DicomInstance.blob_sha256 == digest)):
        store.delete(digest)


def _get_or_create(session: Session, query: Any, make: Callable[[], Any]) -> Any:
    """The row `query` finds, or a new one from `make()`; safe when two uploads race to create it.

    The insert runs in a SAVEPOINT: if a concurrent upload committed the same row first, the
    unique constraint fires, only the savepoint is rolled back, and the winner's row is used.
    """
    row = session.scalar(query)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = make()
            session.add(row)
    except IntegrityError:
        row = session.scalar(query)
        if row is None:
            raise
    return row


def _patient(session: Session, case: Case, p: ParsedInstance) -> DicomPatient:
    key = identity_key(p.patient_id, p.patient_name, p.patient_birth_date)
    return _get_or_create(
        session,
        select(DicomPatient).where(DicomPatient.case_id == case.id, DicomPatient.identity_key == key),
        lambda: DicomPatient(case_id=case.id, identity_key=key, patient_id=p.patient_id[:64],
                             patient_name=p.patient_name[:330], patient_birth_date=p.patient_birth_date[:16],
                             patient_sex=p.patient_sex[:16]),
    )


def _study(session: Session, case: Case, p: ParsedInstance) -> DicomStudy:
    patient = _patient(session, case, p)
    return _get_or_create(
        session,
        select(DicomStudy).where(DicomStudy.case_id == case.id, DicomStudy.study_instance_uid == p.study_instance_uid),
        lambda: DicomStudy(
            case_id=case.id, patient_ref_id=patient.id, study_instance_uid=p.study_instance_uid,
            patient_id=p.patient_id[:64], patient_name=p.patient_name[:330],
            patient_birth_date=p.patient_birth_date[:16], patient_sex=p.patient_sex[:16],
            study_date=p.study_date[:16], study_time=p.study_time[:32], accession_number=p.accession_number[:64],
            study_description=p.study_description[:200], referring_physician_name=p.referring_physician_name[:330],
            study_id=p.study_id[:32],
        ),
    )


def _series(session: Session, case: Case, study: DicomStudy, p: ParsedInstance) -> DicomSeries:
    return _get_or_create(
        session,
        select(DicomSeries).where(DicomSeries.case_id == case.id,
                                  DicomSeries.series_instance_uid == p.series_instance_uid),
        lambda: DicomSeries(
            case_id=case.id, study_id=study.id, series_instance_uid=p.series_instance_uid,
            modality=p.modality[:16], series_number=p.series_number, series_description=p.series_description[:200],
            body_part_examined=p.body_part_examined[:64],
        ),
    )


def patients(session: Session, case_id: str) -> list[DicomPatient]:
    """Patient identities found in a case's images, oldest first."""
    return list(session.scalars(
        select(DicomPatient).where(DicomPatient.case_id == case_id).order_by(DicomPatient.created_at)
    ))


def patient_mismatch(session: Session, case_id: str) -> bool:
    """True when the images name more than one patient and not all were confirmed."""
    rows = patients(session, case_id)
    return len(rows) > 1 and any(r.confirmed_at is None for r in rows)


def confirm_patient(session: Session, user: User, case_id: str, patient_ref_id: str) -> DicomPatient:
    """The case owner confirms that an identity found in the images belongs to this consult."""
    from telehealth.errors import NotFound

    row = session.get(DicomPatient, patient_ref_id)
    if row is None or row.case_id != case_id:
        raise NotFound("No such patient in this case's images", code="patient_not_found")
    row.confirmed_at, row.confirmed_by_id = utcnow(), user.id
    record(session, actor=user, action="dicom.patient.confirmed", entity_type="dicom_patient",
           entity_id=row.id, case_id=case_id)
    session.commit()
    return row


def original_uid(session: Session, case_id: str, replacement_uid: str) -> str | None:
    """Re-identify: the original UID behind a de-identified one of this case (for report delivery)."""
    return session.scalar(select(DicomUidMapping.original_uid).where(
        DicomUidMapping.case_id == case_id, DicomUidMapping.replacement_uid == replacement_uid))
