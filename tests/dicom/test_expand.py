"""expand: ZIP safety limits and DICOMDIR folders."""

from __future__ import annotations

import io
import os
import shutil
import stat
import time
import zipfile
from pathlib import Path

import pytest

from telehealth.dicom.expand import ArchiveError, ExpandLimits, expand_directory, expand_upload, safe_relpath

from .samples import DICOMDIR_TESTS, path


def make_zip(dest, members, compression=zipfile.ZIP_DEFLATED):
    with zipfile.ZipFile(dest, "w", compression, compresslevel=1) as zf:
        for name, data in members.items():
            if isinstance(data, zipfile.ZipInfo):
                zf.writestr(data, b"target")
            else:
                zf.writestr(name, data)
    return dest


def names(items):
    return sorted(i.name for i in items)


def test_plain_dicom_file_passes_through(tmp_path):
    items = list(expand_upload(path("CT_small.dcm"), "CT_small.dcm", tmp_path))
    assert [(i.name, i.path) for i in items] == [("CT_small.dcm", path("CT_small.dcm"))]


def test_zip_members_extracted(tmp_path):
    data = Path(path("CT_small.dcm")).read_bytes()
    z = make_zip(tmp_path / "u.zip", {"a/one.dcm": data, "b/two.dcm": data, "dir/": b""})
    items = list(expand_upload(z, "u.zip", tmp_path / "work"))
    assert names(items) == ["u.zip/a/one.dcm", "u.zip/b/two.dcm"]
    assert all(Path(i.path).read_bytes() == data for i in items)


@pytest.mark.parametrize(
    "member,code",
    [("../evil.dcm", "zip_slip"), ("a/../../evil.dcm", "zip_slip"), ("/etc/passwd", "absolute_path"),
     ("C:\\win.ini", "absolute_path"), ("..\\evil", "zip_slip")],
)
def test_unsafe_paths_refused(tmp_path, member, code):
    z = make_zip(tmp_path / "u.zip", {"ok.dcm": b"x", member: b"y"})
    with pytest.raises(ArchiveError) as info:
        list(expand_upload(z, "u.zip", tmp_path / "work"))
    assert info.value.code == code
    assert not (tmp_path / "evil.dcm").exists()


def test_symlink_member_refused(tmp_path):
    info = zipfile.ZipInfo("link")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    z = make_zip(tmp_path / "u.zip", {"link": info})
    with pytest.raises(ArchiveError) as exc:
        list(expand_upload(z, "u.zip", tmp_path / "work"))
    assert exc.value.code == "link_refused"


def test_zip_bomb_refused_fast_before_extraction(tmp_path):
    z = make_zip(tmp_path / "bomb.zip", {f"f{i}.dcm": b"\0" * (40 * 1024**2) for i in range(3)})
    assert os.path.getsize(z) < 1024**2
    started = time.monotonic()
    with pytest.raises(ArchiveError) as info:
        list(expand_upload(z, "bomb.zip", tmp_path / "work"))
    assert info.value.code == "zip_bomb"
    assert time.monotonic() - started < 1.0
    assert not any(f.is_file() for f in (tmp_path / "work").rglob("*"))


def test_total_size_limit(tmp_path):
    z = make_zip(tmp_path / "u.zip", {"a": b"1" * 2000, "b": b"2" * 2000})
    with pytest.raises(ArchiveError) as info:
        list(expand_upload(z, "u.zip", tmp_path / "w", ExpandLimits(max_total_size=3000)))
    assert info.value.code == "too_large"


def test_file_count_limit(tmp_path):
    z = make_zip(tmp_path / "u.zip", {f"{i}.dcm": b"x" for i in range(11)})
    with pytest.raises(ArchiveError) as info:
        list(expand_upload(z, "u.zip", tmp_path / "w", ExpandLimits(max_files=10)))
    assert info.value.code == "too_many_files"


def test_nesting_depth_limit(tmp_path):
    inner = make_zip(tmp_path / "in.zip", {"x.dcm": Path(path("CT_small.dcm")).read_bytes()})
    middle = make_zip(tmp_path / "mid.zip", {"in.zip": inner.read_bytes()})
    outer = make_zip(tmp_path / "out.zip", {"mid.zip": middle.read_bytes()})
    assert names(expand_upload(middle, "mid.zip", tmp_path / "w1")) == ["mid.zip/in.zip/x.dcm"]
    with pytest.raises(ArchiveError) as info:
        list(expand_upload(outer, "out.zip", tmp_path / "w2"))
    assert info.value.code == "nesting_too_deep"


def test_not_a_zip_but_pk_magic(tmp_path):
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04" + b"garbage" * 10)
    with pytest.raises(ArchiveError) as info:
        list(expand_upload(bad, "bad.zip", tmp_path / "w"))
    assert info.value.code == "bad_zip"


def test_dicom_with_pk_preamble_is_not_a_zip(tmp_path):
    data = bytearray(Path(path("CT_small.dcm")).read_bytes())
    data[:4] = b"PK\x03\x04"
    (tmp_path / "x.dcm").write_bytes(bytes(data))
    assert len(list(expand_upload(tmp_path / "x.dcm", "x.dcm", tmp_path / "w"))) == 1


def test_dicomdir_folder_yields_referenced_files_only(tmp_path):
    cd = tmp_path / "cd"
    shutil.copytree(DICOMDIR_TESTS, cd, ignore=shutil.ignore_patterns("TINY_ALPHA", "DICOMDIR-*"))
    (cd / "autorun.inf").write_text("[autorun]")
    items = list(expand_directory(cd))
    assert len(items) == 31
    assert "autorun.inf" not in names(items) and "DICOMDIR" not in names(items)
    assert "77654033/CT2/17106" in names(items)


def test_dicomdir_inside_zip(tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for f in DICOMDIR_TESTS.rglob("*"):
            rel = f.relative_to(DICOMDIR_TESTS).as_posix()
            if f.is_file() and not rel.startswith(("TINY_ALPHA", "DICOMDIR-", "README")):
                zf.write(f, "CD/" + rel)
    (tmp_path / "cd.zip").write_bytes(buf.getvalue())
    items = list(expand_upload(tmp_path / "cd.zip", "cd.zip", tmp_path / "w"))
    assert len(items) == 31 and all(i.name.startswith("cd.zip/CD/") for i in items)


def test_folder_without_dicomdir_walks_files(tmp_path):
    (tmp_path / "s").mkdir()
    shutil.copy(path("CT_small.dcm"), tmp_path / "s" / "a.dcm")
    (tmp_path / "b.txt").write_text("notes")
    assert names(expand_directory(tmp_path)) == ["b.txt", "s/a.dcm"]


def test_folder_symlink_refused(tmp_path):
    (tmp_path / "link").symlink_to("/etc/passwd")
    with pytest.raises(ArchiveError) as info:
        list(expand_directory(tmp_path))
    assert info.value.code == "link_refused"


def test_safe_relpath_normalises():
    assert safe_relpath("./a//b/c.dcm") == "a/b/c.dcm"
    assert safe_relpath("a\\b.dcm") == "a/b.dcm"
