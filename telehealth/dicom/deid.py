"""De-identification with the PS3.15 Annex E Basic Application Level Confidentiality Profile.

The attribute table (PS3.15 table E.1-1, edition 2026c) comes as data from the `dicom-anonymizer`
package; the actions are applied here, recursively into sequences, with UIDs remapped consistently
through a caller-persisted `UidMap` so every study of one case keeps its internal references.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.sequence import Sequence
from pydicom.tag import BaseTag
from pydicom.uid import generate_uid

TABLE_EDITION = "dicomfields_2026c"
BASIC_PROFILE_CODE = ("113100", "DCM", "Basic Application Confidentiality Profile")
METHOD_TEXT = "PS3.15 E.1 Basic Application Level Confidentiality Profile"

# Where table E.1-1 allows several actions, the one chosen here (PS3.15 E.3.1 lets the implementer choose).
# X/Z/U* sequences are kept with their UIDs remapped so references between a case's objects survive.
CATEGORY_ACTION = {
    "D_TAGS": "D", "Z_TAGS": "Z", "X_TAGS": "X", "U_TAGS": "U", "Z_D_TAGS": "Z",
    "X_Z_TAGS": "X", "X_D_TAGS": "X", "X_Z_D_TAGS": "X", "X_Z_U_STAR_TAGS": "U*",
}

# Modalities and SOP classes whose pixels commonly carry burned-in identifying text (PS3.15 E.3.1 note).
_BURN_IN_MODALITIES = {"US", "SC", "OT", "XC", "ES", "DOC", "SM", "GM", "IVUS", "OP"}
_SECONDARY_CAPTURE_PREFIX = "1.2.840.10008.5.1.4.1.1.7"

_DUMMY_TEXT = {"AE": "ANON", "CS": "ANONYMIZED", "LO": "ANONYMIZED", "LT": "ANONYMIZED", "PN": "ANONYMIZED",
               "SH": "ANONYMIZED", "ST": "ANONYMIZED", "UC": "ANONYMIZED", "UT": "ANONYMIZED",
               "AS": "000Y", "DA": "19000101", "DT": "19000101000000", "TM": "000000", "IS": "0", "DS": "0",
               "UR": "http://anonymized.invalid"}


class UidMap:
    """Original-to-replacement UID pairs for one case; the caller persists `pairs` (PS3.15 E.3.9)."""

    def __init__(self, pairs: Mapping[str, str] | None = None) -> None:
        self.pairs: dict[str, str] = dict(pairs or {})
        self.added: dict[str, str] = {}

    def map(self, uid: str) -> str:
        """Replacement for `uid`, created (2.25 UUID-derived, PS3.5 B.2) on first sight."""
        uid = str(uid).strip().rstrip("\0")
        if not uid:
            return uid
        if uid not in self.pairs:
            self.pairs[uid] = self.added[uid] = generate_uid(prefix=None)
        return self.pairs[uid]

    def original(self, replacement: str) -> str | None:
        """Re-identify: the original UID behind `replacement`."""
        for old, new in self.pairs.items():
            if new == replacement:
                return old
        return None


@dataclass
class DeidResult:
    """What de-identification did to one dataset."""

    burned_in_annotation: str  # "YES", "NO" or "UNKNOWN" (flag, never passed silently)
    removed: int = 0
    emptied: int = 0
    replaced: int = 0
    uids_remapped: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        """True when the pixels may still show identifying text."""
        return self.burned_in_annotation != "NO"


@lru_cache(maxsize=1)
def profile_table() -> tuple[dict[int, str], tuple[tuple[int, int, int, int, str], ...]]:
    """Table E.1-1 as ({tag: action}, masked repeating-group rules)."""
    module = importlib.import_module(f"dicomanonymizer.dicom_anonymization_databases.{TABLE_EDITION}")
    exact: dict[int, str] = {}
    masked: list[tuple[int, int, int, int, str]] = []
    for category, action in CATEGORY_ACTION.items():
        for entry in getattr(module, category):
            if len(entry) == 2:
                exact[entry[0] << 16 | entry[1]] = action
            else:
                masked.append((entry[0], entry[1], entry[2], entry[3], action))
    return exact, tuple(masked)


def action_for(tag: BaseTag | int) -> str | None:
    """The profile's action code for `tag`, or None to keep it."""
    exact, masked = profile_table()
    tag = BaseTag(tag)
    if tag in exact:
        return exact[tag]
    for group, elem, gmask, emask, action in masked:
        if tag.group & gmask == group & gmask and tag.element & emask == elem & emask:
            return action
    return None


def burned_in_status(ds: Dataset) -> str:
    """'YES'/'NO' from Burned In Annotation (PS3.3 C.7.6.1.1.7), else UNKNOWN for high-risk kinds, else NO."""
    value = str(ds.get("BurnedInAnnotation", "")).strip().upper()
    if value in ("YES", "NO"):
        return value
    if str(ds.get("Modality", "")).upper() in _BURN_IN_MODALITIES:
        return "UNKNOWN"
    if str(ds.get("SOPClassUID", "")).startswith(_SECONDARY_CAPTURE_PREFIX):
        return "UNKNOWN"
    return "NO"


def deidentify(
    ds: Dataset,
    uids: UidMap,
    *,
    patient_name: str = "ANONYMOUS",
    patient_id: str = "",
) -> DeidResult:
    """Apply the Basic Profile to `ds` in place, with the case's pseudonymous patient name and ID."""
    result = DeidResult(burned_in_annotation=burned_in_status(ds))
    _apply(ds, uids, result)
    ds.remove_private_tags()  # PS3.15 E.1-1: private attributes X (no Retain Safe Private option)
    # Z allows a dummy value: one pseudonym per case keeps its studies under one patient.
    ds.PatientName = patient_name
    ds.PatientID = patient_id or patient_name
    ds.PatientIdentityRemoved = "YES"
    ds.DeidentificationMethod = METHOD_TEXT
    item = Dataset()
    item.CodeValue, item.CodingSchemeDesignator, item.CodeMeaning = BASIC_PROFILE_CODE
    ds.DeidentificationMethodCodeSequence = Sequence([item])
    if result.burned_in_annotation != "NO":
        result.notes.append("Pixel data may contain burned-in identifying text; review before sharing")
    meta = getattr(ds, "file_meta", None)
    if meta is not None and "SOPInstanceUID" in ds:
        meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
    return result


def _apply(ds: Dataset, uids: UidMap, result: DeidResult) -> None:
    """Walk `ds` depth-first, applying each element's action (sequences processed item by item)."""
    for tag in list(ds.keys()):
        elem = ds[tag]
        action = action_for(tag)
        if action == "X":
            del ds[tag]
            result.removed += 1
            continue
        if elem.VR == "SQ":
            # D, Z/D, U* on a sequence: keep its structure and de-identify its items.
            if action == "Z":
                elem.value = Sequence()
                result.emptied += 1
                continue
            for item in elem.value:
                _apply(item, uids, result)
            continue
        if action is None:
            continue
        if elem.VR == "UI" and action in ("U", "U*", "D", "Z"):
            _remap(elem, uids)
            result.uids_remapped += 1
        elif action == "Z":
            _empty(elem)
            result.emptied += 1
        elif action == "D":
            _dummy(elem)
            result.replaced += 1


def _remap(elem: DataElement, uids: UidMap) -> None:
    """Replace a (possibly multi-valued) UID consistently (PS3.15 E.3.9)."""
    if elem.VM > 1:
        elem.value = [uids.map(v) for v in elem.value]
    elif elem.value:
        elem.value = uids.map(elem.value)


def _empty(elem: DataElement) -> None:
    """Z: zero-length value."""
    elem.value = b"" if elem.VR in ("OB", "OW", "UN", "OD", "OF", "OL", "OV") else None


def _dummy(elem: DataElement) -> None:
    """D: a non-zero-length dummy value consistent with the VR."""
    if elem.VR in _DUMMY_TEXT:
        elem.value = _DUMMY_TEXT[elem.VR]
    elif elem.VR in ("US", "SS", "UL", "SL", "FL", "FD", "UV", "SV"):
        elem.value = 0
    else:
        elem.value = b"\0\0"


def identifying_attributes(ds: Dataset, keywords: Iterable[str] = ("PatientName", "PatientID")) -> dict[str, str]:
    """The identifying values de-identification will remove, for the server-side re-identification record."""
    return {k: str(ds.get(k, "")) for k in keywords}


def with_table_action(predicate: Callable[[str], bool]) -> list[int]:
    """Tags whose profile action satisfies `predicate` (for tests and documentation)."""
    exact, _ = profile_table()
    return sorted(t for t, a in exact.items() if predicate(a))
