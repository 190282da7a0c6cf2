"""Cached WADO-RS metadata (PS3.18 F.2): one instance's DICOM JSON, built once per stored blob.

Blobs are content-addressed and immutable, so the JSON of a blob never goes stale. It is kept with a
placeholder where the instance's URL goes (only inside BulkDataURI values) and the URL is put in per
request; entries live in memory (bounded) and as files under DATA_DIR/cache/metadata, shared by processes.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from collections import OrderedDict

from .dicomjson import to_json
from .pixels import read_header

_URL = "urn:telehealth:instance-url"
_MARK = b'"BulkDataURI": "' + _URL.encode()
MAX_MEMORY_BYTES = 64 * 1024 * 1024


class _Memory:
    """A thread-safe LRU of serialised templates, bounded by total size."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0
        self.items: OrderedDict[str, bytes] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key: str, value: bytes) -> None:
        with self.lock:
            if key in self.items:
                return
            self.items[key] = value
            self.size += len(value)
            while self.size > self.limit and self.items:
                _, old = self.items.popitem(last=False)
                self.size -= len(old)


_MEMORY = _Memory(MAX_MEMORY_BYTES)


def _template(path: str, has_pixels: bool, pixel_vr: str) -> bytes:
    ds = read_header(path)
    ds.file_meta = None  # type: ignore[assignment]  # group 0002 is not part of the metadata (PS3.18 F.2)
    out = to_json(ds, lambda tag: f"{_URL}/bulkdata/{int(tag):08X}",
                  pixel_uri=f"{_URL}/bulkdata/7FE00010" if has_pixels else None, pixel_vr=pixel_vr)
    return json.dumps(out).encode()


def instance_json(cache_dir: str, digest: str, path: str, url: str, *, has_pixels: bool, pixel_vr: str) -> bytes:
    """The serialised DICOM JSON object of the blob `digest` (at `path`) whose WADO-RS URL is `url`."""
    key = f"{digest}-{pixel_vr if has_pixels else 'none'}"
    template = _MEMORY.get(key)
    if template is None:
        file = os.path.join(cache_dir, key[:2], key + ".json")
        try:
            with open(file, "rb") as fh:
                template = fh.read()
        except FileNotFoundError:
            template = _template(path, has_pixels, pixel_vr)
            os.makedirs(os.path.dirname(file), exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=os.path.dirname(file))
            with os.fdopen(fd, "wb") as fh:
                fh.write(template)
            os.replace(tmp, file)
        _MEMORY.put(key, template)
    return template.replace(_MARK, b'"BulkDataURI": "' + json.dumps(url)[1:-1].encode())
