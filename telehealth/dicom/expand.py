"""Turn an upload (files, ZIP archives, a CD/USB folder with DICOMDIR) into candidate DICOM files, safely."""

from __future__ import annotations

import os
import stat
import uuid
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from pydicom.fileset import FileSet

from .parse import collect_pydicom_warnings

CHUNK = 1024 * 1024
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")


class ArchiveError(Exception):
    """An upload refused as a whole (unsafe or over a limit), with a stable reason code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ExpandLimits:
    """Limits on what one upload may expand to; all configurable (TELEHEALTH_UPLOAD_*)."""

    max_total_size: int = 8 * 1024**3
    max_files: int = 20_000
    max_ratio: float = 200.0  # expanded bytes / archive bytes
    ratio_floor: int = 64 * 1024**2  # the ratio is only enforced past this many expanded bytes
    max_depth: int = 2  # a ZIP inside a ZIP inside the upload, no deeper
    max_path_length: int = 1024


@dataclass
class UploadItem:
    """One candidate file: the name the user knows it by and a local path to read."""

    name: str
    path: str


@dataclass
class _Budget:
    limits: ExpandLimits
    files: int = 0
    expanded: int = 0
    skipped: list[str] = field(default_factory=list)

    def add_file(self) -> None:
        self.files += 1
        if self.files > self.limits.max_files:
            raise ArchiveError("too_many_files", f"The upload holds more than {self.limits.max_files} files")

    def add_bytes(self, n: int, compressed: int) -> None:
        self.expanded += n
        if self.expanded > self.limits.max_total_size:
            raise ArchiveError(
                "too_large", f"The upload expands to more than {self.limits.max_total_size} bytes"
            )
        ratio = self.expanded / compressed if compressed else 0.0
        if self.expanded > self.limits.ratio_floor and ratio > self.limits.max_ratio:
            raise ArchiveError(
                "zip_bomb", f"The archive expands more than {self.limits.max_ratio:g} times its size"
            )


def safe_relpath(name: str, limits: ExpandLimits | None = None) -> str:
    """Normalise an archive member or uploaded file path, refusing absolute and parent-escaping ones."""
    limits = limits or ExpandLimits()
    if len(name) > limits.max_path_length or "\0" in name:
        raise ArchiveError("bad_path", "A file name in the upload is too long or contains NUL")
    unified = name.replace("\\", "/")
    if unified.startswith("/") or (len(unified) > 1 and unified[1] == ":"):
        raise ArchiveError("absolute_path", f"Absolute path in upload: {name[:200]!r}")
    parts = [p for p in PurePosixPath(unified).parts if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise ArchiveError("zip_slip", f"Path escapes the upload folder: {name[:200]!r}")
    return "/".join(parts)


def is_zip(path: str | os.PathLike[str]) -> bool:
    """True for a ZIP (local header or empty archive magic) that is not a DICOM file with a PK preamble."""
    with open(path, "rb") as fh:
        head = fh.read(132)
    if len(head) >= 132 and head[128:132] == b"DICM":
        return False
    return head[:4] in ZIP_MAGIC


def expand_upload(
    path: str | os.PathLike[str], name: str, workdir: str | os.PathLike[str], limits: ExpandLimits | None = None
) -> Iterator[UploadItem]:
    """Yield the candidate DICOM files inside one uploaded file (itself, or a ZIP's members)."""
    limits = limits or ExpandLimits()
    budget = _Budget(limits)
    yield from _expand_file(Path(path), name, Path(workdir), budget, depth=0)


def expand_directory(
    root: str | os.PathLike[str], limits: ExpandLimits | None = None, workdir: str | os.PathLike[str] | None = None
) -> Iterator[UploadItem]:
    """Yield the files of a folder: those its DICOMDIR references, else every regular file (ZIPs expanded)."""
    limits = limits or ExpandLimits()
    budget = _Budget(limits)
    work = Path(workdir) if workdir else Path(root)
    yield from _expand_tree(Path(root), "", work, budget, depth=0)


def _expand_file(path: Path, name: str, work: Path, budget: _Budget, depth: int) -> Iterator[UploadItem]:
    if is_zip(path):
        if depth >= budget.limits.max_depth:
            raise ArchiveError("nesting_too_deep", f"ZIP archives nested deeper than {budget.limits.max_depth}")
        target = work / f"zip-{uuid.uuid4().hex}"
        target.mkdir(parents=True)
        _extract_zip(path, target, budget)
        yield from _expand_tree(target, name, work, budget, depth + 1)
    else:
        budget.add_file()
        yield UploadItem(name, str(path))


def _expand_tree(root: Path, prefix: str, work: Path, budget: _Budget, depth: int) -> Iterator[UploadItem]:
    """Walk a folder (never following links); a DICOMDIR decides which files count (PS3.10 8.5)."""
    dicomdir = _find_dicomdir(root)
    if dicomdir is not None:
        referenced = _dicomdir_files(dicomdir)
        if referenced is not None:
            for path in referenced:
                rel = path.relative_to(root).as_posix()
                budget.add_file()
                yield UploadItem(f"{prefix}/{rel}" if prefix else rel, str(path))
            return
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for fname in sorted(filenames):
            full = Path(dirpath) / fname
            st = full.lstat()
            if not stat.S_ISREG(st.st_mode):
                raise ArchiveError("link_refused", f"Links and special files are refused: {fname!r}")
            rel = full.relative_to(root).as_posix()
            yield from _expand_file(full, f"{prefix}/{rel}" if prefix else rel, work, budget, depth)


def _find_dicomdir(root: Path) -> Path | None:
    """A DICOMDIR at the top of the folder or one level down (a CD copied into a folder)."""
    candidates = [root / "DICOMDIR"] + sorted(p / "DICOMDIR" for p in root.iterdir() if p.is_dir())
    for c in candidates:
        if c.is_file() and not c.is_symlink():
            return c
    return None


def _dicomdir_files(dicomdir: Path) -> list[Path] | None:
    """Files referenced by a DICOMDIR, all inside its folder; None when it cannot be read."""
    base = dicomdir.parent.resolve()
    fs = None
    try:
        with collect_pydicom_warnings():
            fs = FileSet(str(dicomdir))
            paths = [Path(inst.path) for inst in fs]
    except Exception:  # an unreadable DICOMDIR: fall back to taking every file
        return None
    finally:
        # FileSet keeps a staging TemporaryDirectory for writing; we only read, so remove it now.
        stage = getattr(fs, "_stage", {}).get("t") if fs is not None else None
        if stage is not None:
            stage.cleanup()
    found = []
    for p in paths:
        resolved = p.resolve()
        if base not in resolved.parents or not p.is_file() or p.is_symlink():
            continue  # referenced but absent or outside the folder: nothing to ingest
        found.append(p)
    return found


def _extract_zip(path: Path, target: Path, budget: _Budget) -> None:
    """Extract members to `target` under sanitised names, checking limits before and during extraction."""
    compressed = path.stat().st_size
    try:
        zf = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ArchiveError("bad_zip", f"Not a readable ZIP archive: {exc}") from exc
    with zf:
        infos = zf.infolist()
        if budget.files + len(infos) > budget.limits.max_files:
            raise ArchiveError("too_many_files", f"The upload holds more than {budget.limits.max_files} files")
        declared = sum(i.file_size for i in infos)
        if budget.expanded + declared > budget.limits.max_total_size:
            raise ArchiveError("too_large", f"The upload expands to more than {budget.limits.max_total_size} bytes")
        if declared > budget.limits.ratio_floor and declared / max(compressed, 1) > budget.limits.max_ratio:
            raise ArchiveError("zip_bomb", f"The archive expands more than {budget.limits.max_ratio:g} times its size")
        for info in infos:
            rel = safe_relpath(info.filename, budget.limits)
            mode = info.external_attr >> 16
            if stat.S_ISLNK(mode):
                raise ArchiveError("link_refused", f"Symbolic link in archive: {info.filename[:200]!r}")
            if info.flag_bits & 0x1:
                raise ArchiveError("encrypted", f"Encrypted archive member: {info.filename[:200]!r}")
            if info.is_dir() or not rel:
                continue
            dest = target / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            if dest.exists():
                raise ArchiveError("duplicate_member", f"The archive holds {rel!r} twice")
            _copy_member(zf, info, dest, budget, compressed)


def _copy_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, dest: Path, budget: _Budget, compressed: int) -> None:
    """Stream one member to disk, counting real (not declared) bytes."""
    try:
        with zf.open(info) as src, open(dest, "xb") as out:
            while chunk := src.read(CHUNK):
                budget.add_bytes(len(chunk), compressed)
                out.write(chunk)
    except (zipfile.BadZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise ArchiveError("bad_zip", f"Cannot extract {info.filename[:200]!r}: {exc}") from exc
