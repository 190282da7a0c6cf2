"""FilesystemBlobStore: content addressing, atomic writes, limits."""

from __future__ import annotations

import hashlib
import io
import os

import pytest

from telehealth.dicom.storage import BlobNotFound, BlobStore, BlobTooLarge, FilesystemBlobStore


def test_put_stream_is_content_addressed_and_sharded(tmp_path):
    store = FilesystemBlobStore(tmp_path)
    data = b"x" * 3_000_000
    blob = store.put_stream(io.BytesIO(data))
    assert blob.sha256 == hashlib.sha256(data).hexdigest()
    assert blob.size == len(data) and blob.created
    assert store.path(blob.sha256).endswith(f"{blob.sha256[:2]}/{blob.sha256[2:4]}/{blob.sha256}")
    with store.open(blob.sha256) as fh:
        assert fh.read() == data
    assert isinstance(store, BlobStore)


def test_same_content_stored_once(tmp_path):
    store = FilesystemBlobStore(tmp_path)
    first = store.put_stream(io.BytesIO(b"abc"))
    second = store.put_stream(io.BytesIO(b"abc"))
    assert first.sha256 == second.sha256 and not second.created
    assert os.listdir(tmp_path / "tmp") == []


def test_put_file_copies(tmp_path):
    src = tmp_path / "src.bin"
    src.write_bytes(b"hello")
    store = FilesystemBlobStore(tmp_path / "store")
    blob = store.put_file(src)
    assert src.exists() and store.exists(blob.sha256) and store.size(blob.sha256) == 5


def test_too_large_leaves_nothing(tmp_path):
    store = FilesystemBlobStore(tmp_path)
    with pytest.raises(BlobTooLarge):
        store.put_stream(io.BytesIO(b"y" * 5000), max_size=1000)
    assert os.listdir(tmp_path / "tmp") == []
    assert sorted(os.listdir(tmp_path)) == ["tmp"]


def test_crash_mid_write_leaves_no_blob(tmp_path):
    store = FilesystemBlobStore(tmp_path)

    class Broken(io.RawIOBase):
        def __init__(self):
            self.calls = 0

        def read(self, n=-1):
            self.calls += 1
            if self.calls > 2:
                raise OSError("connection reset")
            return b"z" * 1024

    with pytest.raises(OSError):
        store.put_stream(Broken())
    assert sorted(os.listdir(tmp_path)) == ["tmp"] and os.listdir(tmp_path / "tmp") == []


def test_delete_and_missing(tmp_path):
    store = FilesystemBlobStore(tmp_path)
    blob = store.put_stream(io.BytesIO(b"gone"))
    store.delete(blob.sha256)
    store.delete(blob.sha256)
    assert not store.exists(blob.sha256)
    with pytest.raises(BlobNotFound):
        store.open(blob.sha256)


def test_rejects_non_digest_names(tmp_path):
    store = FilesystemBlobStore(tmp_path)
    with pytest.raises(ValueError):
        store.open("../../etc/passwd")


def test_adopt_moves_a_hashed_temp_file_into_place(tmp_path):
    store = FilesystemBlobStore(tmp_path / "store")
    data = b"DICM" * 1000
    digest = hashlib.sha256(data).hexdigest()
    first = tmp_path / "part-1"
    first.write_bytes(data)
    blob = store.adopt(str(first), digest, len(data), sync=False)
    store.sync([digest])
    assert blob.created and blob.sha256 == digest and not first.exists()
    with store.open(digest) as fh:
        assert fh.read() == data
    again = tmp_path / "part-2"
    again.write_bytes(data)
    assert store.adopt(str(again), digest, len(data)).created is False


def test_multipart_parts_carry_their_sha256(tmp_path):
    from telehealth.dicom.multipart import iter_parts

    bodies = [b"x" * 70_000, b"", b"\r\n--not-the-boundary\r\n" * 3]
    body = b"".join(b"--B\r\nContent-Type: application/dicom\r\n\r\n" + b + b"\r\n" for b in bodies) + b"--B--\r\n"
    parts = list(iter_parts(io.BytesIO(body), "B", str(tmp_path)))
    assert [p.sha256 for p in parts] == [hashlib.sha256(b).hexdigest() for b in bodies]
    assert [p.size for p in parts] == [len(b) for b in bodies]
