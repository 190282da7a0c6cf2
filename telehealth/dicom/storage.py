"""Content-addressed blob storage (sha256) with a filesystem backend."""

from __future__ import annotations

import errno
import hashlib
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol, runtime_checkable

CHUNK = 1024 * 1024
_DIGEST = re.compile(r"^[0-9a-f]{64}$")


class BlobNotFound(KeyError):
    """No blob is stored under that digest."""


@dataclass(frozen=True)
class StoredBlob:
    """The address and size of a stored blob."""

    sha256: str
    size: int
    created: bool  # False when identical content was already stored


@runtime_checkable
class BlobStore(Protocol):
    """Immutable blobs addressed by their sha256; backends: filesystem now, object storage later."""

    def put_stream(self, stream: BinaryIO, *, max_size: int | None = None) -> StoredBlob:
        """Store everything read from `stream`."""
        ...

    def put_file(self, path: str | os.PathLike[str]) -> StoredBlob:
        """Store a local file (copied, the source is left alone)."""
        ...

    def adopt(self, path: str, digest: str, size: int, *, sync: bool = True) -> StoredBlob:
        """Store a local temp file whose sha256 the caller computed while writing it (the file is moved or
        consumed); with sync=False the caller calls `sync` before relying on the blob."""
        ...

    def sync(self, digests: list[str]) -> None:
        """Make the blobs adopted with sync=False durable."""
        ...

    def open(self, digest: str) -> BinaryIO:
        """Open a blob for binary reading."""
        ...

    def path(self, digest: str) -> str | None:
        """Local path of the blob when the backend has one, else None."""
        ...

    def exists(self, digest: str) -> bool:
        """True when the blob is stored."""
        ...

    def size(self, digest: str) -> int:
        """Size in bytes of a stored blob."""
        ...

    def delete(self, digest: str) -> None:
        """Remove a blob; missing blobs are ignored."""
        ...


class BlobTooLarge(ValueError):
    """A stream exceeded the size allowed for one blob."""


class FilesystemBlobStore:
    """Blobs as files `root/ab/cd/<sha256>`; writes go to a temp file, fsync, then atomic rename."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._tmp = self.root / "tmp"
        self._tmp.mkdir(exist_ok=True)

    def _final(self, digest: str) -> Path:
        if not _DIGEST.match(digest):
            raise ValueError(f"not a sha256 hex digest: {digest[:80]!r}")
        return self.root / digest[:2] / digest[2:4] / digest

    def put_stream(self, stream: BinaryIO, *, max_size: int | None = None) -> StoredBlob:
        """Copy `stream` into the store, hashing as it goes; refuse more than `max_size` bytes."""
        hasher = hashlib.sha256()
        size = 0
        fd, tmp_name = tempfile.mkstemp(dir=self._tmp, prefix="put-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if max_size is not None and size > max_size:
                        raise BlobTooLarge(f"blob exceeds {max_size} bytes")
                    hasher.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            return self._commit(tmp_name, hasher.hexdigest(), size)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)

    def put_file(self, path: str | os.PathLike[str]) -> StoredBlob:
        """Copy a local file into the store."""
        with open(path, "rb") as fh:
            return self.put_stream(fh)

    def adopt(self, path: str, digest: str, size: int, *, sync: bool = True) -> StoredBlob:
        """Move a temp file into the store under the sha256 the caller computed while writing it: no second
        read or copy. Its data is fsynced before the rename; the rename is made durable here, or by `sync`
        for a whole batch (sync=False). A file on another filesystem is copied instead."""
        final = self._final(digest)
        if final.exists():
            return StoredBlob(digest, size, created=False)
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        if not final.parent.exists():
            final.parent.mkdir(parents=True, exist_ok=True)
            _fsync_dir(final.parent.parent)  # the new directory's own entry (rare: 65,536 of them at most)
            _fsync_dir(final.parent.parent.parent)
        os.chmod(path, 0o444)
        try:
            os.replace(path, final)
        except OSError as exc:
            if exc.errno != errno.EXDEV:
                raise
            return self.put_file(path)
        if sync:
            _fsync_dir(final.parent)
        return StoredBlob(digest, size, created=True)

    def sync(self, digests: list[str]) -> None:
        """fsync the directory of each adopted blob once (the renames are then durable)."""
        for parent in dict.fromkeys(self._final(d).parent for d in digests):
            _fsync_dir(parent)

    def _commit(self, tmp_name: str, digest: str, size: int) -> StoredBlob:
        final = self._final(digest)
        if final.exists():
            return StoredBlob(digest, size, created=False)
        final.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(tmp_name, 0o444)
        # os.replace is atomic within one filesystem; the temp dir lives under root for that reason.
        os.replace(tmp_name, final)
        _fsync_dir(final.parent)
        return StoredBlob(digest, size, created=True)

    def open(self, digest: str) -> BinaryIO:
        """Open a blob for reading."""
        try:
            return open(self._final(digest), "rb")
        except FileNotFoundError as exc:
            raise BlobNotFound(digest) from exc

    def path(self, digest: str) -> str | None:
        """Return the blob's file path (raises BlobNotFound when absent)."""
        final = self._final(digest)
        if not final.exists():
            raise BlobNotFound(digest)
        return str(final)

    def exists(self, digest: str) -> bool:
        """True when the blob is stored."""
        return self._final(digest).exists()

    def size(self, digest: str) -> int:
        """Size in bytes of a stored blob."""
        try:
            return self._final(digest).stat().st_size
        except FileNotFoundError as exc:
            raise BlobNotFound(digest) from exc

    def delete(self, digest: str) -> None:
        """Remove a blob if present."""
        try:
            self._final(digest).unlink()
        except FileNotFoundError:
            pass

    def clear_temp(self) -> None:
        """Remove temp files left by a crashed process (call at start-up)."""
        shutil.rmtree(self._tmp, ignore_errors=True)
        self._tmp.mkdir(exist_ok=True)


def sha256_file(path: str | os.PathLike[str]) -> str:
    """Hex sha256 of a local file, read in chunks."""
    hasher = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            hasher.update(chunk)
    return hasher.hexdigest()


def _fsync_dir(path: Path) -> None:
    """Make a rename durable by syncing its directory (POSIX)."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
