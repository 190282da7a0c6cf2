"""The DICOM files shipped with pydicom, sorted into what the archive must accept and refuse."""

from __future__ import annotations

import os
import warnings
from pathlib import Path

import pydicom

TEST_FILES = Path(os.path.dirname(pydicom.data.__file__)) / "test_files"
DICOMDIR_TESTS = TEST_FILES / "dicomdirtests"

# Files pydicom itself marks as broken or which lack what an archive needs, with our reason code.
REJECTED = {
    "MR_truncated.dcm": "truncated",
    "rtplan_truncated.dcm": "truncated",
    "badVR.dcm": "bad_value",
    "meta_missing_tsyntax.dcm": "missing_transfer_syntax",
    "no_meta.dcm": "not_dicom",
    "ExplVR_BigEndNoMeta.dcm": "not_dicom",
    "ExplVR_LitEndNoMeta.dcm": "not_dicom",
    "rtstruct.dcm": "not_dicom",
    "README.txt": "not_dicom",
    "crayons.icc": "not_dicom",
    "test1.json": "not_dicom",
    "zipMR.gz": "not_dicom",
    "JPEGLSNearLossless_08.dcm": "missing_study_instance_uid",
    "JPEGLSNearLossless_16.dcm": "missing_study_instance_uid",
    "SC_rgb_jls_lossy_line.dcm": "missing_study_instance_uid",
    "SC_rgb_jls_lossy_sample.dcm": "missing_study_instance_uid",
    "empty_charset_LEI.dcm": "missing_sop_class_uid",
    "nested_priv_SQ.dcm": "missing_sop_class_uid",
    "UN_sequence.dcm": "missing_sop_class_uid",
    "priv_SQ.dcm": "missing_sop_class_uid",
    "no_meta_group_length.dcm": "missing_sop_class_uid",
}

# Structurally valid, but no decoder installed here handles their pixel data (pydicom fails too).
UNDECODABLE = {"JPEG-lossy.dcm", "JPEG2000-embedded-sequence-delimiter.dcm"}


def path(name: str) -> str:
    """Absolute path of a pydicom test file."""
    return str(TEST_FILES / name)


def all_dcm() -> list[str]:
    """Every *.dcm test file name."""
    return sorted(p.name for p in TEST_FILES.glob("*.dcm"))


def valid_files() -> list[str]:
    """Test files the archive must accept."""
    return [n for n in all_dcm() if n not in REJECTED]


def image_files() -> list[str]:
    """Accepted files with pixel data that pydicom can decode."""
    out = []
    for name in valid_files():
        if name in UNDECODABLE:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ds = pydicom.dcmread(path(name), stop_before_pixels=True)
        if ds.get("Rows") and "SOPClassUID" in ds and "StudyInstanceUID" in ds:
            out.append(name)
    return out


def reference_frames(name: str):
    """pydicom's own decoding of all frames, as (frames, rows, cols[, samples])."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ds = pydicom.dcmread(path(name))
        arr = ds.pixel_array
    frames = int(ds.get("NumberOfFrames") or 1)
    return arr if frames > 1 else arr[None]


def uid_buckets(names: list[str]) -> list[list[str]]:
    """Split files so no bucket holds two different files with one SOP Instance UID (several test files do)."""
    buckets: list[tuple[set[str], list[str]]] = []
    for name in names:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            uid = str(pydicom.dcmread(path(name), stop_before_pixels=True).SOPInstanceUID)
        for uids, members in buckets:
            if uid not in uids:
                uids.add(uid)
                members.append(name)
                break
        else:
            buckets.append(({uid}, [name]))
    return [members for _, members in buckets]
