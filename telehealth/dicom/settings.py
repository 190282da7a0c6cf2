"""The archive's settings: app config first, then TELEHEALTH_DICOM_* / TELEHEALTH_UPLOAD_* variables, then defaults."""

from __future__ import annotations

import os
from typing import Any

from .expand import ExpandLimits
from .storage import FilesystemBlobStore

_STORES: dict[str, FilesystemBlobStore] = {}


def _get(config: Any, key: str, default: int) -> int:
    if key in config:
        return int(config[key])
    raw = os.environ.get(f"TELEHEALTH_{key}")
    return int(raw) if raw not in (None, "") else default


def expand_limits(config: Any) -> ExpandLimits:
    """Upload expansion limits (TELEHEALTH_UPLOAD_MAX_EXPANDED_BYTES, _MAX_FILES, _MAX_RATIO, _MAX_DEPTH)."""
    base = ExpandLimits()
    return ExpandLimits(
        max_total_size=_get(config, "UPLOAD_MAX_EXPANDED_BYTES", base.max_total_size),
        max_files=_get(config, "UPLOAD_MAX_FILES", base.max_files),
        max_ratio=float(_get(config, "UPLOAD_MAX_RATIO", int(base.max_ratio))),
        max_depth=_get(config, "UPLOAD_MAX_DEPTH", base.max_depth),
    )


def max_upload_bytes(config: Any) -> int:
    """Largest request body accepted by upload and STOW-RS routes (TELEHEALTH_MAX_UPLOAD_BYTES)."""
    return _get(config, "MAX_UPLOAD_BYTES", 4 * 1024**3)


def data_dir(config: Any) -> str:
    """Where blobs, caches and temp files live."""
    return str(config["DATA_DIR"])


def blob_store(config: Any) -> FilesystemBlobStore:
    """The blob store under DATA_DIR/blobs (TELEHEALTH_DICOM_BLOB_DIR overrides)."""
    root = config.get("DICOM_BLOB_DIR") or os.environ.get("TELEHEALTH_DICOM_BLOB_DIR") or os.path.join(
        data_dir(config), "blobs")
    if root not in _STORES:
        _STORES[root] = FilesystemBlobStore(root)
    return _STORES[root]


def temp_dir(config: Any) -> str:
    """Scratch space for uploads on the same filesystem as the blobs (renames stay atomic)."""
    path = os.path.join(data_dir(config), "tmp")
    os.makedirs(path, exist_ok=True)
    return path


def cache_dir(config: Any) -> str:
    """Cache of rendered images and thumbnails."""
    path = os.path.join(data_dir(config), "cache", "rendered")
    os.makedirs(path, exist_ok=True)
    return path
