"""Frame access for stored instances: decoded arrays, bytes as stored, and uncompressed bytes (PS3.5 8, A.4)."""

from __future__ import annotations

import contextlib
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import BinaryIO

import numpy as np
import pydicom
from pydicom.dataset import Dataset
from pydicom.encaps import get_frame
from pydicom.pixels import pack_bits, pixel_array
from pydicom.uid import UID, ExplicitVRLittleEndian

from .parse import InvalidInstance, PixelDataLocation, collect_pydicom_warnings, locate_pixel_data, read_dataset


class FrameNotFound(LookupError):
    """The instance has no pixel data or no frame with that number."""


class DecodeFailed(RuntimeError):
    """No installed decoder could decode the pixel data of this transfer syntax."""


@dataclass(frozen=True)
class PixelSource:
    """An instance's image header (no pixel values) plus where its Pixel Data lives."""

    path: str
    dataset: Dataset
    transfer_syntax_uid: UID
    location: PixelDataLocation | None
    number_of_frames: int

    @property
    def frame_length(self) -> int:
        """Bytes per native frame (PS3.5 8.1.1); bit-packed frames may not be byte aligned."""
        ds = self.dataset
        bits = ds.Rows * ds.Columns * ds.SamplesPerPixel * ds.BitsAllocated
        if ds.get("PhotometricInterpretation") == "YBR_FULL_422":
            bits = bits // 3 * 2
        return bits // 8


_SOURCES: OrderedDict[tuple[str, int, int, int], PixelSource] = OrderedDict()
_SOURCES_MAX = 512
_SOURCES_LOCK = threading.Lock()


def open_source(path: str | os.PathLike[str]) -> PixelSource:
    """Read the header of a stored instance and locate its Pixel Data (kept for the next frame of the file).

    Callers only read the returned header; stored blobs never change, and the key includes the file's
    inode, size and mtime, so a different file under the same path is read afresh.
    """
    st = os.stat(path)
    key = (str(path), st.st_ino, st.st_size, st.st_mtime_ns)
    with _SOURCES_LOCK:
        src = _SOURCES.get(key)
        if src is not None:
            _SOURCES.move_to_end(key)
            return src
    src = _read_source(path)
    with _SOURCES_LOCK:
        _SOURCES[key] = src
        while len(_SOURCES) > _SOURCES_MAX:
            _SOURCES.popitem(last=False)
    return src


def _read_source(path: str | os.PathLike[str]) -> PixelSource:
    with collect_pydicom_warnings(), open(path, "rb") as fp:
        ds = read_dataset(fp, stop_before_pixels=True)
        ts = UID(ds.file_meta.TransferSyntaxUID)
        location = None if ts.is_deflated else locate_pixel_data(fp, ds, os.path.getsize(path))
    if location is None and not ts.is_deflated:
        raise FrameNotFound("instance has no pixel data")
    frames = int(ds.get("NumberOfFrames") or 1)
    return PixelSource(str(path), ds, ts, location, frames)


def _check_index(src: PixelSource, index: int) -> None:
    if not 0 <= index < src.number_of_frames:
        raise FrameNotFound(f"frame {index + 1} does not exist; the instance has {src.number_of_frames}")


def decode_frame(path: str | os.PathLike[str], index: int, *, as_rgb: bool = True) -> np.ndarray:
    """Decode frame `index` (0-based) to an array, reading only that frame where the syntax allows."""
    src = open_source(path)
    _check_index(src, index)
    return _decode(src, index, as_rgb=as_rgb)


def decode_with_header(path: str | os.PathLike[str], index: int, *, as_rgb: bool = True) -> tuple[Dataset, np.ndarray]:
    """The image header (read-only: it is shared) and decoded frame `index`, reading the header once."""
    src = open_source(path)
    _check_index(src, index)
    return src.dataset, _decode(src, index, as_rgb=as_rgb)


def _native_grey(src: PixelSource, index: int) -> np.ndarray | None:
    """A native little-endian grey frame read straight from its offset, when no pydicom step would change it:
    one sample, whole bytes, unsigned or using every allocated bit (so no sign extension); else None."""
    ds, ts, loc = src.dataset, src.transfer_syntax_uid, src.location
    if (ts.is_compressed or ts.is_deflated or not ts.is_little_endian or loc is None or loc.length is None
            or loc.tag != 0x7FE00010):
        return None
    bits, signed = ds.get("BitsAllocated"), ds.get("PixelRepresentation", 0)
    if (bits not in (8, 16, 32) or ds.get("SamplesPerPixel", 1) != 1 or signed not in (0, 1)
            or (signed and ds.get("BitsStored", bits) != bits)):
        return None
    length = src.frame_length
    if loc.length < (index + 1) * length:
        return None
    with open(src.path, "rb") as fp:
        fp.seek(loc.value_offset + index * length)
        data = fp.read(length)
    if len(data) != length:
        return None
    dtype = np.dtype(f"<{'i' if signed else 'u'}{bits // 8}")
    return np.frombuffer(data, dtype=dtype).reshape(int(ds.Rows), int(ds.Columns))


def _decode(src: PixelSource, index: int, *, as_rgb: bool = True) -> np.ndarray:
    errors = (RuntimeError, ValueError, NotImplementedError, AttributeError, TypeError, KeyError)
    if (arr := _native_grey(src, index)) is not None:
        return arr
    with collect_pydicom_warnings():
        if not src.transfer_syntax_uid.is_deflated:
            # From the path pydicom reads only the requested frame; a dataset encoded differently
            # from its declared syntax fails there and is read whole below.
            with contextlib.suppress(*errors):
                return pixel_array(src.path, index=index, as_rgb=as_rgb)
        try:
            return pixel_array(pydicom.dcmread(src.path), index=index, as_rgb=as_rgb)
        except errors as exc:
            raise DecodeFailed(f"cannot decode {src.transfer_syntax_uid.name}: {exc}") from exc


def stored_frame(path: str | os.PathLike[str], index: int) -> tuple[bytes, UID]:
    """Frame `index` exactly as stored (compressed bitstream or native bytes) and its transfer syntax."""
    src = open_source(path)
    _check_index(src, index)
    if src.transfer_syntax_uid.is_deflated:
        # PS3.5 A.5 deflates the whole dataset; there are no stored frame bytes, serve it uncompressed.
        return uncompressed_frame(path, index), ExplicitVRLittleEndian
    loc = src.location
    assert loc is not None
    with open(src.path, "rb") as fp:
        if loc.length is None:
            return _encapsulated_frame(fp, src, index), src.transfer_syntax_uid
        if src.dataset.BitsAllocated == 1:
            return uncompressed_frame(path, index), ExplicitVRLittleEndian
        fp.seek(loc.value_offset + index * src.frame_length)
        return fp.read(src.frame_length), src.transfer_syntax_uid


def _encapsulated_frame(fp: BinaryIO, src: PixelSource, index: int) -> bytes:
    """Return one frame's fragments joined (PS3.5 A.4), using the offset tables when present."""
    loc = src.location
    assert loc is not None
    ds = src.dataset
    if src.number_of_frames == 1:
        chunks = []
        for offset, length in loc.fragments:
            fp.seek(offset)
            chunks.append(fp.read(length))
        return b"".join(chunks)
    if not loc.basic_offsets and "ExtendedOffsetTable" not in ds and len(loc.fragments) == src.number_of_frames:
        offset, length = loc.fragments[index]
        fp.seek(offset)
        return fp.read(length)
    extended = None
    if "ExtendedOffsetTable" in ds and "ExtendedOffsetTableLengths" in ds:
        extended = (ds.ExtendedOffsetTable, ds.ExtendedOffsetTableLengths)
    fp.seek(loc.value_offset)
    try:
        return get_frame(fp, index, number_of_frames=src.number_of_frames, extended_offsets=extended)
    except ValueError as exc:
        raise DecodeFailed(f"cannot locate frame {index + 1}: {exc}") from exc


def uncompressed_frame(path: str | os.PathLike[str], index: int) -> bytes:
    """Frame `index` as Explicit VR Little Endian native bytes (the WADO-RS default, PS3.18 8.7.3.5)."""
    src = open_source(path)
    _check_index(src, index)
    ts = src.transfer_syntax_uid
    loc = src.location
    if not ts.is_compressed and ts.is_little_endian and loc is not None and src.dataset.BitsAllocated != 1:
        with open(src.path, "rb") as fp:
            fp.seek(loc.value_offset + index * src.frame_length)
            return fp.read(src.frame_length)
    arr = _decode(src, index)
    if src.dataset.BitsAllocated == 1:
        return pack_bits(arr)
    return arr.astype(arr.dtype.newbyteorder("<"), copy=False).tobytes()


def decoded_photometric(src: PixelSource) -> str:
    """Photometric Interpretation of decoded frames: YBR colour becomes RGB when pydicom converts it."""
    pi = str(src.dataset.get("PhotometricInterpretation", ""))
    if src.dataset.get("SamplesPerPixel", 1) == 3 and pi.startswith("YBR") and src.transfer_syntax_uid.is_compressed:
        return "RGB" if pi in ("YBR_FULL", "YBR_FULL_422") else pi
    return pi


def read_header(path: str | os.PathLike[str]) -> Dataset:
    """Read a stored instance without Pixel Data (for metadata and rendering parameters)."""
    try:
        with collect_pydicom_warnings():
            return pydicom.dcmread(path, stop_before_pixels=True)
    except Exception as exc:  # stored files were validated; this is corruption on disk
        raise InvalidInstance("unreadable", str(exc)) from exc
