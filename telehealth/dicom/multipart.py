"""Streaming multipart/related (RFC 2387) reading for STOW-RS and writing for WADO-RS (PS3.18 8.6, 8.7)."""

from __future__ import annotations

import hashlib
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from email.message import Message
from typing import IO, Any, BinaryIO

CHUNK = 256 * 1024
MAX_HEADER_BYTES = 16 * 1024


class MultipartError(ValueError):
    """The body is not valid multipart or exceeds a limit; `code` says which."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def parse_content_type(value: str) -> tuple[str, dict[str, str]]:
    """Split a Content-Type (or Accept item) into lower-cased media type and parameters."""
    msg = Message()
    msg["content-type"] = value
    params = msg.get_params() or []
    media = (params[0][0] if params else "").lower()
    return media, {k.lower(): (v.strip('"') if isinstance(v, str) else str(v)) for k, v in params[1:]}


@dataclass
class Part:
    """One body part saved to a temp file."""

    headers: dict[str, str]
    path: str
    size: int = 0
    sha256: str = ""  # of the body, computed while it was written

    @property
    def content_type(self) -> str:
        """The part's media type (lower case), '' when absent."""
        return parse_content_type(self.headers.get("content-type", ""))[0]


@dataclass
class _Reader:
    stream: IO[bytes]
    limit: int
    read_total: int = 0
    buf: bytearray = field(default_factory=bytearray)
    eof: bool = False

    def fill(self) -> bool:
        if self.eof:
            return False
        chunk = self.stream.read(CHUNK)
        if not chunk:
            self.eof = True
            return False
        self.read_total += len(chunk)
        if self.read_total > self.limit:
            raise MultipartError("too_large", f"The request body exceeds {self.limit} bytes")
        self.buf += chunk
        return True


def iter_parts(
    stream: IO[bytes],
    boundary: str,
    workdir: str,
    *,
    max_total: int = 4 * 1024**3,
    max_parts: int = 10_000,
) -> Iterator[Part]:
    """Yield each part of a multipart body as a temp file under `workdir`, reading the stream once."""
    if not boundary or len(boundary) > 70:
        raise MultipartError("bad_boundary", "The multipart boundary is missing or longer than 70 characters")
    delim = b"\r\n--" + boundary.encode("latin-1")
    reader = _Reader(stream, max_total)
    reader.buf += b"\r\n"  # so the first delimiter looks like every other one
    _skip_to_delimiter(reader, delim)
    count = 0
    while True:
        while len(reader.buf) < 2 and reader.fill():
            pass
        if reader.buf[:2] == b"--":
            return
        headers = _read_headers(reader)
        count += 1
        if count > max_parts:
            raise MultipartError("too_many_parts", f"More than {max_parts} parts")
        fd, name = tempfile.mkstemp(dir=workdir, prefix="part-")
        hasher = hashlib.sha256()
        with os.fdopen(fd, "wb") as out:
            size = _copy_body(reader, delim, out, hasher)
        yield Part(headers, name, size, hasher.hexdigest())


def _skip_to_delimiter(reader: _Reader, delim: bytes) -> None:
    """Discard the preamble up to and including the first delimiter."""
    while True:
        idx = reader.buf.find(delim)
        if idx >= 0:
            del reader.buf[: idx + len(delim)]
            return
        if len(reader.buf) > len(delim):
            del reader.buf[: len(reader.buf) - len(delim)]
        if not reader.fill():
            raise MultipartError("bad_multipart", "No multipart boundary found in the body")


def _read_headers(reader: _Reader) -> dict[str, str]:
    """Read the rest of the delimiter line and the part's header block."""
    while True:
        end = reader.buf.find(b"\r\n\r\n")
        if end >= 0:
            break
        if len(reader.buf) > MAX_HEADER_BYTES:
            raise MultipartError("bad_multipart", "Part headers too long")
        if not reader.fill():
            raise MultipartError("truncated", "Body ends inside part headers")
    block = bytes(reader.buf[:end]).decode("latin-1")
    del reader.buf[: end + 4]
    lines = block.split("\r\n")
    headers: dict[str, str] = {}
    for line in lines[1:] if lines and not lines[0].strip() else lines:
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep:
            raise MultipartError("bad_multipart", f"Malformed part header {line[:80]!r}")
        headers[name.strip().lower()] = value.strip()
    return headers


def _copy_body(reader: _Reader, delim: bytes, out: BinaryIO, hasher: Any) -> int:
    """Write (and hash) the part body up to the next delimiter; return its size."""
    size = 0
    keep = len(delim) - 1
    while True:
        idx = reader.buf.find(delim)
        if idx >= 0:
            chunk = memoryview(reader.buf)[:idx]
            out.write(chunk)
            hasher.update(chunk)
            chunk.release()
            size += idx
            del reader.buf[: idx + len(delim)]
            return size
        if len(reader.buf) > keep:
            n = len(reader.buf) - keep
            chunk = memoryview(reader.buf)[:n]
            out.write(chunk)
            hasher.update(chunk)
            chunk.release()
            size += n
            del reader.buf[:n]
        if not reader.fill():
            raise MultipartError("truncated", "Body ends before the closing multipart boundary")


def new_boundary() -> str:
    """A random boundary that will not occur in DICOM payloads by chance."""
    return "telehealth-" + secrets.token_hex(16)


def write_multipart(
    parts: Iterable[tuple[dict[str, str], Iterable[bytes]]], boundary: str
) -> Iterator[bytes]:
    """Yield a multipart/related body: each part's headers then its chunks, then the close delimiter."""
    for headers, chunks in parts:
        head = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        yield f"--{boundary}\r\n{head}\r\n".encode("latin-1")
        yield from chunks
        yield b"\r\n"
    yield f"--{boundary}--\r\n".encode("latin-1")


def file_chunks(path: str, chunk: int = CHUNK) -> Iterator[bytes]:
    """Read a file lazily in chunks (for streamed responses)."""
    with open(path, "rb") as fh:
        while data := fh.read(chunk):
            yield data
