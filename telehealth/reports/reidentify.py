"""Re-identification of report objects of an anonymous case, for delivery to the referrer who knows
the patient: the inverse of the case's UID replacement (PS3.15 E.3.9) and the patient module back."""
from __future__ import annotations

import copy
from collections.abc import Mapping
from io import BytesIO

import pydicom
from pydicom.dataset import Dataset
from sqlalchemy import select
from sqlalchemy.orm import Session

from telehealth.cases.models import Case


def original_uids(session: Session, case_id: str) -> dict[str, str]:
    """Replacement UID -> original UID of the case's de-identified images."""
    from telehealth.dicom.models import DicomUidMapping

    rows = session.execute(select(DicomUidMapping.replacement_uid, DicomUidMapping.original_uid)
                           .where(DicomUidMapping.case_id == case_id)).all()
    return {str(new): str(old) for new, old in rows}


def _map_uids(ds: Dataset, originals: Mapping[str, str]) -> None:
    for elem in ds:
        if elem.VR == "UI" and elem.value:
            if elem.VM > 1:
                elem.value = [originals.get(str(v), str(v)) for v in elem.value]
            else:
                elem.value = originals.get(str(elem.value), elem.value)
        elif elem.VR == "SQ":
            for item in elem.value:
                _map_uids(item, originals)


def reidentify(ds: Dataset, originals: Mapping[str, str], case: Case) -> Dataset:
    """A copy with the original study/series/instance UIDs and the case's patient identity."""
    out = copy.deepcopy(ds)
    _map_uids(out, originals)
    if case.patient_name:
        parts = case.patient_name.split()
        out.PatientName = f"{parts[-1]}^{' '.join(parts[:-1])}" if len(parts) > 1 else case.patient_name
    if case.patient_birth_date:
        out.PatientBirthDate = case.patient_birth_date.replace("-", "")
    if case.patient_sex:
        out.PatientSex = case.patient_sex
    if "PatientIdentityRemoved" in out:
        out.PatientIdentityRemoved = "NO"
    for keyword in ("DeidentificationMethod", "DeidentificationMethodCodeSequence"):
        if keyword in out:
            delattr(out, keyword)
    return out


def reidentify_bytes(data: bytes, originals: Mapping[str, str], case: Case) -> bytes:
    """Re-identify a DICOM Part 10 file."""
    ds = reidentify(pydicom.dcmread(BytesIO(data)), originals, case)
    buffer = BytesIO()
    ds.save_as(buffer, enforce_file_format=True)
    return buffer.getvalue()
