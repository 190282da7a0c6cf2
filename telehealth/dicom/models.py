"""The per-case DICOM index (patient/study/series/instance), uploads, de-identification map and share links."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from telehealth.db import Base, UTCDateTime, new_id, utcnow


class DicomPatient(Base):
    """A distinct patient identity seen in a case's images; more than one unconfirmed is flagged."""

    __tablename__ = "dicom_patient"
    __table_args__ = (UniqueConstraint("case_id", "identity_key", name="uq_dicom_patient_case_identity"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    identity_key: Mapped[str] = mapped_column(String(64))  # sha256 of id|name|birth date
    patient_id: Mapped[str] = mapped_column(String(64), default="")
    patient_name: Mapped[str] = mapped_column(String(330), default="")
    patient_birth_date: Mapped[str] = mapped_column(String(16), default="")
    patient_sex: Mapped[str] = mapped_column(String(16), default="")
    confirmed_by_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DicomStudy(Base):
    """A study of a case with the study-level attributes QIDO-RS matches on (PS3.18 table 10.6.1-5)."""

    __tablename__ = "dicom_study"
    __table_args__ = (UniqueConstraint("case_id", "study_instance_uid", name="uq_dicom_study_case_uid"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    patient_ref_id: Mapped[str] = mapped_column(ForeignKey("dicom_patient.id"))
    study_instance_uid: Mapped[str] = mapped_column(String(64), index=True)
    patient_id: Mapped[str] = mapped_column(String(64), default="")
    patient_name: Mapped[str] = mapped_column(String(330), default="")
    patient_birth_date: Mapped[str] = mapped_column(String(16), default="")
    patient_sex: Mapped[str] = mapped_column(String(16), default="")
    study_date: Mapped[str] = mapped_column(String(16), default="")
    study_time: Mapped[str] = mapped_column(String(32), default="")
    accession_number: Mapped[str] = mapped_column(String(64), default="")
    study_description: Mapped[str] = mapped_column(String(200), default="")
    referring_physician_name: Mapped[str] = mapped_column(String(330), default="")
    study_id: Mapped[str] = mapped_column(String(32), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    series: Mapped[list[DicomSeries]] = relationship(back_populates="study", cascade="all, delete-orphan")


class DicomSeries(Base):
    """A series of a study (PS3.18 table 10.6.1-6)."""

    __tablename__ = "dicom_series"
    __table_args__ = (UniqueConstraint("case_id", "series_instance_uid", name="uq_dicom_series_case_uid"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    study_id: Mapped[str] = mapped_column(ForeignKey("dicom_study.id", ondelete="CASCADE"), index=True)
    series_instance_uid: Mapped[str] = mapped_column(String(64), index=True)
    modality: Mapped[str] = mapped_column(String(16), default="")
    series_number: Mapped[int | None] = mapped_column(Integer, default=None)
    series_description: Mapped[str] = mapped_column(String(200), default="")
    body_part_examined: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    study: Mapped[DicomStudy] = relationship(back_populates="series")
    instances: Mapped[list[DicomInstance]] = relationship(back_populates="series", cascade="all, delete-orphan")


class DicomInstance(Base):
    """A stored instance: its index attributes and the sha256 of its blob (PS3.18 table 10.6.1-7)."""

    __tablename__ = "dicom_instance"
    __table_args__ = (
        UniqueConstraint("case_id", "sop_instance_uid", name="uq_dicom_instance_case_uid"),
        Index("ix_dicom_instance_blob", "blob_sha256"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    study_id: Mapped[str] = mapped_column(ForeignKey("dicom_study.id", ondelete="CASCADE"), index=True)
    series_id: Mapped[str] = mapped_column(ForeignKey("dicom_series.id", ondelete="CASCADE"), index=True)
    upload_id: Mapped[str | None] = mapped_column(ForeignKey("dicom_upload.id", ondelete="SET NULL"), default=None)
    sop_instance_uid: Mapped[str] = mapped_column(String(64))
    sop_class_uid: Mapped[str] = mapped_column(String(64))
    transfer_syntax_uid: Mapped[str] = mapped_column(String(64))
    instance_number: Mapped[int | None] = mapped_column(Integer, default=None)
    number_of_frames: Mapped[int] = mapped_column(Integer, default=0)
    rows: Mapped[int | None] = mapped_column(Integer, default=None)
    columns: Mapped[int | None] = mapped_column(Integer, default=None)
    bits_allocated: Mapped[int | None] = mapped_column(Integer, default=None)
    photometric_interpretation: Mapped[str] = mapped_column(String(32), default="")
    blob_sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(BigInteger)
    burned_in_annotation: Mapped[str] = mapped_column(String(16), default="")  # YES/NO/UNKNOWN or ''
    deidentified: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    series: Mapped[DicomSeries] = relationship(back_populates="instances")


class DicomUpload(Base):
    """One upload request (files, ZIP, folder or STOW-RS) and its per-instance results."""

    __tablename__ = "dicom_upload"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str | None] = mapped_column(ForeignKey("user_account.id"), default=None)
    source: Mapped[str] = mapped_column(String(16), default="upload")  # upload | stow
    status: Mapped[str] = mapped_column(String(16), default="processing")  # processing | done | failed
    stored: Mapped[int] = mapped_column(Integer, default=0)
    duplicate: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    results: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class DicomUidMapping(Base):
    """Original to replacement UIDs of an anonymous case, kept server-side for re-identification."""

    __tablename__ = "dicom_uid_mapping"
    __table_args__ = (
        UniqueConstraint("case_id", "original_uid", name="uq_dicom_uid_mapping_original"),
        UniqueConstraint("case_id", "replacement_uid", name="uq_dicom_uid_mapping_replacement"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    original_uid: Mapped[str] = mapped_column(String(64))
    replacement_uid: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShareLink(Base):
    """A read-only capability URL to a case's images, with expiry, optional passcode and use limit."""

    __tablename__ = "share_link"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    created_by_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(200), default="")
    passcode_hash: Mapped[str | None] = mapped_column(String(200), default=None)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    max_uses: Mapped[int | None] = mapped_column(Integer, default=None)
    use_count: Mapped[int] = mapped_column(Integer, default=0)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ShareLinkAccess(Base):
    """One visit through a share link (a use), or a refused attempt."""

    __tablename__ = "share_link_access"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    link_id: Mapped[str] = mapped_column(ForeignKey("share_link.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(64), default=None)
    user_agent: Mapped[str | None] = mapped_column(String(300), default=None)
    path: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[str] = mapped_column(String(20), default="success")  # success | denied


class ResumableUpload(Base):
    """A tus 1.0 upload in progress (resumable), assembled under DATA_DIR/tus before ingest."""

    __tablename__ = "dicom_resumable_upload"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    case_id: Mapped[str] = mapped_column(ForeignKey("case.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("user_account.id"))
    filename: Mapped[str] = mapped_column(String(255), default="")
    length: Mapped[int] = mapped_column(BigInteger)
    offset: Mapped[int] = mapped_column(BigInteger, default=0)
    upload_id: Mapped[str | None] = mapped_column(ForeignKey("dicom_upload.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
