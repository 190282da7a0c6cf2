"""`python -m bench` (`make bench`): every benchmark of the project in one run, numbers into docs/benchmarks.md.

1. The archive side by side with Orthanc through DICOMweb (same client, data and concurrency):
   Orthanc from Debian's packages, ours on SQLite and on PostgreSQL under gunicorn as in the Procfile.
2. The other benchmarks under bench/ (reports, live, the archive's own), with bounded arguments; their
   output goes into the run log of this section (their own sections of the doc are left as they are).

Counts and concurrency come from BENCH_* variables (see bench/workload.py `Settings`); BENCH_SERVERS picks
servers (default "orthanc,sqlite,postgresql"), BENCH_OTHERS=0 skips step 2, BENCH_PG_URL sets the database,
BENCH_DOC and BENCH_RESULTS redirect the outputs (for trial runs).
"""
from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import platform
import shlex
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict

from . import data, report, workload
from .ours import PG_DEFAULT, Ours, versions
from .peer import orthanc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FAILURES: list[str] = []
DOC = os.environ.get("BENCH_DOC") or os.path.join(ROOT, "docs", "benchmarks.md")
PY = os.path.join(ROOT, ".venv", "bin", "python")
WORKERS = int(os.environ.get("BENCH_WORKERS", "1"))  # gunicorn worker processes of ours (Procfile: 1)
# Other helpers' benchmarks, with arguments that keep the whole run bounded, and a time limit each.
OTHERS = [
    ("bench/bench_reports.py", ["--runs", "10"], 240),
    ("bench/bench_live.py", ["--sessions", "20", "--seconds", "5"], 300),
    ("bench/bench_dicom_ingest.py", ["--count", os.environ.get("BENCH_DICOM_INGEST_COUNT", "200"),
                                     "--queries", "100"], 300),
    ("bench/bench_dicom_rss.py", ["--size-mb", os.environ.get("BENCH_RSS_MB", "192")], 300),
    ("bench/bench_viewer.py", ["--runs", os.environ.get("BENCH_VIEWER_RUNS", "5"), "--db", "sqlite"], 480),
]


def log(msg: str) -> None:
    """Progress on stdout, flushed (make shows it live)."""
    print(msg, flush=True)


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def machine() -> dict[str, str]:
    """What this ran on: cores, memory, CPU model, load, OS."""
    cpu = "unknown"
    with open("/proc/cpuinfo") as fh:
        for line in fh:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem = subprocess.run(["free", "-h"], capture_output=True, text=True).stdout.strip()
    nproc = subprocess.run(["nproc"], capture_output=True, text=True).stdout.strip()
    return {"nproc": nproc, "cpu": cpu, "free": mem, "os": platform.platform(),
            "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}


def make_server(name: str, port: int):  # type: ignore[no-untyped-def]
    """Orthanc, or ours on SQLite or PostgreSQL."""
    if name == "orthanc":
        return orthanc.Orthanc(port)
    if name == "sqlite":
        return Ours(port, "sqlite", workers=WORKERS)
    return Ours(port, os.environ.get("BENCH_PG_URL", PG_DEFAULT), workers=WORKERS)


def run_servers(settings: workload.Settings, servers: list[str], work: str) -> dict[str, dict[str, workload.Result]]:
    """The shared workload against each server in turn (fresh server, fresh storage each)."""
    log(f"generating {settings.instances} CT-like instances ...")
    corpus = data.generate(os.path.join(work, "main"), settings.instances, big_series=settings.big_series)
    large = None
    if settings.large:
        log(f"generating {settings.large} instances for the large ingest run ...")
        large = data.generate(os.path.join(work, "large"), settings.large, big_series=settings.big_series, seed=8)
    results: dict[str, dict[str, workload.Result]] = {}
    for name in servers:
        srv = make_server(name, free_port())
        log(f"[{name}] starting")
        results[name] = {}
        try:
            srv.start()
            asyncio.run(workload.run_all(srv, corpus, settings, log, results[name]))
        except Exception as exc:  # a failing server must show in the report, not void the whole run
            FAILURES.append(f"{name}: {type(exc).__name__}: {str(exc)[:300]}")
            log(f"  FAILED: {FAILURES[-1]}\n{getattr(srv, 'log_tail', str)()}")
        finally:
            srv.stop()
        if large is not None:
            srv = make_server(name, free_port())
            try:
                srv.start()
                async def go(srv: object = srv) -> workload.Result:
                    async with workload.session_factory(settings.stow_clients) as session:
                        return await workload.ingest(session, srv, large, clients=settings.stow_clients,  # type: ignore[arg-type]
                                                     batch=settings.stow_batch)
                results[name]["stow_large"] = r = asyncio.run(go())
                log(f"  STOW-RS {settings.large}: {r.value:.1f} instances/s")
            except Exception as exc:  # as above: report it, keep the other servers' results
                FAILURES.append(f"{name} (large run): {type(exc).__name__}: {str(exc)[:300]}")
                log(f"  FAILED: {FAILURES[-1]}\n{getattr(srv, 'log_tail', str)()}")
            finally:
                srv.stop()
    return results


def run_others() -> list[tuple[str, str]]:
    """Each other benchmark script that exists, bounded; (command, tail of its output)."""
    out = []
    for script, args, limit in OTHERS:
        if not os.path.exists(os.path.join(ROOT, script)):
            continue
        cmd = [PY, script, *args]
        log(f"running {' '.join(cmd[1:])}")
        t0 = time.monotonic()
        try:
            res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=limit)
            text = (res.stdout + ("\n" + res.stderr if res.returncode else "")).strip()
            status = f"exit {res.returncode}"
        except subprocess.TimeoutExpired as exc:
            text = (exc.stdout or b"").decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
            status = f"stopped after {limit} s"
        tail = "\n".join(text.splitlines()[-25:])
        log(tail)
        out.append((f"{' '.join(cmd[1:])}  ({status}, {time.monotonic() - t0:.0f} s)", tail))
    return out


def main() -> None:
    """Run everything, write the doc section and bench/results/latest.json, print the table."""
    started = dt.datetime.now(dt.UTC)
    settings = workload.Settings()
    servers = [s for s in os.environ.get("BENCH_SERVERS", "orthanc,sqlite,postgresql").split(",") if s]
    if "orthanc" in servers:
        orthanc.ensure_installed()
    m = machine()
    log(f"machine: {m['nproc']} cores, {m['cpu']}, load {m['load']}")
    t0 = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="bench-data-") as work:
        results = run_servers(settings, servers, work)
    archive_s = time.monotonic() - t0
    others = run_others() if os.environ.get("BENCH_OTHERS", "1") != "0" else []
    total_s = time.monotonic() - t0
    m_after = machine()["load"]
    table = report.table(results)
    env = " ".join(f"{k}={v}" for k, v in sorted(os.environ.items()) if k.startswith("BENCH_"))
    command = (env + " " if env else "") + "make bench"
    commit = os.environ.get("BENCH_COMMIT") or subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip() or "?"
    large_run = (f"; the large run stores {settings.large} more instances (same layout, other UIDs) into a fresh "
                 "server the same way" if settings.large else "")
    gunicorn = (f"`--worker-class gthread --workers {WORKERS} --threads 64` "
                + ("(the Procfile)" if WORKERS == 1 else "(NOT the Procfile, which runs one worker)"))
    body = f"""## Archive side by side with Orthanc (DICOMweb; issues 9 and 3)

Run {started:%Y-%m-%d %H:%M} UTC, {archive_s / 60:.1f} min for this comparison, {total_s / 60:.1f} min for the whole
`make bench`. Command: `{command}`; code measured: commit {commit}.

**Machine**: a {m['nproc']}-core VM ({m['cpu']}), {m['os']}; load average 1/5/15 min {m['load']} before and
{m_after} after (anything else running on the machine shows there, and wall-clock numbers move with it).
Server CPU time per instance/frame (read from /proc for the server's process tree) is the steadier figure.

```
{m['free']}
```

**Versions**: {orthanc.version()}; ours: {versions()}; gunicorn {gunicorn},
PostgreSQL {pg_version()} on 127.0.0.1 (database `bench_telehealth`, rebuilt per run), SQLite
{__import__('sqlite3').sqlite_version}, data folder in a temp dir. Orthanc: Debian packages, default settings except
loopback-only HTTP, authentication off, DICOM port off, HTTP compression off, only the DICOMweb plugin (no GDCM);
it fsyncs every stored file (`SyncStorageArea`), as ours does. For ours on PostgreSQL, the CPU columns count the
gunicorn process only, not the PostgreSQL backends (they serve other users of the machine too).

**Workload** (bench/workload.py, one aiohttp client for all servers): {settings.instances} synthetic CT
instances (512x512, 16-bit, Explicit VR Little Endian, 0.5 MB each; one {settings.big_series}-instance series, then
series of 50, two series per study, one patient per study). STOW-RS with {settings.stow_clients} parallel clients,
{settings.stow_batch} instances per request{large_run}.
QIDO-RS: {settings.qido_n} searches per level, one after the other
(study: PatientID, StudyInstanceUID, PatientName wildcard, StudyDate range, AccessionNumber; series: of a study,
by UID, by study+Modality; instance: of a series, by SOPInstanceUID at root and under a study). WADO-RS metadata of
the {settings.big_series}-instance series, {settings.metadata_n} times. Frames: frame 1 of each instance of that
series, uncompressed (`multipart/related; type="application/octet-stream"`), {settings.frames_concurrency} in flight,
{settings.rounds} rounds of {settings.frames_n}. Rendered (`/frames/1/rendered`, `image/png` and `image/jpeg`,
same concurrency): a first pass over {settings.render_n} instances (nothing rendered before, so no cache can help),
then {settings.render_rounds} repeat rounds over the same ones (ours answers those from its rendered-frame cache;
Orthanc renders again).
JPEG 2000 is not in the shared workload (Orthanc cannot decode it without the GDCM plugin).

"x vs Orthanc" is how many times better ours is (throughput ours/Orthanc, latency Orthanc/ours): above 1 ours wins.

{table}
{"".join(chr(10) + "**Failed during this run** (missing cells above): " + f for f in FAILURES)}

Server CPU time per operation (user+system of the server's process tree; Orthanc may spread one request's work
over several threads, ours runs Python under one GIL per process):

{report.cpu_table(results)}

Spread and server-side facts:

{report.details(results)}
"""
    if others:
        body += "\n### Other benchmarks in the same run\n\n"
        for cmd, tail in others:
            body += f"`{cmd}`\n\n```\n{tail}\n```\n\n"
    results_json = os.environ.get("BENCH_RESULTS") or os.path.join(ROOT, "bench", "results", "latest.json")
    os.makedirs(os.path.dirname(results_json), exist_ok=True)
    with open(results_json.removesuffix(".json") + "-section.md", "w") as fh:
        fh.write(body)
    write_doc(body)
    with open(results_json, "w") as fh:
        json.dump({"started": started.isoformat(), "machine": m, "settings": asdict(settings), "command": command,
                   "results": report.as_json(results)}, fh, indent=1)
    log("\n" + table)
    log(f"\nwritten: {DOC} and {results_json} ({total_s / 60:.1f} min)")


def write_doc(body: str) -> None:
    """The measured section plus bench/ANALYSIS.md (the profile write-up) into docs/benchmarks.md."""
    analysis = os.path.join(ROOT, "bench", "ANALYSIS.md")
    if os.path.exists(analysis):
        body += "\n" + open(analysis).read()
    report.write_section(DOC, body)


def rewrite_doc() -> None:
    """`python -m bench --rewrite-doc`: rebuild the section from the last run after editing ANALYSIS.md."""
    results_json = os.environ.get("BENCH_RESULTS") or os.path.join(ROOT, "bench", "results", "latest.json")
    with open(results_json.removesuffix(".json") + "-section.md") as fh:
        write_doc(fh.read())


def pg_version() -> str:
    """The PostgreSQL server version, or '?'."""
    try:
        res = subprocess.run(shlex.split("psql -h 127.0.0.1 -U postgres -Atc 'SHOW server_version'"),
                             capture_output=True, text=True, timeout=10)
        return res.stdout.strip().split()[0] if res.returncode == 0 and res.stdout.strip() else "?"
    except (OSError, subprocess.TimeoutExpired):
        return "?"


if __name__ == "__main__":
    if "--rewrite-doc" in sys.argv[1:]:
        rewrite_doc()
    else:
        main()
