"""The DICOMweb workload run unchanged against every server: one aiohttp client, same data, same concurrency.

STOW-RS ingest (batches of instances per request, N parallel clients), QIDO-RS study/series/instance
searches (sequential, latency percentiles), WADO-RS series metadata, frames (uncompressed) and rendered
frames (PNG, JPEG) at a fixed concurrency. Every response is checked (status, counts, sizes) so a fast
error never counts as a fast answer.
"""
from __future__ import annotations

import asyncio
import json
import os
import random
import secrets
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp

from . import procstat
from .data import SIZE, Corpus

FRAME_BYTES = SIZE * SIZE * 2


class WorkloadError(RuntimeError):
    """A server answered wrongly; the measurement is void."""


@dataclass
class Result:
    """One measurement: a headline value with its unit, spread and extra facts."""

    value: float
    unit: str
    spread: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def pct(values: list[float], q: float) -> float:
    """Percentile by nearest rank (q in 0..100)."""
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q / 100 * len(s) + 0.5)) - 1))]


class Target:
    """What the workload needs of a server: DICOMweb base, headers, and the process id to sample."""

    base: str
    headers: dict[str, str]

    def pid(self) -> int | None:  # pragma: no cover - protocol
        """Server process id."""
        raise NotImplementedError


async def _run_pool(n: int, concurrency: int, job: Callable[[int], Awaitable[None]]) -> None:
    """Run job(0..n-1) with at most `concurrency` in flight."""
    it = iter(range(n))

    async def worker() -> None:
        for i in it:
            await job(i)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


def _multipart(paths: list[str]) -> tuple[bytes, str]:
    boundary = "bench-" + secrets.token_hex(12)
    chunks = []
    for p in paths:
        with open(p, "rb") as fh:
            chunks += [f"--{boundary}\r\nContent-Type: application/dicom\r\n\r\n".encode(), fh.read(), b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), boundary


async def ingest(session: aiohttp.ClientSession, target: Target, corpus: Corpus, *, clients: int,
                 batch: int) -> Result:
    """STOW-RS every file of the corpus, `batch` instances per request, `clients` requests in flight."""
    batches = [corpus.files[i:i + batch] for i in range(0, len(corpus.files), batch)]
    latencies: list[float] = []
    failures: list[str] = []
    cpu0 = procstat.cpu_seconds(target.pid())
    peak_rss = 0

    resent = 0

    async def post(body: bytes, boundary: str) -> tuple[int, bytes]:
        nonlocal resent
        headers = {**target.headers, "Accept": "application/dicom+json",
                   "Content-Type": f'multipart/related; type="application/dicom"; boundary={boundary}'}
        for attempt in range(2):
            try:
                async with session.post(f"{target.base}/studies", data=body, headers=headers) as resp:
                    return resp.status, await resp.read()
            except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError):
                # A keep-alive connection the server had just closed (gunicorn drops idle ones after 2 s):
                # send once more on a new connection, as HTTP clients do; STOW-RS of the same data is idempotent.
                if attempt:
                    raise
                resent += 1
        raise AssertionError("unreachable")

    async def one(i: int) -> None:
        nonlocal peak_rss
        body, boundary = _multipart(batches[i])
        t0 = time.perf_counter()
        status, text = await post(body, boundary)
        if status != 200:
            failures.append(f"{status} {text[:200]!r}")
            return
        stored = json.loads(text).get("00081199", {}).get("Value", [])
        if len(stored) != len(batches[i]):
            failures.append(f"stored {len(stored)} of {len(batches[i])}")
        latencies.append(time.perf_counter() - t0)
        peak_rss = max(peak_rss, procstat.rss_bytes(target.pid()))

    t0 = time.perf_counter()
    await _run_pool(len(batches), clients, one)
    wall = time.perf_counter() - t0
    if failures:
        raise WorkloadError(f"STOW-RS failed on {len(failures)} requests, first: {failures[0]}")
    cpu = procstat.cpu_seconds(target.pid()) - cpu0
    n = len(corpus.files)
    per_batch = [batch / t for t in latencies]
    return Result(n / wall, "instances/s",
                  f"per-request p50 {statistics.median(latencies) * 1000:.0f} ms, "
                  f"p90 {pct(latencies, 90) * 1000:.0f} ms",
                  {"wall_s": wall, "server_cpu_s": cpu, "server_cpu_ms_per_instance": cpu / n * 1000,
                   "peak_rss_mb": peak_rss / 2**20, "batch_rate_p50": statistics.median(per_batch),
                   "resent": resent})


async def _get(session: aiohttp.ClientSession, url: str, headers: dict[str, str]) -> tuple[int, bytes, str]:
    async with session.get(url, headers=headers) as resp:
        return resp.status, await resp.read(), resp.headers.get("Content-Type", "")


def qido_queries(corpus: Corpus, rng: random.Random) -> dict[str, list[str]]:
    """The QIDO-RS queries per level (relative to the base), drawn from the corpus."""
    studies = corpus.studies
    small = [(st, se) for st in studies for se in st.series][1:] or [(studies[0], studies[0].series[0])]
    out: dict[str, list[str]] = {"study": [], "series": [], "instance": []}
    for _ in range(50):
        st = rng.choice(studies)
        out["study"] += [f"/studies?PatientID={st.patient_id}", f"/studies?StudyInstanceUID={st.uid}",
                         f"/studies?PatientName={st.patient_name.split('^')[0][:4]}*&limit=25",
                         f"/studies?StudyDate={st.study_date}-{st.study_date}&limit=25",
                         f"/studies?AccessionNumber={st.accession}"]
        st2, se = rng.choice(small)
        out["series"] += [f"/studies/{st2.uid}/series", f"/series?SeriesInstanceUID={se.uid}",
                          f"/series?StudyInstanceUID={st2.uid}&Modality=CT"]
        sop = rng.choice(se.sop_uids)
        out["instance"] += [f"/studies/{st2.uid}/series/{se.uid}/instances",
                            f"/instances?SOPInstanceUID={sop}",
                            f"/studies/{st2.uid}/instances?SOPInstanceUID={sop}"]
    return out


async def qido(session: aiohttp.ClientSession, target: Target, queries: list[str], n: int) -> Result:
    """Run `n` searches one after the other (cycling `queries`); latency p50 and p99."""
    headers = {**target.headers, "Accept": "application/dicom+json"}
    lat: list[float] = []
    cpu0 = procstat.cpu_seconds(target.pid())
    for i in range(n):
        q = queries[i % len(queries)]
        t0 = time.perf_counter()
        status, body, _ = await _get(session, target.base + q, headers)
        lat.append(time.perf_counter() - t0)
        if status != 200 or not json.loads(body):
            raise WorkloadError(f"QIDO {q} -> {status} {body[:200]!r}")
    cpu = procstat.cpu_seconds(target.pid()) - cpu0
    return Result(statistics.median(lat) * 1000, "ms p50", f"p99 {pct(lat, 99) * 1000:.1f} ms",
                  {"p99_ms": pct(lat, 99) * 1000, "n": n, "server_cpu_ms_per_request": cpu / n * 1000})


async def metadata(session: aiohttp.ClientSession, target: Target, corpus: Corpus, n: int) -> Result:
    """WADO-RS metadata of the large series, `n` times in a row (the first is the cold one)."""
    study, series = corpus.big_series
    headers = {**target.headers, "Accept": "application/dicom+json"}
    url = f"{target.base}/studies/{study.uid}/series/{series.uid}/metadata"
    lat: list[float] = []
    cpu0 = procstat.cpu_seconds(target.pid())
    for _ in range(n):
        t0 = time.perf_counter()
        status, body, _ = await _get(session, url, headers)
        lat.append(time.perf_counter() - t0)
        items = json.loads(body) if status == 200 else []
        if len(items) != len(series.sop_uids):
            raise WorkloadError(f"metadata -> {status}, {len(items)} items of {len(series.sop_uids)}")
    return Result(statistics.median(lat) * 1000, "ms p50",
                  f"first {lat[0] * 1000:.0f} ms, min {min(lat) * 1000:.0f}, max {max(lat) * 1000:.0f} ms",
                  {"first_ms": lat[0] * 1000, "n": n, "instances": len(series.sop_uids),
                   "server_cpu_ms_per_request": (procstat.cpu_seconds(target.pid()) - cpu0) / n * 1000})


async def frames(session: aiohttp.ClientSession, target: Target, corpus: Corpus, *, n: int,
                 concurrency: int, kind: str, rounds: int) -> Result:
    """Frame 1 of the large series' instances, `concurrency` requests in flight, `n` per round.

    kind: "raw" (multipart octet-stream, uncompressed), "png" or "jpeg" (rendered).
    """
    study, series = corpus.big_series
    accept = {"raw": 'multipart/related; type="application/octet-stream"', "png": "image/png",
              "jpeg": "image/jpeg"}[kind]
    suffix = "/frames/1" + ("" if kind == "raw" else "/rendered")
    headers = {**target.headers, "Accept": accept}
    urls = [f"{target.base}/studies/{study.uid}/series/{series.uid}/instances/{sop}{suffix}"
            for sop in series.sop_uids]
    rates: list[float] = []
    lat: list[float] = []
    cpu_per: list[float] = []
    for _ in range(rounds):
        async def one(i: int) -> None:
            url = urls[i % len(urls)]  # every round asks for the same frames
            t0 = time.perf_counter()
            status, body, ctype = await _get(session, url, headers)
            lat.append(time.perf_counter() - t0)
            ok = status == 200 and (len(body) >= FRAME_BYTES if kind == "raw" else ctype.startswith(f"image/{kind}"))
            if not ok:
                raise WorkloadError(f"{kind} frame -> {status} {ctype} {len(body)} bytes")

        cpu0 = procstat.cpu_seconds(target.pid())
        t0 = time.perf_counter()
        await _run_pool(n, concurrency, one)
        rates.append(n / (time.perf_counter() - t0))
        cpu_per.append((procstat.cpu_seconds(target.pid()) - cpu0) / n * 1000)
    spread = "rounds " + " / ".join(f"{x:.0f}" for x in rates) + f"; latency p50 {statistics.median(lat) * 1000:.0f} ms"
    return Result(statistics.median(rates), "frames/s", spread,
                  {"rounds": rates, "server_cpu_ms_per_frame": statistics.median(cpu_per), "concurrency": concurrency})


def session_factory(concurrency: int) -> aiohttp.ClientSession:
    """One client session for all workloads (keep-alive, enough connections for the widest pool)."""
    return aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=max(concurrency, 4) + 4),
                                 timeout=aiohttp.ClientTimeout(total=600))


@dataclass
class Settings:
    """Counts and concurrency, from BENCH_* environment variables (defaults fit ~15 minutes on 2 cores)."""

    instances: int = int(os.environ.get("BENCH_INSTANCES", "1000"))
    large: int = int(os.environ.get("BENCH_LARGE_INSTANCES", "10000"))  # a second STOW-RS run; 0 skips it
    stow_clients: int = int(os.environ.get("BENCH_STOW_CLIENTS", "4"))
    stow_batch: int = int(os.environ.get("BENCH_STOW_BATCH", "10"))
    big_series: int = int(os.environ.get("BENCH_SERIES_INSTANCES", "300"))
    qido_n: int = int(os.environ.get("BENCH_QIDO_REQUESTS", "120"))
    metadata_n: int = int(os.environ.get("BENCH_METADATA_REQUESTS", "6"))
    frames_n: int = int(os.environ.get("BENCH_FRAMES_REQUESTS", "300"))
    frames_concurrency: int = int(os.environ.get("BENCH_FRAMES_CONCURRENCY", "16"))
    rounds: int = int(os.environ.get("BENCH_ROUNDS", "3"))
    render_n: int = int(os.environ.get("BENCH_RENDER_REQUESTS", "150"))
    render_rounds: int = int(os.environ.get("BENCH_RENDER_ROUNDS", "2"))


async def run_all(target: Target, corpus: Corpus, s: Settings, log: Callable[[str], None],
                  out: dict[str, Result] | None = None) -> dict[str, Result]:
    """Every workload against one server, in a fixed order; results by metric key (filled into `out` as they come)."""
    out = {} if out is None else out
    async with session_factory(s.frames_concurrency) as session:
        out["stow"] = await ingest(session, target, corpus, clients=s.stow_clients, batch=s.stow_batch)
        log(f"  STOW-RS {out['stow'].value:.1f} instances/s ({out['stow'].extra['server_cpu_ms_per_instance']:.1f} "
            f"ms server CPU per instance)")
        queries = qido_queries(corpus, random.Random(11))
        for level in ("study", "series", "instance"):
            await qido(session, target, queries[level], 5)  # warm-up
            out[f"qido_{level}"] = r = await qido(session, target, queries[level], s.qido_n)
            log(f"  QIDO {level}: p50 {r.value:.1f} ms, {r.spread}")
        out["metadata"] = r = await metadata(session, target, corpus, s.metadata_n)
        log(f"  metadata: p50 {r.value:.0f} ms, {r.spread}")
        n = min(s.render_n, len(corpus.big_series[1].sop_uids))
        out["frames"] = r = await frames(session, target, corpus, n=s.frames_n, concurrency=s.frames_concurrency,
                                         kind="raw", rounds=s.rounds)
        log(f"  frames: {r.value:.0f}/s, {r.spread}")
        for kind in ("png", "jpeg"):
            # First pass: every frame rendered for the first time (no server-side cache can help).
            out[f"rendered_{kind}_cold"] = r = await frames(session, target, corpus, n=n,
                                                            concurrency=s.frames_concurrency, kind=kind, rounds=1)
            log(f"  rendered {kind} first pass: {r.value:.0f}/s, {r.spread}")
            out[f"rendered_{kind}"] = r = await frames(session, target, corpus, n=n,
                                                       concurrency=s.frames_concurrency, kind=kind,
                                                       rounds=s.render_rounds)
            log(f"  rendered {kind} repeat: {r.value:.0f}/s, {r.spread}")
    return out
