"""Read and validate one DICOM Part 10 file (PS3.10 section 7) before it enters the archive."""

from __future__ import annotations

import contextlib
import os
import struct
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import pydicom
from pydicom import filereader
from pydicom.dataelem import RawDataElement
from pydicom.dataset import Dataset
from pydicom.errors import InvalidDicomError
from pydicom.uid import UID

# Elements larger than this stay on disk while the file is checked.
DEFER_SIZE = 256 * 1024

# PS3.4 B.5: storage SOP classes whose IOD includes the Image Pixel module, by UID name.
_IMAGE_NAME_ENDINGS = ("Image Storage", "For Presentation", "For Processing", "Segmentation Storage")

PIXEL_DATA_TAGS = (0x7FE00010, 0x7FE00008, 0x7FE00009)


class InvalidInstance(Exception):
    """A file refused at ingest, with a stable machine-readable reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message

    def __repr__(self) -> str:
        return f"InvalidInstance({self.code!r}, {self.message!r})"


@dataclass(frozen=True)
class ParsedInstance:
    """The identifying and QIDO-RS attributes of one valid instance (PS3.18 table 10.6.1-5)."""

    transfer_syntax_uid: str
    sop_class_uid: str
    sop_instance_uid: str
    study_instance_uid: str
    series_instance_uid: str
    patient_id: str = ""
    patient_name: str = ""
    patient_birth_date: str = ""
    patient_sex: str = ""
    study_date: str = ""
    study_time: str = ""
    accession_number: str = ""
    study_description: str = ""
    referring_physician_name: str = ""
    study_id: str = ""
    modality: str = ""
    series_number: int | None = None
    series_description: str = ""
    body_part_examined: str = ""
    instance_number: int | None = None
    number_of_frames: int = 0
    rows: int | None = None
    columns: int | None = None
    bits_allocated: int | None = None
    samples_per_pixel: int | None = None
    photometric_interpretation: str = ""
    has_pixel_data: bool = False
    burned_in_annotation: str = ""
    specific_character_set: str = ""
    warnings: tuple[str, ...] = field(default=())

    @property
    def is_image(self) -> bool:
        """True when the instance carries pixel data."""
        return self.has_pixel_data


def is_image_sop_class(uid: str) -> bool:
    """True for storage SOP classes whose IOD requires an Image Pixel module (PS3.3 A)."""
    name = UID(uid).name
    return any(name.endswith(k) for k in _IMAGE_NAME_ENDINGS)


@contextlib.contextmanager
def collect_pydicom_warnings() -> Iterator[list[str]]:
    """Collect pydicom's warnings about non-conformant values instead of emitting them."""
    found: list[str] = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield found
    found.extend(str(w.message) for w in caught)


def read_dataset(fp: BinaryIO | str | os.PathLike[str], *, stop_before_pixels: bool = False) -> Dataset:
    """Read a Part 10 file with large values deferred, mapping pydicom errors to reasons."""
    try:
        return pydicom.dcmread(fp, defer_size=DEFER_SIZE, stop_before_pixels=stop_before_pixels)
    except InvalidDicomError as exc:
        raise InvalidInstance("not_dicom", f"Not a DICOM Part 10 file: {exc}") from exc
    except (EOFError, OSError) as exc:
        raise InvalidInstance("truncated", f"File ends before the dataset does: {exc}") from exc
    except (ValueError, KeyError, NotImplementedError, struct.error) as exc:
        raise InvalidInstance("malformed", f"Unreadable DICOM encoding: {exc}") from exc


def parse_instance(path: str | os.PathLike[str]) -> ParsedInstance:
    """Parse and validate the DICOM file at `path`, or raise InvalidInstance."""
    size = os.path.getsize(path)
    if size < 132:
        raise InvalidInstance("not_dicom", "File is too small to be a DICOM Part 10 file")
    with collect_pydicom_warnings() as notes, open(path, "rb") as fp:
        ds = read_dataset(fp, stop_before_pixels=True)
        ts = _transfer_syntax(ds)
        if UID(ts).is_deflated:
            # PS3.5 A.5: the whole dataset is one zlib stream; pydicom inflates it in memory.
            ds = read_dataset(path)
            location = None
            has_pixels = any(t in ds for t in PIXEL_DATA_TAGS)
        else:
            location = locate_pixel_data(fp, ds, size)
            has_pixels = location is not None
            if location is not None and fp.tell() < size:
                trailing = _read_trailing(fp, ds)
                _check_declared_lengths(trailing, size)
                _check_values(trailing)
        _check_declared_lengths(ds, size)
        _check_values(ds)
        if any("End of file" in n or "premature" in n.lower() for n in notes):
            raise InvalidInstance("truncated", "File ends before the dataset does")
        parsed = _extract(ds, ts, has_pixels)
        if has_pixels:
            parsed.update(_pixel_fields(ds, ts, location))
    return ParsedInstance(**{**parsed, "warnings": tuple(dict.fromkeys(notes))})


@dataclass(frozen=True)
class PixelDataLocation:
    """Where the Pixel Data value sits in a file (PS3.5 7.1 and A.4 encapsulation)."""

    tag: int
    vr: str
    value_offset: int
    length: int | None  # None when encapsulated (undefined length)
    basic_offsets: tuple[int, ...] = ()
    fragments: tuple[tuple[int, int], ...] = ()  # (file offset, length) after the Basic Offset Table


def locate_pixel_data(fp: BinaryIO, ds: Dataset, size: int) -> PixelDataLocation | None:
    """Read the Pixel Data header at the current position (after stop_before_pixels) without its value."""
    implicit, little = _encoding(ds)
    endian = "<" if little else ">"
    start = fp.tell()
    head = fp.read(8)
    if len(head) == 0:
        return None
    if len(head) < 8:
        raise InvalidInstance("truncated", "File ends inside an element header")
    group, elem = struct.unpack(endian + "HH", head[:4])
    tag = group << 16 | elem
    if tag not in PIXEL_DATA_TAGS:
        return None
    if implicit:
        vr = {0x7FE00008: "OF", 0x7FE00009: "OD"}.get(tag, "OW")
        (length,) = struct.unpack(endian + "L", head[4:8])
    else:
        vr = head[4:6].decode("ascii", "replace")
        if vr not in ("OB", "OW", "OF", "OD", "OL", "OV", "UN"):
            raise InvalidInstance("bad_vr", f"Pixel Data at offset {start} has VR {vr!r} (PS3.5 8.2)")
        raw_len = fp.read(4)
        if len(raw_len) < 4:
            raise InvalidInstance("truncated", "File ends inside the Pixel Data header")
        (length,) = struct.unpack(endian + "L", raw_len)
    offset = fp.tell()
    if length != 0xFFFFFFFF:
        if offset + length > size:
            raise InvalidInstance(
                "truncated" if length < (1 << 31) else "element_too_large",
                f"Pixel Data declares {length} bytes but only {size - offset} remain in the file",
            )
        fp.seek(offset + length)
        return PixelDataLocation(tag, vr, offset, length)
    return _walk_fragments(fp, tag, vr, offset, size)


def _walk_fragments(fp: BinaryIO, tag: int, vr: str, offset: int, size: int) -> PixelDataLocation:
    """Index the items of encapsulated Pixel Data by seeking, never loading fragments."""
    basic: tuple[int, ...] | None = None
    fragments: list[tuple[int, int]] = []
    while True:
        head = fp.read(8)
        if len(head) < 8:
            raise InvalidInstance("truncated", "Encapsulated Pixel Data ends without a Sequence Delimiter")
        group, elem, length = struct.unpack("<HHL", head)
        item_tag = group << 16 | elem
        if item_tag == 0xFFFEE0DD:
            if length != 0:
                raise InvalidInstance("bad_pixel_data", "Sequence Delimiter with a non-zero length")
            break
        if item_tag != 0xFFFEE000 or length == 0xFFFFFFFF:
            raise InvalidInstance("bad_pixel_data", f"Unexpected item {item_tag:08X} in encapsulated Pixel Data")
        at = fp.tell()
        if at + length > size:
            raise InvalidInstance("truncated", f"Pixel Data fragment of {length} bytes runs past the end of file")
        if basic is None:
            if length % 4:
                raise InvalidInstance("bad_pixel_data", "Basic Offset Table length is not a multiple of 4")
            data = fp.read(length)
            basic = struct.unpack(f"<{length // 4}L", data)
        else:
            fragments.append((at, length))
            fp.seek(at + length)
    if basic is None or not fragments:
        raise InvalidInstance("bad_pixel_data", "Encapsulated Pixel Data holds no fragments (PS3.5 A.4)")
    return PixelDataLocation(tag, vr, offset, None, tuple(basic), tuple(fragments))


def _read_trailing(fp: BinaryIO, ds: Dataset) -> Dataset:
    """Parse elements after Pixel Data (e.g. Data Set Trailing Padding) so truncation there is found."""
    implicit, little = _encoding(ds)
    try:
        return filereader.read_dataset(fp, implicit, little, defer_size=DEFER_SIZE)
    except (EOFError, ValueError, struct.error) as exc:
        raise InvalidInstance("truncated", f"Elements after Pixel Data are unreadable: {exc}") from exc


def _encoding(ds: Dataset) -> tuple[bool, bool]:
    """(implicit VR, little endian) as actually read; pydicom may detect a mismatch with the declared syntax."""
    implicit, little = ds.original_encoding
    for tag in reversed(list(ds.keys())):
        raw = ds.get_item(tag)
        if isinstance(raw, RawDataElement):
            return raw.is_implicit_VR, raw.is_little_endian
    return bool(implicit), bool(little)


def _transfer_syntax(ds: Dataset) -> str:
    """Return the File Meta Transfer Syntax UID or raise."""
    meta = getattr(ds, "file_meta", None)
    if meta is None or "TransferSyntaxUID" not in meta:
        raise InvalidInstance(
            "missing_transfer_syntax", "File Meta Information has no Transfer Syntax UID (PS3.10 7.1)"
        )
    return _uid(meta, "TransferSyntaxUID", where="File Meta Information")


def _check_declared_lengths(ds: Dataset, size: int) -> None:
    """Refuse deferred values that claim to run past the end of the file."""
    for tag in list(ds.keys()):
        raw = ds.get_item(tag)
        if isinstance(raw, RawDataElement) and raw.value is None and raw.length not in (0, 0xFFFFFFFF):
            if raw.value_tell + raw.length > size:
                code = "truncated" if raw.length < (1 << 31) else "element_too_large"
                raise InvalidInstance(
                    code,
                    f"Element {raw.tag} declares {raw.length} bytes but the file ends "
                    f"{size - raw.value_tell} bytes after its start",
                )


# Explicit VRs whose raw value pydicom never fails to decode while reading validation only warns: text is
# decoded with replacement characters, numbers in text stay strings, bulk VRs stay bytes. PN is not among
# them (its ISO 2022 component groups can raise), nor are binary numbers (a length that is not a multiple of
# the value size raises), AT, SQ, UN or an implicit VR (decoded by the dictionary VR).
_DECODE_NEVER_FAILS = frozenset({"AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "SH", "ST", "TM", "UC", "UI",
                                 "UR", "UT", "OB", "OD", "OF", "OL", "OV", "OW"})


def _check_values(ds: Dataset) -> None:
    """Decode every non-bulk value that could fail to decode, so bad VR encodings are found now, not when served
    (the others are only checked for truncation; see _DECODE_NEVER_FAILS)."""
    skip = _DECODE_NEVER_FAILS if pydicom.config.settings.reading_validation_mode != pydicom.config.RAISE \
        else frozenset()

    def visit(dataset: Dataset, depth: int) -> None:
        if depth > 32:
            raise InvalidInstance("malformed", "Sequences nested deeper than 32 levels")
        for tag in list(dataset.keys()):
            if tag in PIXEL_DATA_TAGS:
                continue
            raw = dataset.get_item(tag)
            if isinstance(raw, RawDataElement):
                if raw.value is None and raw.length > DEFER_SIZE:
                    continue  # bulk data left on disk; its length was checked
                if raw.value is not None and raw.length != 0xFFFFFFFF and len(raw.value) < raw.length:
                    raise InvalidInstance(
                        "truncated", f"Element {raw.tag} declares {raw.length} bytes but the file ends first"
                    )
                if raw.VR in skip:
                    continue
            try:
                elem = dataset[tag]
                value = elem.value
            except InvalidInstance:
                raise
            except Exception as exc:  # pydicom raises many types for bad values
                raise InvalidInstance("bad_value", f"Element {tag} cannot be decoded: {exc}") from exc
            if elem.VR == "SQ":
                for item in value:
                    visit(item, depth + 1)

    visit(ds, 0)


def _text(ds: Dataset, keyword: str) -> str:
    """Return a string attribute (first value), or ''."""
    value = ds.get(keyword)
    if value is None or value == "":
        return ""
    if isinstance(value, pydicom.multival.MultiValue):
        value = value[0] if len(value) else ""
    return str(value).strip()


def _int(ds: Dataset, keyword: str) -> int | None:
    """Return an integer attribute, refusing encodings that are not integers."""
    value = ds.get(keyword)
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInstance("bad_value", f"{keyword} is not an integer: {value!r}") from exc


def _uid(ds: Dataset, keyword: str, *, where: str = "dataset") -> str:
    """Return a required UID after checking PS3.5 9.1 syntax."""
    value = ds.get(keyword)
    if value in (None, ""):
        raise InvalidInstance(f"missing_{_snake(keyword)}", f"{keyword} is missing from the {where}")
    uid = UID(str(value).strip().rstrip("\0"))
    if not uid.is_valid:
        raise InvalidInstance("invalid_uid", f"{keyword} {str(uid)[:80]!r} is not a valid UID (PS3.5 9.1)")
    return str(uid)


def _snake(keyword: str) -> str:
    """'SOPInstanceUID' -> 'sop_instance_uid'."""
    out = []
    for i, ch in enumerate(keyword):
        if ch.isupper() and i and (not keyword[i - 1].isupper() or (i + 1 < len(keyword) and keyword[i + 1].islower())):
            out.append("_")
        out.append(ch.lower())
    return "".join(out)


def _extract(ds: Dataset, ts: str, has_pixels: bool) -> dict[str, Any]:
    """Build the ParsedInstance identification fields (PS3.3 C.12.1, C.7.1-C.7.3)."""
    sop_class = _uid(ds, "SOPClassUID")
    sop_instance = _uid(ds, "SOPInstanceUID")
    study = _uid(ds, "StudyInstanceUID")
    series = _uid(ds, "SeriesInstanceUID")
    fields: dict[str, Any] = dict(
        transfer_syntax_uid=ts, sop_class_uid=sop_class, sop_instance_uid=sop_instance,
        study_instance_uid=study, series_instance_uid=series,
        patient_id=_text(ds, "PatientID"), patient_name=_text(ds, "PatientName"),
        patient_birth_date=_text(ds, "PatientBirthDate"), patient_sex=_text(ds, "PatientSex"),
        study_date=_text(ds, "StudyDate"), study_time=_text(ds, "StudyTime"),
        accession_number=_text(ds, "AccessionNumber"), study_description=_text(ds, "StudyDescription"),
        referring_physician_name=_text(ds, "ReferringPhysicianName"), study_id=_text(ds, "StudyID"),
        modality=_text(ds, "Modality"), series_number=_int(ds, "SeriesNumber"),
        series_description=_text(ds, "SeriesDescription"), body_part_examined=_text(ds, "BodyPartExamined"),
        instance_number=_int(ds, "InstanceNumber"),
        burned_in_annotation=_text(ds, "BurnedInAnnotation"),
        specific_character_set=_text(ds, "SpecificCharacterSet"),
        has_pixel_data=has_pixels,
    )
    if not has_pixels:
        if is_image_sop_class(sop_class):
            raise InvalidInstance(
                "missing_pixel_data", f"{UID(sop_class).name} instance has no Pixel Data (PS3.3 C.7.6.3)"
            )
    return fields


def _pixel_fields(ds: Dataset, ts: str, location: PixelDataLocation | None) -> dict[str, Any]:
    """Check the Image Pixel module (PS3.3 C.7.6.3) against the stored Pixel Data."""
    required = ("Rows", "Columns", "BitsAllocated", "SamplesPerPixel", "PhotometricInterpretation")
    missing = [k for k in required if ds.get(k) in (None, "")]
    if missing:
        raise InvalidInstance("missing_pixel_attributes", "Pixel Data without " + ", ".join(missing))
    rows, cols = _int(ds, "Rows") or 0, _int(ds, "Columns") or 0
    bits, spp = _int(ds, "BitsAllocated") or 0, _int(ds, "SamplesPerPixel") or 0
    frames = _int(ds, "NumberOfFrames")
    frames = 1 if frames is None else frames
    if rows <= 0 or cols <= 0 or frames <= 0 or spp not in (1, 3, 4) or bits not in (1, 8, 16, 32, 64):
        raise InvalidInstance(
            "bad_pixel_attributes",
            f"Inconsistent image attributes: Rows={rows} Columns={cols} NumberOfFrames={frames} "
            f"SamplesPerPixel={spp} BitsAllocated={bits}",
        )
    stored = _int(ds, "BitsStored")
    if stored is not None and not 0 < stored <= bits:
        raise InvalidInstance("bad_pixel_attributes", f"BitsStored {stored} exceeds BitsAllocated {bits}")
    photometric = _text(ds, "PhotometricInterpretation")
    if location is None:  # deflated: the value is in memory
        length: int | None = len(ds[next(t for t in PIXEL_DATA_TAGS if t in ds)].value)
    else:
        length = location.length
    if UID(ts).is_encapsulated:
        if length is not None:
            raise InvalidInstance("bad_pixel_data", "Compressed Pixel Data must be encapsulated (PS3.5 A.4)")
        if location is not None and len(location.fragments) < frames and len(location.basic_offsets) <= 1:
            if frames > 1 and len(location.fragments) < frames:
                raise InvalidInstance(
                    "bad_pixel_data", f"{frames} frames declared but only {len(location.fragments)} fragments stored"
                )
    else:
        if length is None:
            raise InvalidInstance("bad_pixel_data", f"Native Pixel Data cannot have undefined length ({ts})")
        expected = (rows * cols * frames * spp * bits + 7) // 8
        if photometric == "YBR_FULL_422":
            expected = expected // 3 * 2
        if length < expected:
            raise InvalidInstance(
                "pixel_length_mismatch",
                f"Pixel Data holds {length} bytes, the image attributes need {expected} (PS3.5 8.1.1)",
            )
        if length > expected + 1 + expected // 2:
            raise InvalidInstance(
                "pixel_length_mismatch",
                f"Pixel Data holds {length} bytes, far more than the {expected} the attributes describe",
            )
    return dict(
        rows=rows, columns=cols, bits_allocated=bits, samples_per_pixel=spp,
        photometric_interpretation=photometric, number_of_frames=frames,
    )
