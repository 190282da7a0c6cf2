"""WADO-RS content negotiation and transcoding (PS3.18 8.7.3 and table 8.7.3-5), free of Flask."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pydicom
from pydicom.uid import UID, ExplicitVRLittleEndian

from .multipart import parse_content_type
from .parse import collect_pydicom_warnings

STORED = "*"

# PS3.18 table 8.7.3-5: media type of frames per transfer syntax.
FRAME_MEDIA_TYPES = {
    "1.2.840.10008.1.2.4.50": "image/jpeg", "1.2.840.10008.1.2.4.51": "image/jpeg",
    "1.2.840.10008.1.2.4.57": "image/jpeg", "1.2.840.10008.1.2.4.70": "image/jpeg",
    "1.2.840.10008.1.2.4.80": "image/jls", "1.2.840.10008.1.2.4.81": "image/jls",
    "1.2.840.10008.1.2.4.90": "image/jp2", "1.2.840.10008.1.2.4.91": "image/jp2",
    "1.2.840.10008.1.2.4.201": "image/jphc", "1.2.840.10008.1.2.4.202": "image/jphc",
    "1.2.840.10008.1.2.4.203": "image/jphc",
    "1.2.840.10008.1.2.5": "image/dicom-rle",
}


class NotAcceptable(ValueError):
    """No representation the client accepts can be produced (406)."""


@dataclass(frozen=True)
class AcceptItem:
    """One media range of an Accept header."""

    media: str
    params: dict[str, str]
    q: float


def parse_accept(header: str | None) -> list[AcceptItem]:
    """Accept header items by preference; multipart params (type, transfer-syntax) kept (RFC 7231 5.3.2)."""
    if not header or not header.strip():
        return [AcceptItem("*/*", {}, 1.0)]
    items = []
    for i, raw in enumerate(_split(header)):
        media, params = parse_content_type(raw)
        try:
            q = float(params.pop("q", "1"))
        except ValueError:
            q = 1.0
        if media:
            items.append((q, -i, AcceptItem(media, params, q)))
    return [it for _, _, it in sorted(items, key=lambda t: (t[0], t[1]), reverse=True) if it.q > 0]


def _split(header: str) -> list[str]:
    """Split on commas outside quotes."""
    out: list[str] = []
    cur: list[str] = []
    quoted = False
    for ch in header:
        if ch == '"':
            quoted = not quoted
        if ch == "," and not quoted:
            out.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    out.append("".join(cur))
    return [p.strip() for p in out if p.strip()]


def instance_syntax(accept: list[AcceptItem]) -> str:
    """For application/dicom retrieval: '*' (as stored) or a transfer syntax UID to transcode to.

    Without a transfer-syntax parameter the default is Explicit VR Little Endian (PS3.18 8.7.3.5.2);
    `transfer-syntax=*` asks for the instances as stored.
    """
    for item in accept:
        if item.media in ("*/*", "multipart/*", "application/dicom"):
            return item.params.get("transfer-syntax", ExplicitVRLittleEndian)
        if item.media == "multipart/related" and item.params.get("type", "application/dicom") in (
                "application/dicom", "*/*"):
            return item.params.get("transfer-syntax", ExplicitVRLittleEndian)
    raise NotAcceptable('Accept multipart/related; type="application/dicom"')


def frame_representation(accept: list[AcceptItem], stored_ts: str) -> tuple[str, str]:
    """For frames: ('stored' | 'uncompressed', part media type), per PS3.18 8.7.3.5.2."""
    stored_media = FRAME_MEDIA_TYPES.get(stored_ts, "application/octet-stream")
    for item in accept:
        if item.media in ("*/*", "multipart/*"):
            return "uncompressed", "application/octet-stream"
        if item.media != "multipart/related":
            continue
        kind = item.params.get("type", "application/octet-stream").lower()
        ts = item.params.get("transfer-syntax")
        implied = ts is None and kind == stored_media and kind != "application/octet-stream"
        if ts == STORED or ts == stored_ts or implied:
            return "stored", stored_media
        if kind in ("application/octet-stream", "*/*") and ts in (None, ExplicitVRLittleEndian):
            return "uncompressed", "application/octet-stream"
    raise NotAcceptable('Accept multipart/related; type="application/octet-stream" (or transfer-syntax=*)')


def rendered_media(accept: list[AcceptItem]) -> str:
    """image/jpeg (the default, PS3.18 8.7.4) or image/png."""
    for item in accept:
        if item.media in ("image/jpeg", "image/png"):
            return item.media
        if item.media in ("*/*", "image/*"):
            return "image/jpeg"
    raise NotAcceptable("Accept image/jpeg or image/png")


def transcode_to_explicit_le(path: str) -> bytes:
    """The instance re-encoded as Explicit VR Little Endian, decompressed if needed (PS3.5 A.2)."""
    with collect_pydicom_warnings():
        ds = pydicom.dcmread(path)
        ts = UID(ds.file_meta.TransferSyntaxUID)
        if ts.is_compressed:
            ds.decompress(generate_instance_uid=False)  # the same instance, re-encoded
        elif not ts.is_little_endian and "PixelData" in ds:
            arr = ds.pixel_array
            ds.PixelData = np.ascontiguousarray(arr.astype(arr.dtype.newbyteorder("<"))).tobytes()
            ds["PixelData"].VR = "OW" if ds.BitsAllocated > 8 else "OB"
        ds.file_meta.TransferSyntaxUID = ExplicitVRLittleEndian
        buf = io.BytesIO()
        ds.save_as(buf, implicit_vr=False, little_endian=True, enforce_file_format=True)
    return buf.getvalue()


def parse_frame_list(raw: str, count: int) -> list[int]:
    """'1,3,5' to 0-based indexes; each must be 1..count (PS3.18 8.7.3.1)."""
    try:
        numbers = [int(p) for p in raw.split(",") if p.strip()]
    except ValueError as exc:
        raise ValueError("Frame numbers must be integers separated by commas") from exc
    if not numbers or any(n < 1 or n > count for n in numbers):
        raise ValueError(f"Frame numbers must be between 1 and {count}")
    return [n - 1 for n in numbers]


def parse_window(raw: str | None) -> tuple[float, float] | None:
    """'center,width[,function]' (PS3.18 8.3.5.1.4) to (center, width)."""
    if not raw:
        return None
    parts = raw.split(",")
    try:
        center, width = float(parts[0]), float(parts[1])
    except (ValueError, IndexError) as exc:
        raise ValueError("window must be center,width[,function]") from exc
    if width < 1:
        raise ValueError("window width must be at least 1")
    return center, width


def parse_viewport(raw: str | None) -> tuple[int, int] | None:
    """'vw,vh' (PS3.18 8.3.5.1.3) to (columns, rows), each 1..4096."""
    if not raw:
        return None
    try:
        parts = [int(float(p)) for p in raw.split(",")[:2]]
    except ValueError as exc:
        raise ValueError("viewport must be width,height") from exc
    if len(parts) != 2 or not all(1 <= p <= 4096 for p in parts):
        raise ValueError("viewport must be width,height between 1 and 4096")
    return parts[0], parts[1]
