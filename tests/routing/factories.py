"""Helpers shared by the routing and notification tests: profiles, DICOM series, a frozen clock."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select

from telehealth.accounts.models import User
from telehealth.cases.models import Case, Offer
from telehealth.extensions import db
from telehealth.notifications.models import Notification
from telehealth.routing.models import SpecialistProfile

# A Monday, 10:00 UTC: inside everyone's default working day.
MONDAY_10 = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def add_profile(user: User, *, specialties: Iterable[str] = ("radiology",), subspecialties: Iterable[str] = (),
                modalities: Iterable[str] = (), regions: Iterable[str] = ("EU-DE",),
                languages: Iterable[str] = ("en",), capacity: int = 5, tz: str = "UTC",
                hours: dict[str, Any] | None = None, absences: list[dict[str, Any]] | None = None,
                accepting: bool = True) -> SpecialistProfile:
    """Give a specialist a routing profile."""
    p = SpecialistProfile(user_id=user.id, specialties=list(specialties), subspecialties=list(subspecialties),
                          modalities=list(modalities), licensed_regions=list(regions), languages=list(languages),
                          capacity=capacity, time_zone=tz, working_hours=hours or {}, absences=absences or [],
                          accepting=accepting)
    db.session.add(p)
    db.session.commit()
    return p


def add_series(case: Case, modality: str, body_part: str) -> None:
    """Index one DICOM series for the case (what an upload would leave in the DICOM index)."""
    from telehealth.db import new_id
    from telehealth.dicom.models import DicomPatient, DicomSeries, DicomStudy

    patient = DicomPatient(case_id=case.id, identity_key=new_id().replace("-", ""))
    db.session.add(patient)
    db.session.flush()
    study = DicomStudy(case_id=case.id, patient_ref_id=patient.id, study_instance_uid=f"2.25.{abs(hash(new_id()))}")
    db.session.add(study)
    db.session.flush()
    db.session.add(DicomSeries(case_id=case.id, study_id=study.id, series_instance_uid=f"2.25.{abs(hash(new_id()))}",
                               modality=modality, body_part_examined=body_part))
    db.session.commit()


def offers_of(case: Case) -> list[tuple[str, str]]:
    """(specialist name, offer status) in the order the offers were made."""
    rows = db.session.scalars(select(Offer).where(Offer.case_id == case.id).order_by(Offer.created_at, Offer.id))
    return [(o.specialist.name, o.status) for o in rows]


def pending_to(case: Case) -> str | None:
    """Name of the specialist holding the open offer, if any."""
    db.session.expire_all()
    o = db.session.scalar(select(Offer).where(Offer.case_id == case.id, Offer.status == "pending"))
    return o.specialist.name if o else None


def notifications(user: User, kind: str | None = None, case: Case | None = None) -> list[Notification]:
    """The user's stored notifications (optionally of one kind / case), oldest first."""
    q = select(Notification).where(Notification.user_id == user.id)
    if kind:
        q = q.where(Notification.kind == kind)
    if case is not None:
        q = q.where(Notification.case_id == case.id)
    return list(db.session.scalars(q.order_by(Notification.created_at, Notification.id)))


def count(model: Any, *where: Any) -> int:
    """Rows of a model matching conditions."""
    return db.session.scalar(select(func.count()).select_from(model).where(*where)) or 0
