"""Fixtures for the archive's HTTP tests: a patient with a case, and helpers to upload files."""

from __future__ import annotations

from pathlib import Path

import pytest

from .samples import path


@pytest.fixture
def owner(make_user):
    """A patient who owns the case."""
    return make_user("patient")


@pytest.fixture
def case(make_case, owner):
    """A draft case of the owner."""
    return make_case(owner)


@pytest.fixture
def api(auth, owner):
    """The owner's browser client."""
    return auth.login(owner)


def upload(api, case_id, *names, files=None):
    """POST files (pydicom test file names or (name, bytes) pairs) as multipart/form-data.

    The body is built in memory: Werkzeug's test client would spool a large one to a temp file it never closes.
    """
    pairs = [(n, Path(path(n)).read_bytes()) for n in names] + list(files or [])
    boundary = "testboundary7d3f"
    chunks = []
    for name, data in pairs:
        chunks.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; filename="{name}"\r\n'
                      f"Content-Type: application/octet-stream\r\n\r\n".encode() + data + b"\r\n")
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    return api.post(f"/api/cases/{case_id}/uploads", data=body,
                    content_type=f"multipart/form-data; boundary={boundary}")


def read(name):
    """Bytes of a pydicom test file."""
    return Path(path(name)).read_bytes()
