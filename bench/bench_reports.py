"""Benchmark: SR + PDF + Encapsulated PDF of a 2-page report with 4 key images (target p95 < 1 s).

Run: .venv/bin/python bench/bench_reports.py [--runs 30]
Each run renders the 4 annotated key images from their DICOM frames, the PDF (weasyprint),
the Comprehensive SR (highdicom) and the Encapsulated PDF, as a cold cache would.
"""
from __future__ import annotations

import argparse
import copy
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import replace

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import pydicom  # noqa: E402

from telehealth.reports import encapsulated, keyimages, pdf, sr  # noqa: E402
from telehealth.reports.document import KeyImage  # noqa: E402
from tests.reports import samples  # noqa: E402

LETTERHEAD = pdf.Letterhead("Lakeside Imaging Consultants", ("12 Harbour Road", "8001 Zurich"),
                            phone="+41 44 555 0100", email="reports@lakeside.example")


def _report_and_images() -> tuple[object, list[pydicom.Dataset]]:
    images = samples.evidence()
    more = []
    for i in range(2):
        ds = copy.deepcopy(images[0])
        ds.SOPInstanceUID = pydicom.uid.generate_uid(entropy_srcs=[f"bench-{i}"])
        more.append(ds)
    images += more
    report = samples.signed(samples.full_draft(images))
    keys = tuple(
        KeyImage(samples.ref(ds), 40.0 if i % 2 == 0 else -600.0, 400.0 if i % 2 == 0 else 1500.0,
                 tuple(m.annotation_id for m in report.measurements if m.image.sop_instance_uid == ds.SOPInstanceUID),
                 f"Key image {i + 1}")
        for i, ds in enumerate(images)
    )
    return replace(report, key_images=keys), images


def one_run(report, images: list[pydicom.Dataset]) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    """Wall and CPU seconds for all three outputs, and the PDF's page count."""
    start, cpu = time.perf_counter(), time.process_time()
    by_uid = {ds.SOPInstanceUID: ds for ds in images}
    rendered = []
    for key in report.key_images:
        ds = by_uid[key.image.sop_instance_uid]
        frame = keyimages.window_frame(ds, key.image.frame_number, key.window_center, key.window_width)
        shapes = keyimages.shapes_from_measurements(report.measurements, key.annotation_ids)
        rendered.append(pdf.RenderedKeyImage(keyimages.to_jpeg(keyimages.draw_annotations(frame, shapes)),
                                             key.caption))
    document = pdf.render_pdf(report, LETTERHEAD, rendered)
    sr.sr_bytes(sr.build_sr(report, images, institution=LETTERHEAD.name))
    encapsulated.to_bytes(encapsulated.build_encapsulated_pdf(report, document, images[0]))
    return time.perf_counter() - start, time.process_time() - cpu, _pages(document)


def _pages(document: bytes) -> int:
    info = subprocess.run(["pdfinfo", "-"], input=document, capture_output=True).stdout.decode()
    return int(next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "0"))


def main() -> None:
    """Warm up once, time N runs, print p50/p95/max."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    report, images = _report_and_images()
    load = os.getloadavg()[0]
    warm, _, pages = one_run(report, images)
    runs = [one_run(report, images) for _ in range(args.runs)]
    wall = sorted(r[0] for r in runs)
    cpu_times = sorted(r[1] for r in runs)
    cpu = subprocess.run(["sh", "-c", "lscpu | sed -n 's/^Model name: *//p'"], capture_output=True,
                         text=True).stdout.strip() or platform.processor()
    print(f"machine: {cpu}, {os.cpu_count()} CPUs, Python {platform.python_version()}")
    print(f"report: {pages} pages (expected 2), 4 key images, {len(report.measurements)} measurements")
    print(f"first run (cold fonts/templates): {warm * 1000:.0f} ms")
    print(f"load average (1 min) before/after: {load:.2f}/{os.getloadavg()[0]:.2f}")
    for label, times in (("wall", wall), ("cpu", cpu_times)):
        p95 = times[min(len(times) - 1, round(0.95 * len(times)) - 1)]
        print(f"{label}: runs={args.runs} p50={statistics.median(times) * 1000:.0f} ms "
              f"p95={p95 * 1000:.0f} ms max={times[-1] * 1000:.0f} ms")


if __name__ == "__main__":
    main()
