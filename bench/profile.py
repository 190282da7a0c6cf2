"""Profile our server under the shared workload with py-spy: `python -m bench.profile [phase ...]`.

Phases: stow, qido, metadata, frames, png, jpeg. Each phase runs against a fresh data set on a gunicorn
server (SQLite by default, BENCH_PROFILE_DB=postgresql for PostgreSQL) while `py-spy record` samples the
worker process; the collapsed stacks go to bench/results/profile-<phase>.txt and the functions with the
largest inclusive share of samples are printed. BENCH_PROFILE_IDLE=1 also samples threads that wait
(I/O, locks), which is where wall time goes when the CPU share is small.
"""
from __future__ import annotations

import asyncio
import collections
import os
import random
import subprocess
import sys
import tempfile
import time

from . import data, procstat, workload
from .__main__ import free_port, make_server

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PYSPY = os.path.join(ROOT, ".venv", "bin", "py-spy")
OUT = os.path.join(ROOT, "bench", "results")


def worker_pid(master: int) -> int:
    """The gunicorn worker (the master's only child)."""
    for _ in range(50):
        kids = [p for p in procstat._tree(master) if p != master]
        if kids:
            return kids[0]
        time.sleep(0.1)
    return master


def summarize(path: str, top: int = 25) -> str:
    """Inclusive and self sample shares per function from py-spy's raw (collapsed) output."""
    incl: collections.Counter[str] = collections.Counter()
    self_: collections.Counter[str] = collections.Counter()
    total = 0
    with open(path) as fh:
        for line in fh:
            stack, _, count = line.rstrip().rpartition(" ")
            if not stack:
                continue
            n = int(count)
            total += n
            frames = [f.split(" (")[0] + " (" + f.split(" (")[1].split(":")[0].rsplit("/", 1)[-1] + ")"
                      if " (" in f else f for f in stack.split(";")]
            for f in set(frames):
                incl[f] += n
            self_[frames[-1]] += n
    lines = [f"{total} samples"]
    lines += [f"  incl {n / total:6.1%}  {f}" for f, n in incl.most_common(top)]
    lines += ["  -- self --"] + [f"  self {n / total:6.1%}  {f}" for f, n in self_.most_common(15)]
    return "\n".join(lines)


async def _phase(name: str, srv, corpus, s: workload.Settings) -> None:  # type: ignore[no-untyped-def]
    async with workload.session_factory(s.frames_concurrency) as session:
        if name == "stow":
            await workload.ingest(session, srv, corpus, clients=s.stow_clients, batch=s.stow_batch)
            return
        if name == "qido":
            q = workload.qido_queries(corpus, random.Random(11))
            for level in q:
                await workload.qido(session, srv, q[level], s.qido_n)
        elif name == "metadata":
            await workload.metadata(session, srv, corpus, s.metadata_n)
        else:
            kind = {"frames": "raw"}.get(name, name)
            await workload.frames(session, srv, corpus, n=min(s.frames_n, s.big_series),
                                  concurrency=s.frames_concurrency, kind=kind, rounds=1)


def main(phases: list[str]) -> None:
    """Ingest once without the profiler, then profile each phase."""
    s = workload.Settings()
    os.makedirs(OUT, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="bench-prof-") as work:
        corpus = data.generate(work, s.instances, big_series=s.big_series)
        srv = make_server(os.environ.get("BENCH_PROFILE_DB", "sqlite"), free_port())
        srv.start()
        try:
            pid = worker_pid(srv.pid())
            if "stow" not in phases:
                asyncio.run(_phase("stow", srv, corpus, s))
            for name in phases:
                path = os.path.join(OUT, f"profile-{name}.txt")
                cmd = [PYSPY, "record", "--pid", str(pid), "--format", "raw", "--rate", "250", "--output", path,
                       "--nonblocking"]
                if os.environ.get("BENCH_PROFILE_IDLE") == "1":
                    cmd.append("--idle")
                spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1.0)
                cpu0, t0 = procstat.cpu_seconds(srv.pid()), time.perf_counter()
                asyncio.run(_phase(name, srv, corpus, s))
                wall, cpu = time.perf_counter() - t0, procstat.cpu_seconds(srv.pid()) - cpu0
                spy.send_signal(2)
                spy.wait(30)
                print(f"== {name}: wall {wall:.1f} s, server CPU {cpu:.1f} s")
                print(summarize(path))
        finally:
            srv.stop()


if __name__ == "__main__":
    main(sys.argv[1:] or ["stow", "qido", "metadata", "frames", "png", "jpeg"])
