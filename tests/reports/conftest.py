"""Fixtures for the reports tests: evidence images and the DICOM/PDF command-line checkers."""
from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from pydicom.dataset import Dataset

from tests.reports import samples


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(f"{name} is not installed (apt-get install dicom3tools dcmtk poppler-utils)")
    return path


@pytest.fixture
def images() -> list[Dataset]:
    """Two CT image headers of one study."""
    return samples.evidence()


@pytest.fixture
def dciodvfy(tmp_path: Path) -> Callable[[bytes], tuple[list[str], str]]:
    """Run dicom3tools' dciodvfy on DICOM bytes: (error lines, full output)."""
    tool = _tool("dciodvfy")

    def run(data: bytes) -> tuple[list[str], str]:
        path = tmp_path / "object.dcm"
        path.write_bytes(data)
        done = subprocess.run([tool, str(path)], capture_output=True, text=True, timeout=60)
        output = done.stdout + done.stderr
        errors = [line for line in output.splitlines() if line.startswith("Error")]
        return errors, output

    return run


@pytest.fixture
def run_tool(tmp_path: Path) -> Callable[..., str]:
    """Run a command-line tool on bytes written to a file; ``{path}`` in args is that file."""

    def run(name: str, data: bytes, *args: str, suffix: str = ".bin") -> str:
        path = tmp_path / f"input{suffix}"
        path.write_bytes(data)
        argv = [_tool(name), *(a.replace("{path}", str(path)) for a in args)]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=60, check=True)
        return done.stdout

    return run
