"""The comparison table and the docs/benchmarks.md section written from one run's measurements."""
from __future__ import annotations

import os
import re
from typing import Any

from .workload import Result

START = "<!-- bench:archive-vs-orthanc:start (written by `make bench`; edit bench/report.py, not this) -->"
END = "<!-- bench:archive-vs-orthanc:end -->"

# metric key, label, higher is better, target ratio (ours / Orthanc) or None
ROWS: list[tuple[str, str, bool, float | None]] = [
    ("stow", "STOW-RS ingest, instances/s", True, 1.5),
    ("stow_large", "STOW-RS ingest (large run, 10,000 by default), instances/s", True, 1.5),
    ("qido_study", "QIDO-RS studies, p50 ms", False, 1.0),
    ("qido_series", "QIDO-RS series, p50 ms", False, 1.0),
    ("qido_instance", "QIDO-RS instances, p50 ms", False, 1.0),
    ("metadata", "WADO-RS metadata (300-instance series), p50 ms", False, 1.0),
    ("frames", "WADO-RS frames/s (uncompressed, 16 in flight)", True, 1.0),
    ("rendered_png_cold", "rendered PNG frames/s, first pass", True, 1.5),
    ("rendered_png", "rendered PNG frames/s, repeat", True, 1.5),
    ("rendered_jpeg_cold", "rendered JPEG frames/s, first pass", True, 1.5),
    ("rendered_jpeg", "rendered JPEG frames/s, repeat", True, 1.5),
]


def _fmt(x: float) -> str:
    return f"{x:.0f}" if x >= 100 else f"{x:.1f}" if x >= 10 else f"{x:.2f}"


def ratio(ours: Result, peer: Result, higher: bool) -> float:
    """How many times better ours is (>1 = ours wins), for throughput or latency alike."""
    return ours.value / peer.value if higher else peer.value / ours.value


def table(results: dict[str, dict[str, Result]], peer: str = "orthanc") -> str:
    """Markdown table: the peer, each of our configurations, and 'times better' with the target verdict."""
    ours = [k for k in results if k != peer]
    head = ["metric", "Orthanc"] + [f"ours {k}" for k in ours] + [f"x vs Orthanc ({k})" for k in ours] + ["target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, label, higher, target in ROWS:
        if not any(key in r for r in results.values()):
            continue
        p = results.get(peer, {}).get(key)
        cells = [label, _fmt(p.value) if p else "n/a"]
        cells += [_fmt(results[k][key].value) if key in results[k] else "n/a" for k in ours]
        for k in ours:
            o = results[k].get(key)
            if o is None or p is None:
                cells.append("n/a")
                continue
            x = ratio(o, p, higher)
            verdict = "" if target is None else (" met" if x >= target else " **not met**")
            cells.append(f"{x:.2f}x{verdict}")
        cells.append("" if target is None else f">= {target:g}x")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


_CPU_LABELS = {
    "stow": "STOW-RS, per instance", "stow_large": "STOW-RS (large run), per instance",
    "qido_study": "QIDO-RS studies, per request", "qido_series": "QIDO-RS series, per request",
    "qido_instance": "QIDO-RS instances, per request", "metadata": "WADO-RS series metadata, per request",
    "frames": "WADO-RS frame, per frame", "rendered_png_cold": "rendered PNG first pass, per frame",
    "rendered_png": "rendered PNG repeat, per frame", "rendered_jpeg_cold": "rendered JPEG first pass, per frame",
    "rendered_jpeg": "rendered JPEG repeat, per frame",
}
_CPU_KEYS = ("server_cpu_ms_per_instance", "server_cpu_ms_per_request", "server_cpu_ms_per_frame")


def _cpu(r: Result | None) -> float | None:
    if r is None:
        return None
    return next((float(r.extra[k]) for k in _CPU_KEYS if k in r.extra), None)


def cpu_table(results: dict[str, dict[str, Result]], peer: str = "orthanc") -> str:
    """Server CPU milliseconds per instance / request / frame: steadier than wall time on a shared machine."""
    ours = [k for k in results if k != peer]
    head = ["metric", "Orthanc CPU ms/op"] + [f"ours {k}" for k in ours] + [f"x vs Orthanc ({k})" for k in ours]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for key, _label, _, _ in ROWS:
        p = _cpu(results.get(peer, {}).get(key))
        vals = [_cpu(results[k].get(key)) for k in ours]
        if p is None and not any(v is not None for v in vals):
            continue
        cells = [_CPU_LABELS.get(key, key), _fmt(p) if p is not None else "n/a"]
        cells += [_fmt(v) if v is not None else "n/a" for v in vals]
        cells += [f"{p / v:.2f}x" if p and v else "n/a" for v in vals]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def details(results: dict[str, dict[str, Result]]) -> str:
    """Spread and server-side facts per server and metric."""
    lines = ["| server | metric | median | spread | server facts |", "|---|---|---|---|---|"]
    labels = {k: label for k, label, _, _ in ROWS}
    for server, res in results.items():
        for key, r in res.items():
            facts = ", ".join(f"{k} {_fmt(v) if isinstance(v, float) else v}" for k, v in r.extra.items()
                              if k in ("server_cpu_ms_per_instance", "server_cpu_ms_per_frame", "peak_rss_mb",
                                       "server_cpu_ms_per_request",
                                       "wall_s", "first_ms", "p99_ms"))
            lines.append(f"| {server} | {labels.get(key, key)} | {_fmt(r.value)} {r.unit} | {r.spread} | {facts} |")
    return "\n".join(lines)


def write_section(path: str, body: str) -> None:
    """Replace this benchmark's section of docs/benchmarks.md (or append it); other sections stay as they are."""
    text = (open(path).read() if os.path.exists(path)
            else "# Benchmarks\n\nMeasured numbers per feature: command, machine, results.\n")
    section = f"{START}\n{body.strip()}\n{END}"
    if START in text and END in text:
        text = re.sub(re.escape(START) + r".*?" + re.escape(END), lambda _m: section, text, flags=re.S)
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    with open(path, "w") as fh:
        fh.write(text)


def as_json(results: dict[str, dict[str, Result]]) -> dict[str, Any]:
    """Plain data for bench/results/latest.json."""
    return {s: {k: {"value": r.value, "unit": r.unit, "spread": r.spread, **r.extra} for k, r in res.items()}
            for s, res in results.items()}
