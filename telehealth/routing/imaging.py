"""What imaging a case holds (modalities, body parts): the one place routing asks the DICOM index."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth.cases.models import Case
from telehealth.routing.models import CaseRouting


def case_imaging(session: Session, case: Case) -> tuple[set[str], set[str]]:
    """(modalities, body parts) in upper case: from the case's indexed series, else the routing hints."""
    modalities: set[str] = set()
    body_parts: set[str] = set()
    try:
        from telehealth.dicom.models import DicomSeries
    except ImportError:  # the DICOM feature is optional for routing
        DicomSeries = None  # type: ignore[assignment,misc]  # noqa: N806
    if DicomSeries is not None:
        rows = session.execute(select(DicomSeries.modality, DicomSeries.body_part_examined)
                               .where(DicomSeries.case_id == case.id)).all()
        modalities = {m.strip().upper() for m, _ in rows if m and m.strip()}
        body_parts = {b.strip().upper() for _, b in rows if b and b.strip()}
    if not modalities or not body_parts:
        hints = session.get(CaseRouting, case.id)
        if hints is not None:
            if not modalities and hints.modality:
                modalities = {hints.modality.upper()}
            if not body_parts and hints.body_part:
                body_parts = {hints.body_part.upper()}
    return modalities, body_parts
