"""The DICOM JSON model (PS3.18 F.2) and QIDO-RS matching rules (PS3.18 8.3.4, PS3.4 C.2.2.2)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydicom.datadict import dictionary_VR, tag_for_keyword
from pydicom.dataelem import DataElement
from pydicom.dataset import Dataset
from pydicom.tag import BaseTag, Tag

BULK_THRESHOLD = 1024  # bytes; larger binary values are sent as BulkDataURI
_BINARY_VRS = {"OB", "OD", "OF", "OL", "OV", "OW", "UN"}
_UID_SPLIT = re.compile(r"[,\\]")


def to_json(ds: Dataset, bulk_uri: Callable[[BaseTag], str] | None = None,
            pixel_uri: str | None = None, pixel_vr: str = "OW") -> dict[str, Any]:
    """Dataset to a DICOM JSON object; large binary values become BulkDataURI (PS3.18 F.2.6)."""

    def handler(elem: DataElement) -> str:
        return bulk_uri(elem.tag) if bulk_uri else ""

    out = ds.to_json_dict(bulk_data_threshold=BULK_THRESHOLD, bulk_data_element_handler=handler)
    if not bulk_uri:
        for key, value in list(out.items()):
            if value.get("BulkDataURI") == "":
                del out[key]
    if pixel_uri:
        out["7FE00010"] = {"vr": pixel_vr, "BulkDataURI": pixel_uri}
    return out


def attribute_tag(key: str) -> BaseTag | None:
    """A QIDO attribute given as keyword or 8 hex digits (PS3.18 8.3.4.1), None if unknown."""
    key = key.strip()
    if re.fullmatch(r"[0-9A-Fa-f]{8}", key):
        return Tag(int(key, 16))
    tag = tag_for_keyword(key)
    return Tag(tag) if tag is not None else None


def keyword_vr(tag: BaseTag) -> str:
    """The dictionary VR of a tag, 'UN' when unknown."""
    try:
        return dictionary_VR(tag)
    except KeyError:
        return "UN"


@dataclass(frozen=True)
class Match:
    """One parsed QIDO match: kind is exact, wildcard, range or uids."""

    kind: str
    value: Any


def parse_match(vr: str, raw: str) -> Match:
    """Interpret a query value by VR: wildcards (* ?), date/time ranges, UID lists (PS3.4 C.2.2.2)."""
    if vr == "UI":
        uids = [u.strip() for u in _UID_SPLIT.split(raw) if u.strip()]
        return Match("uids", uids)
    if vr in ("DA", "TM", "DT") and "-" in raw:
        low, _, high = raw.partition("-")
        if vr == "DA":
            for part in (low, high):
                if part and not re.fullmatch(r"\d{8}", part):
                    raise ValueError(f"Invalid date {part!r} (YYYYMMDD expected)")
        return Match("range", (low or None, high or None))
    if vr == "DA" and raw and not re.fullmatch(r"\d{8}", raw):
        raise ValueError(f"Invalid date {raw!r} (YYYYMMDD expected)")
    if "*" in raw or "?" in raw:
        return Match("wildcard", raw)
    return Match("exact", raw)


def like_pattern(wildcard: str) -> str:
    """Translate DICOM wildcards to a SQL LIKE pattern with '\\' as the escape character."""
    escaped = wildcard.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return escaped.replace("*", "%").replace("?", "_")


def matches(value: str | None, match: Match, *, fold_case: bool = False) -> bool:
    """Python-side evaluation of a Match (used where SQL is not, and in tests)."""
    value = value or ""
    if match.kind == "uids":
        return value in match.value
    if match.kind == "range":
        low, high = match.value
        return bool(value) and (low is None or value >= low) and (high is None or value[: len(high)] <= high)
    if match.kind == "wildcard":
        regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in match.value)
        return re.fullmatch(regex, value, re.IGNORECASE if fold_case else 0) is not None
    return value.lower() == match.value.lower() if fold_case else value == match.value


def element(keyword: str, value: Any) -> DataElement:
    """A data element by keyword with its dictionary VR."""
    number = tag_for_keyword(keyword)
    if number is None:
        raise KeyError(keyword)
    tag = Tag(number)
    return DataElement(tag, dictionary_VR(tag), value)


def qido_dataset(values: dict[str, Any]) -> Dataset:
    """A Dataset from keyword values, skipping None (what QIDO results are built from)."""
    ds = Dataset()
    for keyword, value in values.items():
        if value is None:
            continue
        ds.add(element(keyword, value))
    return ds


# VRs whose DICOM JSON is the plain value list (PS3.18 F.2.3); PN gets its Alphabetic group (F.2.2).
_STRING_VRS = {"AE", "AS", "CS", "DA", "DT", "LO", "SH", "TM", "UI", "UR", "UC", "PN"}
_INT_VRS = {"IS", "US", "UL", "SS", "SL"}
_KEYWORD_TAGS: dict[str, tuple[str, str]] = {}


def _tag_vr(keyword: str) -> tuple[str, str] | None:
    hit = _KEYWORD_TAGS.get(keyword)
    if hit is None:
        number = tag_for_keyword(keyword)
        if number is None:
            return None
        hit = _KEYWORD_TAGS[keyword] = (f"{number:08X}", dictionary_VR(Tag(number)))
    return hit


def _simple_strings(items: list[Any]) -> bool:
    """Non-empty strings without value or component delimiters (or one empty value)."""
    if len(items) == 1 and items[0] == "":
        return True
    return all(isinstance(v, str) and v and "\\" not in v and "=" not in v for v in items)


def qido_json(values: dict[str, Any]) -> dict[str, Any]:
    """DICOM JSON of keyword values, skipping None: the same object as `to_json(qido_dataset(values))`.

    QIDO-RS answers are built from index columns of a few simple VRs; building the JSON directly avoids a
    pydicom Dataset per result row. Anything unusual (another VR, delimiters, empty members) goes through pydicom.
    """
    out: dict[str, Any] = {}
    for keyword, value in values.items():
        if value is None:
            continue
        found = _tag_vr(keyword)
        if found is None:
            return to_json(qido_dataset(values))
        key, vr = found
        items = value if isinstance(value, list) else [value]
        if not items or items == [""]:
            out[key] = {"vr": vr}
        elif vr in _INT_VRS and all(isinstance(v, int) and not isinstance(v, bool) for v in items):
            out[key] = {"vr": vr, "Value": list(items)}
        elif vr in _STRING_VRS and _simple_strings(items):
            out[key] = {"vr": vr, "Value": [{"Alphabetic": v} for v in items] if vr == "PN" else list(items)}
        else:
            return to_json(qido_dataset(values))
    return out
