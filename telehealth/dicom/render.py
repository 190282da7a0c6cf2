"""Render frames for display: the grayscale and colour pipelines of PS3.4 N.2 and PS3.3 C.11, to PNG/JPEG."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image
from pydicom.dataset import Dataset
from pydicom.pixels import apply_color_lut

from .parse import collect_pydicom_warnings
from .pixels import decode_with_header

MEDIA_TYPES = {"image/png": "PNG", "image/jpeg": "JPEG"}


class RenderError(ValueError):
    """The request asks for a rendering this instance cannot give."""


@dataclass(frozen=True)
class RenderOptions:
    """Rendering parameters a WADO-RS rendered request may set (PS3.18 8.3.5)."""

    window: tuple[float, float] | None = None  # (centre, width), overrides the file
    viewport: tuple[int, int] | None = None  # (columns, rows) to fit inside
    media_type: str = "image/png"
    quality: int = 90


def _frame_item(ds: Dataset, index: int, sequence: str) -> Dataset | None:
    """Find `sequence` for frame `index` in the per-frame, then shared, functional groups (PS3.3 C.7.6.16)."""
    for groups, pick in (("PerFrameFunctionalGroupsSequence", index), ("SharedFunctionalGroupsSequence", 0)):
        items = ds.get(groups)
        if items and len(items) > pick and sequence in items[pick]:
            seq = items[pick][sequence]
            if seq:
                return seq[0]
    return None


def _first(value: Any) -> float:
    """First value of a possibly multi-valued DS."""
    if isinstance(value, list | tuple) or hasattr(value, "__getitem__") and not isinstance(value, str | bytes):
        value = value[0]
    return float(value)


def _lut(values: np.ndarray, descriptor: Any, data: Any) -> np.ndarray:
    """Apply a LUT given its descriptor (entries, first mapped value, bits) (PS3.3 C.11.1.1.1)."""
    entries = int(descriptor[0]) or 65536
    first = int(descriptor[1])
    if isinstance(data, bytes):  # LUT Data read as OW
        data = np.frombuffer(data, dtype="<u2" if int(descriptor[2]) > 8 else np.uint8)
    table = np.asarray(data, dtype=np.float64)
    if table.size < entries:
        raise RenderError("LUT Data is shorter than its LUT Descriptor")
    idx = np.clip(np.rint(values).astype(np.int64) - first, 0, entries - 1)
    return table[idx]


def modality_lut(arr: np.ndarray, ds: Dataset, index: int = 0) -> np.ndarray:
    """Stored values to modality values: Modality LUT Sequence or Rescale Slope/Intercept (PS3.3 C.11.1)."""
    out = arr.astype(np.float64)
    if "ModalityLUTSequence" in ds and ds.ModalityLUTSequence:
        item = ds.ModalityLUTSequence[0]
        return _lut(out, item.LUTDescriptor, item.LUTData)
    item = _frame_item(ds, index, "PixelValueTransformationSequence") or ds
    slope = item.get("RescaleSlope")
    intercept = item.get("RescaleIntercept")
    if slope is not None or intercept is not None:
        out = out * (_first(slope) if slope is not None else 1.0) + (
            _first(intercept) if intercept is not None else 0.0
        )
    return out


def window(x: np.ndarray, centre: float, width: float, function: str = "LINEAR") -> np.ndarray:
    """VOI windowing to [0, 1] (PS3.3 C.11.2.1.2 LINEAR, C.11.2.1.3.1 LINEAR_EXACT and SIGMOID)."""
    function = (function or "LINEAR").upper()
    if function == "SIGMOID":
        return 1.0 / (1.0 + np.exp(-4.0 * (x - centre) / width))
    if function == "LINEAR_EXACT":
        if width <= 0:
            raise RenderError("Window Width must be > 0 for LINEAR_EXACT")
        return np.clip((x - centre) / width + 0.5, 0.0, 1.0)
    if width < 1:
        raise RenderError("Window Width must be >= 1 for LINEAR (PS3.3 C.11.2.1.2)")
    if width == 1:
        return (x > centre - 0.5).astype(np.float64)
    low = centre - 0.5 - (width - 1) / 2
    high = centre - 0.5 + (width - 1) / 2
    y = (x - (centre - 0.5)) / (width - 1) + 0.5
    return np.where(x <= low, 0.0, np.where(x > high, 1.0, y))


def voi(x: np.ndarray, ds: Dataset, index: int = 0, override: tuple[float, float] | None = None) -> np.ndarray:
    """Modality values to [0, 1]: requested window, VOI LUT Sequence, file window, else min-max (PS3.3 C.11.2)."""
    if override is not None:
        return window(x, override[0], override[1])
    if "VOILUTSequence" in ds and ds.VOILUTSequence:
        item = ds.VOILUTSequence[0]
        y = _lut(x, item.LUTDescriptor, item.LUTData)
        bits = int(item.LUTDescriptor[2])
        return np.clip(y / float((1 << bits) - 1), 0.0, 1.0)
    item = _frame_item(ds, index, "FrameVOILUTSequence") or ds
    if item.get("WindowCenter") is not None and item.get("WindowWidth") is not None:
        return window(x, _first(item.WindowCenter), _first(item.WindowWidth), str(item.get("VOILUTFunction", "")))
    lo, hi = float(np.min(x)), float(np.max(x))
    if hi <= lo:
        return np.zeros_like(x)
    return (x - lo) / (hi - lo)


def _is_inverted(ds: Dataset) -> bool:
    """MONOCHROME1 shows low values bright; a Presentation LUT Shape may also invert (PS3.3 C.11.6)."""
    inverse = ds.get("PhotometricInterpretation") == "MONOCHROME1"
    if str(ds.get("PresentationLUTShape", "")).upper() == "INVERSE":
        inverse = not inverse
    return inverse


def to_display(
    arr: np.ndarray, ds: Dataset, index: int = 0, override: tuple[float, float] | None = None
) -> np.ndarray:
    """One decoded frame to 8-bit display values: (rows, cols) grey or (rows, cols, 3) RGB."""
    pi = str(ds.get("PhotometricInterpretation", "MONOCHROME2"))
    if pi == "PALETTE COLOR":
        with collect_pydicom_warnings():
            rgb = apply_color_lut(arr, ds)
        return _to_uint8(rgb, 16 if rgb.dtype == np.uint16 else 8)
    if arr.ndim == 3:
        # decode_frame asks pydicom for RGB, so YBR_FULL/YBR_FULL_422/YBR_ICT/YBR_RCT arrive converted.
        bits = int(ds.get("BitsStored") or ds.get("BitsAllocated") or 8)
        return _to_uint8(arr[..., :3], bits)
    if arr.ndim == 2 and arr.dtype.kind in "iu" and _window_known(ds, index, override):
        lo, hi = int(arr.min()), int(arr.max())
        if hi - lo < arr.size // 4:
            # Integer frames have few distinct values: run the LUT steps once per value in [lo, hi] and
            # index, instead of once per pixel (same elementwise arithmetic, so the same output).
            table = _grey(np.arange(lo, hi + 1, dtype=np.int64), ds, index, override)
            return table[arr.astype(np.intp) - lo]
    return _grey(arr, ds, index, override)


def _grey(arr: np.ndarray, ds: Dataset, index: int, override: tuple[float, float] | None) -> np.ndarray:
    """Modality LUT, VOI, Presentation LUT shape and 8-bit output for grey values (PS3.4 N.2.1)."""
    y = voi(modality_lut(arr, ds, index), ds, index, override)
    if _is_inverted(ds):
        y = 1.0 - y
    return np.rint(y * 255.0).astype(np.uint8)


def _window_known(ds: Dataset, index: int, override: tuple[float, float] | None) -> bool:
    """True when the VOI step does not depend on the frame's own min and max (see `voi`)."""
    if override is not None or ("VOILUTSequence" in ds and ds.VOILUTSequence):
        return True
    item = _frame_item(ds, index, "FrameVOILUTSequence") or ds
    return item.get("WindowCenter") is not None and item.get("WindowWidth") is not None


def _to_uint8(arr: np.ndarray, bits: int) -> np.ndarray:
    """Scale colour samples of `bits` precision to 8 bits."""
    if arr.dtype == np.uint8 and bits <= 8:
        return arr
    return (arr.astype(np.float64) * (255.0 / float((1 << bits) - 1))).round().clip(0, 255).astype(np.uint8)


def encode(img: np.ndarray, options: RenderOptions) -> bytes:
    """Fit into the viewport (aspect kept) and encode as PNG or JPEG with Pillow."""
    fmt = MEDIA_TYPES.get(options.media_type)
    if fmt is None:
        raise RenderError(f"Unsupported rendered media type {options.media_type!r}")
    image = Image.fromarray(img)
    if options.viewport:
        cols, rows = options.viewport
        if cols < 1 or rows < 1:
            raise RenderError("viewport must be positive")
        image.thumbnail((cols, rows), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    if fmt == "JPEG":
        image.save(buf, fmt, quality=max(1, min(int(options.quality), 100)))
    else:
        image.save(buf, fmt, optimize=False)
    return buf.getvalue()


def render_frame(path: str | os.PathLike[str], index: int, options: RenderOptions | None = None) -> bytes:
    """Decode frame `index` of the instance at `path` and render it (PS3.18 8.3.5.1)."""
    options = options or RenderOptions()
    ds, arr = decode_with_header(path, index)
    return encode(to_display(arr, ds, index, options.window), options)
