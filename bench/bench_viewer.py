"""Benchmark: the viewer's time to the first image and to the whole stack (issue 6; target first image < 1 s).

Run: .venv/bin/python bench/bench_viewer.py [--runs 7] [--db sqlite,postgresql] [--slices 200]

1. Generates a synthetic CT series (default 200 axial slices of 512x512, 16-bit, 1.25 mm apart, with
   ImagePositionPatient/SliceLocation stepping, rescale slope/intercept and two windows) with pydicom.
2. Starts our server as the Procfile does (gunicorn gthread, 1 worker, 256 threads, the built
   frontend/dist) on a fresh SQLite file under a temp data folder, and/or on PostgreSQL.
3. Signs up a patient, opens a case and uploads the series through the upload API (multipart form).
4. Runs bench/viewer_ttfi.mjs (playwright-core, Debian Chromium, headless): one sign-in, then per run
   a NEW browser context (empty HTTP cache) that navigates straight to the viewer URL and waits for the
   viewer's marks `viewer:first-image` and `viewer:stack-loaded` (performance.now() from navigation
   start). Then, in the same context, a reload (warm HTTP cache) is timed as well.
5. Prints median and spread, the network facts (requests, bytes, the path to the first image) and the
   server's own time per request kind (gunicorn access log, %(D)s); --doc writes docs/benchmarks.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import PYDICOM_IMPLEMENTATION_UID, CTImageStorage, ExplicitVRLittleEndian, generate_uid

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if ROOT not in sys.path:
    sys.path.insert(0, ROOT)

from bench.ours import Ours  # noqa: E402

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test_ttfi"
SCRIPT = os.path.join(ROOT, "bench", "viewer_ttfi.mjs")
DOC = os.path.join(ROOT, "docs", "benchmarks.md")
SECTION = "## Viewer: time to first image (issue 6)"
# The account bench/ours.py signs up for each server.
EMAIL, PASSWORD = "bench.patient@example.org", "bench-password-0123"


# --- the synthetic series -------------------------------------------------------------------------

@dataclass
class SeriesFiles:
    """A generated series: its UIDs, geometry and files in acquisition order."""

    study_uid: str
    series_uid: str
    paths: list[str]
    size: int
    spacing: float
    step: float
    z0: float


def _body(x: np.ndarray, y: np.ndarray, t: float) -> np.ndarray:
    """Hounsfield units of one axial slice at relative height t (0 = top of the scan, 1 = bottom)."""
    hu = np.full(x.shape, -1000.0, dtype=np.float32)
    half_width = 0.80 - 0.12 * np.sin(np.pi * t)  # shoulders, then a narrower abdomen
    body = (x / half_width) ** 2 + ((y - 0.05) / 0.58) ** 2 < 1
    hu[body] = -80.0  # fat
    hu[(x / (half_width - 0.06)) ** 2 + ((y - 0.05) / 0.52) ** 2 < 1] = 40.0  # soft tissue
    if t < 0.6:  # lungs in the chest part
        lung = 0.30 * np.sin(np.pi * min(t / 0.6, 1.0)) + 0.05
        for cx in (-0.32, 0.32):
            hu[((x - cx) / lung) ** 2 + ((y + 0.02) / (lung * 1.4)) ** 2 < 1] = -850.0
    else:  # liver on one side below them
        hu[((x + 0.25) / 0.32) ** 2 + ((y + 0.05) / 0.28) ** 2 < 1] = 60.0
    spine = (x ** 2 + (y - 0.45) ** 2 < 0.012) & ~(x ** 2 + (y - 0.45) ** 2 < 0.004)
    hu[spine] = 700.0
    return hu


def generate_series(folder: str, count: int = 200, *, size: int = 512, spacing: float = 0.7,
                    step: float = 1.25, z0: float = 50.0, seed: int = 6) -> SeriesFiles:
    """Write `count` CT slices (Explicit VR Little Endian, 16-bit) into `folder`, head to feet.

    Geometry as a scanner writes it: ImageOrientationPatient axial, ImagePositionPatient z (and
    SliceLocation) stepping down by `step` mm per InstanceNumber, x/y centred on the table; stored
    values are HU + 1024 (RescaleSlope 1, RescaleIntercept -1024), two windows (soft tissue, lung).
    """
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(seed)
    study_uid, series_uid, frame_uid = (generate_uid(entropy_srcs=[f"bench-viewer-{seed}-{k}"])
                                        for k in ("study", "series", "frame"))
    axis = np.linspace(-1, 1, size, dtype=np.float32)
    x, y = np.meshgrid(axis, axis)
    noise = rng.normal(0, 15, (4, size, size)).astype(np.float32)  # a few noise fields, cycled
    origin = -spacing * (size - 1) / 2
    paths = []
    for i in range(count):
        z = z0 - i * step
        hu = _body(x, y, i / max(count - 1, 1)) + noise[i % len(noise)]
        stored = np.clip(np.rint(hu) + 1024, 0, 4095).astype(np.uint16)
        sop = generate_uid(entropy_srcs=[f"bench-viewer-{seed}-sop-{i}"])
        meta = FileMetaDataset()
        meta.MediaStorageSOPClassUID = CTImageStorage
        meta.MediaStorageSOPInstanceUID = sop
        meta.TransferSyntaxUID = ExplicitVRLittleEndian
        meta.ImplementationClassUID = PYDICOM_IMPLEMENTATION_UID
        ds = Dataset()
        ds.file_meta = meta
        ds.SpecificCharacterSet = "ISO_IR 100"
        ds.ImageType = ["ORIGINAL", "PRIMARY", "AXIAL"]
        ds.SOPClassUID, ds.SOPInstanceUID = CTImageStorage, sop
        ds.StudyDate = ds.SeriesDate = ds.AcquisitionDate = ds.ContentDate = "20261121"
        ds.StudyTime = ds.SeriesTime = "093000"
        ds.AcquisitionTime = ds.ContentTime = f"0930{i // 100:02d}.{i % 100:02d}"
        ds.AccessionNumber, ds.StudyID, ds.ReferringPhysicianName = "TTFI0001", "1", ""
        ds.Modality, ds.Manufacturer, ds.ManufacturerModelName = "CT", "BENCH", "Synthetic"
        ds.StudyDescription, ds.SeriesDescription = "CT CHEST ABDOMEN", "Axial 1.25mm"
        ds.PatientName, ds.PatientID, ds.PatientBirthDate, ds.PatientSex = "BENCH^VIEWER", "TTFI-0001", "19650101", "F"
        ds.BodyPartExamined, ds.PatientPosition = "CHEST", "HFS"
        ds.StudyInstanceUID, ds.SeriesInstanceUID, ds.FrameOfReferenceUID = study_uid, series_uid, frame_uid
        ds.SeriesNumber, ds.AcquisitionNumber, ds.InstanceNumber = 2, 1, i + 1
        ds.ImageOrientationPatient = [1, 0, 0, 0, 1, 0]
        ds.ImagePositionPatient = [round(origin, 3), round(origin, 3), round(z, 3)]
        ds.SliceLocation = round(z, 3)
        ds.SliceThickness = ds.SpacingBetweenSlices = step
        ds.PixelSpacing = [spacing, spacing]
        ds.KVP, ds.XRayTubeCurrent, ds.ConvolutionKernel = 120, 250, "STANDARD"
        ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
        ds.Rows = ds.Columns = size
        ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
        ds.RescaleIntercept, ds.RescaleSlope, ds.RescaleType = -1024, 1, "HU"
        ds.WindowCenter, ds.WindowWidth = [40, -600], [400, 1500]
        ds.WindowCenterWidthExplanation = ["SOFT TISSUE", "LUNG"]
        ds.PixelData = stored.tobytes()
        ds["PixelData"].VR = "OW"
        path = os.path.join(folder, f"CT{i + 1:04d}.dcm")
        ds.save_as(path, enforce_file_format=True)
        paths.append(path)
    return SeriesFiles(study_uid, series_uid, paths, size, spacing, step, z0)


# --- the server and the study ---------------------------------------------------------------------

class ViewerServer(Ours):
    """Ours as in the Procfile (256 threads), with an access log that has each request's duration."""

    def __init__(self, port: int, database: str, dist: str | None = None) -> None:
        super().__init__(port, database, threads=256, extra_env={"TELEHEALTH_FRONTEND_DIST": dist} if dist else None)
        self.access_log = os.path.join(self.folder, "access.log")

    def command(self) -> list[str]:
        """The Procfile's gunicorn line plus an access log: status, bytes, microseconds, request line."""
        return [*super().command(), "--access-logfile", self.access_log,
                "--access-logformat", '%(s)s %(B)s %(D)s "%(r)s"']

    def upload(self, paths: list[str], batch: int = 25) -> int:
        """Upload the files through POST /api/cases/<id>/uploads in batches; returns how many were stored."""
        case_url = self.base.removesuffix("/dicomweb")
        stored = 0
        for start in range(0, len(paths), batch):
            boundary = uuid.uuid4().hex
            parts = []
            for path in paths[start:start + batch]:
                with open(path, "rb") as fh:
                    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="files"; '
                                 f'filename="{os.path.basename(path)}"\r\nContent-Type: application/dicom\r\n\r\n'
                                 .encode() + fh.read() + b"\r\n")
            body = b"".join(parts) + f"--{boundary}--\r\n".encode()
            req = urllib.request.Request(f"{case_url}/uploads", data=body, method="POST", headers={
                **self.headers, "Content-Type": f"multipart/form-data; boundary={boundary}"})
            with urllib.request.urlopen(req, timeout=600) as resp:
                stored += int(json.loads(resp.read())["stored"])
        return stored

    def viewer_path(self, series: SeriesFiles) -> str:
        """The viewer page of the case for this series (what the case page links to)."""
        case_id = self.base.split("/api/cases/", 1)[1].split("/", 1)[0]
        return f"/cases/{case_id}/viewer?study={series.study_uid}&series={series.series_uid}"

    def request_times(self) -> list[tuple[str, int, int, float]]:
        """(path, status, bytes, milliseconds) of every request in the access log so far."""
        out = []
        if not os.path.exists(self.access_log):
            return out
        pattern = re.compile(r'^(\d{3}) (\S+) (\d+) "\S+ (\S+) [^"]*"$')
        with open(self.access_log) as fh:
            for line in fh:
                m = pattern.match(line.strip())
                if m:
                    size = int(m.group(2)) if m.group(2).isdigit() else 0
                    out.append((m.group(4), int(m.group(1)), size, int(m.group(3)) / 1000))
        return out


PREVIEW_MARK = "viewer:first-preview"  # frontend/src/viewer/preview.ts


def kind(path: str) -> str:
    """The request kinds the report tells apart."""
    path = path.split("?", 1)[0]
    if path.endswith("/rendered"):
        return "rendered preview"
    if "/frames/" in path:
        return "frames"
    if path.endswith("/metadata"):
        return "series metadata"
    if path.endswith("/thumbnail"):
        return "thumbnail"
    if "/dicomweb/" in path:
        return "QIDO"
    if path.startswith("/assets/"):
        return "static assets"
    if path.startswith("/api/"):
        return "other API"
    return "page"


# --- the browser runs -----------------------------------------------------------------------------

def browse(origin: str, path: str, runs: int, screenshot: str | None, timeout_s: float,
           trace: str | None = None) -> list[dict[str, Any]]:
    """Run viewer_ttfi.mjs with node from frontend/ (its node_modules has playwright-core)."""
    config = {"origin": origin, "path": path, "email": EMAIL, "password": PASSWORD, "runs": runs,
              "screenshot": screenshot, "timeoutMs": int(timeout_s * 1000), "trace": trace}
    res = subprocess.run(["node", SCRIPT, json.dumps(config)], cwd=os.path.join(ROOT, "frontend"),
                         capture_output=True, text=True, timeout=timeout_s * (2 * runs + 2) + 60)
    if res.returncode != 0:
        raise RuntimeError(f"viewer_ttfi.mjs failed ({res.returncode}):\n{res.stdout[-2000:]}\n{res.stderr[-3000:]}")
    return [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]


def resource_facts(run: dict[str, Any], first_image: float) -> dict[str, Any]:
    """Request counts, bytes and the path to the first image of one navigation."""
    res = run["resources"]
    frames = [r for r in res if kind(r["path"]) == "frames"]
    before = [r for r in frames if r["start"] <= first_image]
    meta = [r for r in res if kind(r["path"]) == "series metadata"]
    chunks = [r for r in res if kind(r["path"]) == "static assets"]
    previews = [r for r in res if kind(r["path"]) == "rendered preview"]
    marks = run.get("marks") or {}
    return {
        "preview_start": previews[0]["start"] if previews else None,
        "preview_end": previews[0]["end"] if previews else None,
        "engine_evaluated": marks.get("viewer:engine-evaluated"),
        "cornerstone_ready": marks.get("viewer:cornerstone-ready"),
        "stack_set": marks.get("viewer:stack-set"),
        "requests": len(res),
        "frame_requests": len(frames),
        "frame_bytes": sum(r["body"] for r in frames),
        "transfer_bytes": sum(r["transfer"] for r in res),
        "frames_started_before_first_image": len(before),
        "metadata_start": meta[0]["start"] if meta else None,
        "metadata_end": meta[0]["end"] if meta else None,
        "metadata_bytes": sum(r["body"] for r in meta),
        "assets_end": max((r["end"] for r in chunks), default=None),
        "asset_bytes": sum(r["transfer"] for r in chunks),
        "first_frame_start": min((r["start"] for r in frames), default=None),
        "first_frame_end": min((r["end"] for r in frames), default=None),
        "last_frame_end": max((r["end"] for r in frames), default=None),
    }


def spread(values: list[float]) -> str:
    """median (min-max, n) in ms."""
    if not values:
        return "-"
    return f"{statistics.median(values):.0f} ms ({min(values):.0f}-{max(values):.0f}, n={len(values)})"


def summarise(db: str, runs: list[dict[str, Any]], server: list[tuple[str, int, int, float]]) -> dict[str, Any]:
    """Medians and spreads of one server's runs, plus the server's time per request kind."""
    cold = [r for r in runs if r["phase"] == "cold"]
    warm = [r for r in runs if r["phase"] == "warm"]
    facts = [resource_facts(r, r["firstImage"]) for r in cold]

    def med(key: str) -> float | None:
        vals = [f[key] for f in facts if f[key] is not None]
        return statistics.median(vals) if vals else None

    by_kind: dict[str, list[float]] = {}
    for path, status, _size, ms in server:
        if status < 400:
            by_kind.setdefault(kind(path), []).append(ms)
    return {
        "db": db,
        "first_image": [r["firstImage"] for r in cold],
        "preview": [m for r in cold if (m := (r.get("marks") or {}).get(PREVIEW_MARK)) is not None],
        "warm_preview": [m for r in warm if (m := (r.get("marks") or {}).get(PREVIEW_MARK)) is not None],
        "stack_loaded": [r["stackLoaded"] for r in cold],
        "warm_first_image": [r["firstImage"] for r in warm],
        "warm_stack_loaded": [r["stackLoaded"] for r in warm],
        "facts": facts[0] if facts else {},
        "medians": {k: med(k) for k in ("metadata_start", "metadata_end", "assets_end", "first_frame_start",
                                        "first_frame_end", "last_frame_end", "engine_evaluated", "preview_start",
                                        "preview_end", "cornerstone_ready", "stack_set")},
        "first_image_median": statistics.median([r["firstImage"] for r in cold]) if cold else None,
        "server": {k: (len(v), statistics.median(v), sorted(v)[min(len(v) - 1, int(0.9 * len(v)))], sum(v))
                   for k, v in sorted(by_kind.items())},
    }


def run_one(db: str, series: SeriesFiles, runs: int, screenshot: str | None, timeout_s: float,
            dist: str | None, trace: str | None = None) -> dict[str, Any]:
    """A fresh server on `db`, the series uploaded, `runs` cold + warm navigations."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    srv = ViewerServer(port, PG_URL if db == "postgresql" else "sqlite", dist)
    srv.start()
    try:
        t0 = time.monotonic()
        stored = srv.upload(series.paths)
        if stored != len(series.paths):
            raise RuntimeError(f"{stored} of {len(series.paths)} instances stored")
        print(f"[{db}] uploaded {stored} instances in {time.monotonic() - t0:.1f} s", flush=True)
        skip = len(srv.request_times())
        results = browse(srv.origin, srv.viewer_path(series), runs, screenshot, timeout_s, trace)
        server = srv.request_times()[skip:]
        raw = os.path.join(ROOT, "bench", "results", f"viewer-{db}.json")
        os.makedirs(os.path.dirname(raw), exist_ok=True)
        with open(raw, "w") as fh:  # every navigation's marks and resource timings, for a closer look
            json.dump({"runs": results, "server": server}, fh)
        return summarise(db, results, server)
    finally:
        srv.stop()


def report(summaries: list[dict[str, Any]], series: SeriesFiles, runs: int, command: str, load: tuple[str, str]) -> str:
    """The Markdown of the doc section (also printed)."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as fh:
        cpu = next((line.split(":", 1)[1].strip() for line in fh if line.startswith("model name")), cpu)
    chromium = subprocess.run(["/usr/bin/chromium", "--version"], capture_output=True, text=True).stdout.strip()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    lines = [SECTION, "",
             f"Run {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, commit {commit}. Command: `{command}`.", "",
             f"Machine: a shared {os.cpu_count()}-core VM ({cpu}), {platform.platform()}, {chromium} headless "
             f"(`--disable-gpu`, SwiftShader WebGL); load average (1 min) {load[0]} before, {load[1]} after; "
             + ("other work ran at the same time, so wall-clock times are noisy." if float(load[0]) > 2 else
                "the machine was otherwise idle (the load after is the benchmark's own)."), "",
             f"Series: {len(series.paths)} synthetic CT slices, {series.size}x{series.size}, 16-bit (12 stored), "
             f"{series.spacing} mm pixels, {series.step} mm apart, Explicit VR Little Endian, "
             f"{os.path.getsize(series.paths[0]) // 1024} KB each; uploaded through the upload API. "
             "Server: gunicorn as in the Procfile (gthread, 1 worker, 256 threads) serving the built "
             "frontend. Each cold run is a new browser context (empty HTTP cache, signed in by cookie) "
             "navigating straight to the viewer URL; times are `performance.mark` startTime, i.e. from "
             "navigation start. \"Warm\" is a reload in the same context (assets, metadata and frames "
             "from the HTTP cache or revalidated).", "",
             "\"Preview\" is the server-rendered JPEG of the slice the viewer opens on (`/frames/N/rendered`, "
             "the file's window), shown as a plain image until Cornerstone draws that slice from its original "
             "16-bit pixels (\"first image\"); the pane says \"Preview · loading full quality\" meanwhile. "
             "Marks: `viewer:first-preview` (preview decoded, next frame), `viewer:first-image` (Cornerstone's "
             "IMAGE_RENDERED for a slice of the series).", "",
             "| database | preview (cold) | first image (cold) | all slices loaded (cold) | preview (warm) | "
             "first image (warm) | all loaded (warm) |",
             "|---|---|---|---|---|---|---|"]
    for s in summaries:
        cells = [spread(s[k]) for k in ("preview", "first_image", "stack_loaded", "warm_preview", "warm_first_image",
                                        "warm_stack_loaded")]
        lines.append(f"| {s['db']} | " + " | ".join(cells) + " |")
    lines.append("")
    for s in summaries:
        f, m = s["facts"], s["medians"]
        if not f:
            continue

        def ms(v: float | None) -> str:
            return "-" if v is None else f"{v:.0f} ms"

        lines += [f"Network, {s['db']}, first cold run: {f['requests']} requests, {f['transfer_bytes'] / 1e6:.1f} MB "
                  f"transferred; {f['frame_requests']} frame requests ({f['frame_bytes'] / 1e6:.1f} MB), "
                  f"{f['frames_started_before_first_image']} of them started before the first image; series metadata "
                  f"{f['metadata_bytes'] / 1e3:.0f} KB; static assets {f['asset_bytes'] / 1e6:.1f} MB.", "",
                  f"Path to the first image ({s['db']}, medians of the cold runs, from navigation start): last static "
                  f"asset {ms(m['assets_end'])}; series metadata requested {ms(m['metadata_start'])}, received "
                  f"{ms(m['metadata_end'])}; preview requested {ms(m['preview_start'])}, received "
                  f"{ms(m['preview_end'])}, shown {ms(statistics.median(s['preview']) if s['preview'] else None)}; "
                  f"viewer engine module run {ms(m['engine_evaluated'])}, Cornerstone "
                  f"started {ms(m['cornerstone_ready'])}, stack given to the viewport {ms(m['stack_set'])}; first "
                  f"frame requested {ms(m['first_frame_start'])}, received {ms(m['first_frame_end'])}; first image "
                  f"drawn {ms(s['first_image_median'])}; last frame received {ms(m['last_frame_end'])}.", "",
                  f"Server time per request ({s['db']}, gunicorn access log, all runs):", "",
                  "| request | count | median | p90 | total |", "|---|---|---|---|---|"]
        for k, (n, med, p90, total) in s["server"].items():
            lines.append(f"| {k} | {n} | {med:.1f} ms | {p90:.1f} ms | {total / 1000:.1f} s |")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def write_doc(section: str, path: str = DOC) -> None:
    """Replace the measured part of this section of docs/benchmarks.md (up to its first `###` write-up, the
    next section or marker), or insert the section before the `make bench` Orthanc section; the write-up
    and the other sections stay as they are."""
    text = open(path).read()
    start = text.find(SECTION)
    if start >= 0:
        rest = text[start + len(SECTION):]
        ends = [i for i in (rest.find("\n## "), rest.find("\n<!-- "), rest.find("\n### ")) if i >= 0]
        end = start + len(SECTION) + (min(ends) + 1 if ends else len(rest))
        text = text[:start] + section + "\n" + text[end:].lstrip("\n")
    else:
        marker = text.find("<!-- bench:")
        text = (text[:marker] + section + "\n" + text[marker:]) if marker >= 0 else text.rstrip() + "\n\n" + section
    with open(path, "w") as fh:
        fh.write(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=7, help="cold navigations per server (each followed by a warm one)")
    parser.add_argument("--db", default="sqlite", help="comma-separated: sqlite, postgresql (database test_ttfi)")
    parser.add_argument("--slices", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=60, help="seconds one navigation may take")
    parser.add_argument("--screenshot", default=os.path.join(ROOT, "bench", "results", "viewer-first-image.png"))
    parser.add_argument("--dist", help="a built frontend folder to serve instead of frontend/dist")
    parser.add_argument("--doc", action="store_true", help="write the section of docs/benchmarks.md")
    parser.add_argument("--trace", help="write a Chrome performance trace of the first cold run to this file "
                        "(<name>-<db>.json per database); open it in chrome://tracing or DevTools")
    args = parser.parse_args()
    if not os.path.exists(os.path.join(args.dist or os.path.join(ROOT, "frontend", "dist"), "index.html")):
        sys.exit("the frontend is not built: run `cd frontend && npm run build` (or `make frontend`)")
    os.makedirs(os.path.dirname(args.screenshot), exist_ok=True)
    load_before = f"{os.getloadavg()[0]:.1f}"
    with tempfile.TemporaryDirectory(prefix="bench-viewer-") as work:
        t0 = time.monotonic()
        series = generate_series(work, args.slices)
        print(f"generated {len(series.paths)} slices in {time.monotonic() - t0:.1f} s", flush=True)
        summaries = []
        for db in [d for d in args.db.split(",") if d]:
            trace = re.sub(r"(\.json)?$", f"-{db}.json", args.trace, count=1) if args.trace else None
            summaries.append(run_one(db, series, args.runs, args.screenshot, args.timeout, args.dist, trace))
            args.screenshot = None
        command = ".venv/bin/python bench/bench_viewer.py " + " ".join(sys.argv[1:])
        section = report(summaries, series, args.runs, command.strip(), (load_before, f"{os.getloadavg()[0]:.1f}"))
    print(section)
    if args.doc:
        write_doc(section)
        print(f"written: {DOC}")


if __name__ == "__main__":
    main()
