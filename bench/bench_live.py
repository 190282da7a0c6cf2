"""Benchmark: /live fan-out latency from a sender to every other participant of its session.

Run: .venv/bin/python bench/bench_live.py [--sessions 50] [--participants 10] [--seconds 10] [--sweep]

Measures, in one run and on this machine:
  * a bare websocket echo (same server stack: gunicorn threaded worker + simple-websocket), round trip;
  * pointer fan-out (ephemeral, no database) on one process, and across two processes through Redis;
  * view fan-out (the presenter's viewport, persisted with its seq in PostgreSQL) on one process and across two;
  * annotation:add fan-out (persisted with its seq and audit row in PostgreSQL) on one process and across two;
  * with --sweep, the largest number of clients one process holds with pointer p99 under 50 ms.
Latency is from the sender's emit to each receiver's handler, on one clock (CLOCK_MONOTONIC, which the
client processes of --client-procs share; a session's clients are python-socketio AsyncClients in one loop).
Needs PostgreSQL (TELEHEALTH_BENCH_DATABASE_URL, default database bench_live on 127.0.0.1) and
redis-server (a private one is started on a free port).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import platform
import subprocess
import sys
import time
import uuid
from datetime import timedelta
from typing import Any

sys.stdout.reconfigure(line_buffering=True)  # type: ignore[attr-defined]
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

import aiohttp  # noqa: E402
import socketio  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from tests.live.servers import Redis, Server, free_port  # noqa: E402

DEFAULT_DB = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_live"
# Each phase first sends for this long without measuring (--warmup): the first half second after a pause ran
# several times slower on this VM for every event kind, pointer included (idle vCPUs and connections waking).
WARMUP = 0.0
# --sweep's steps (sessions of --participants clients on one process); it stops at the first over 50 ms.
SWEEP_SESSIONS = (5, 10, 25, 50, 75, 100, 125, 150, 200, 300, 400)
STUDY, SERIES, SOP = "1.2.826.0.1.3680043.8.498.9", "1.2.826.0.1.3680043.8.498.9.1", "1.2.826.0.1.3680043.8.498.9.1.1"


def ensure_database(url: str) -> None:
    """Create the bench database if needed and build the schema afresh."""
    base, name = url.rsplit("/", 1)
    admin = create_engine(f"{base}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.scalar(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}):
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    from telehealth import create_app
    from telehealth.db import Base

    create_app({"SQLALCHEMY_DATABASE_URI": url})
    engine = create_engine(url)
    with engine.begin() as conn:
        Base.metadata.drop_all(conn)
        Base.metadata.create_all(conn)
    engine.dispose()


def make_sessions(url: str, sessions: int, participants: int) -> list[tuple[str, list[str]]]:
    """Cases in review with `participants` people each and a live session: [(session_id, [bearer tokens])]."""
    import secrets

    from telehealth import clock, create_app
    from telehealth.accounts.auth import token_hash
    from telehealth.accounts.models import AuthSession, User, UserRole
    from telehealth.cases.models import Case, CaseParticipant
    from telehealth.extensions import db
    from telehealth.live.models import LiveSession
    from tests.live.conftest import add_image

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    out = []
    with app.app_context():
        now = clock.now()
        for s in range(sessions):
            users = [User(email=f"b{s}-{i}-{uuid.uuid4().hex[:6]}@bench.example", name=f"User {s}.{i}")
                     for i in range(participants)]
            db.session.add_all(users)
            db.session.flush()
            db.session.add_all([UserRole(user_id=u.id, role="specialist" if i == 0 else "referrer")
                                for i, u in enumerate(users)])
            case = Case(title=f"bench {s}", question="?", status="in_review", created_by_id=users[1].id,
                        created_at=now, status_changed_at=now)
            db.session.add(case)
            db.session.flush()
            db.session.add_all([CaseParticipant(case_id=case.id, user_id=u.id,
                                                role="specialist" if i == 0 else "observer")
                                for i, u in enumerate(users)])
            add_image(case.id, STUDY, SERIES, SOP)
            live = LiveSession(case_id=case.id, host_id=users[0].id, presenter_id=users[0].id, title="bench",
                               status="live", started_at=now, created_at=now)
            db.session.add(live)
            tokens = []
            for u in users:
                raw = secrets.token_urlsafe(24)
                tokens.append(raw)
                db.session.add(AuthSession(user_id=u.id, token_hash=token_hash(raw), kind="bearer", created_at=now,
                                           last_seen_at=now, expires_at=now + timedelta(hours=4)))
            db.session.flush()
            out.append((live.id, tokens))
        db.session.commit()
    return out


def pct(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank), in ms."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(q / 100 * len(ordered)) - 1))]


def summary(lat: list[float], expected: int) -> dict[str, Any]:
    """Percentiles of the latencies (ms), with how many arrived of how many expected."""
    return {"n": len(lat), "expected": expected, "p50": pct(lat, 50), "p99": pct(lat, 99),
            "max": max(lat) if lat else float("nan"), "latencies": lat}


class Fanout:
    """Clients of many sessions; senders take turns and receivers record the latency."""

    def __init__(self) -> None:
        self.sent: dict[tuple[str, str], tuple[float, int]] = {}  # -> (when, the sender's server)
        self.latencies: list[float] = []
        self.via_queue: list[float] = []  # the latencies to receivers on another server than the sender's
        self.expected = 0
        self.clients: list[socketio.AsyncClient] = []
        self.trace: list[tuple[float, float]] = []
        self.servers = 1

    def _receiver(self, event: str, server: int) -> Any:
        async def on_event(data: Any) -> None:
            now = time.perf_counter()
            if event == "pointer":
                key = (data["session_id"], str(int(data["x"])))
            elif event == "view":
                key = (data["session_id"], str(data["data"]["view"]["image_index"]))
            else:
                key = (data["session_id"], data["data"]["annotation"]["id"])
            sent = self.sent.get(key)
            if sent is not None:
                t0, sender = sent
                self.latencies.append((now - t0) * 1000)
                if sender != server:
                    self.via_queue.append((now - t0) * 1000)
                if os.environ.get("BENCH_TRACE"):
                    self.trace.append((t0, (now - t0) * 1000))
        return on_event

    async def connect(self, urls: list[str], plan: list[tuple[str, list[str]]]) -> list[list[socketio.AsyncClient]]:
        """Connect and join every participant (spread over the servers in turn), in batches."""
        groups: list[list[socketio.AsyncClient]] = []
        jobs = []
        self.servers = len(urls)
        for session_id, tokens in plan:
            group = []
            for i, token in enumerate(tokens):
                c = socketio.AsyncClient(reconnection=False)
                for event in ("pointer", "view", "annotation:add"):
                    c.on(event, self._receiver(event, i % len(urls)), namespace="/live")
                group.append(c)
                jobs.append((c, urls[i % len(urls)], token, session_id))
            groups.append(group)

        async def one(c: socketio.AsyncClient, url: str, token: str, session_id: str) -> None:
            await c.connect(url, namespaces=["/live"], auth={"token": token}, transports=["websocket"],
                            wait_timeout=60)
            ack = await c.call("join", {"session_id": session_id}, namespace="/live", timeout=60)
            assert "error" not in ack, ack

        for i in range(0, len(jobs), 25):
            await asyncio.gather(*(one(*j) for j in jobs[i:i + 25]))
            self.clients.extend(j[0] for j in jobs[i:i + 25])
        return groups

    async def run(self, plan: list[tuple[str, list[str]]], groups: list[list[socketio.AsyncClient]], *,
                  event: str, rate: float, seconds: float) -> dict[str, float]:
        """Each session sends `rate` events per second for `seconds`; latency percentiles in ms."""
        self.latencies, self.via_queue, self.sent, self.expected = [], [], {}, 0
        counter = 0

        async def session_loop(k: int) -> None:
            nonlocal counter
            session_id, _ = plan[k]
            group = groups[k]
            await asyncio.sleep(k / len(plan) / rate)  # spread the sessions over the interval
            measure_from = time.perf_counter() + WARMUP
            end = measure_from + seconds
            # Senders take turns, starting at a different one in each session: clients are spread over the servers
            # in turn, so the warm-up's first events reach every server (with one add per session in the
            # warm-up, all from the host, the other process's first add, which compiles its statement, was
            # measured: 17 ms of CPU).
            turn = k
            while time.perf_counter() < end:
                sent_by = 0 if event == "view" else turn % len(group)  # the host presents
                sender = group[sent_by]
                turn += 1
                counter += 1
                if event == "pointer":
                    key = str(counter % 60000)
                    payload: dict[str, Any] = {"session_id": session_id, "sop_instance_uid": SOP, "x": int(key),
                                               "y": 1}
                elif event == "view":
                    key = str(counter % 1_000_000)
                    payload = {"session_id": session_id, "view": {
                        "study_instance_uid": STUDY, "series_instance_uid": SERIES, "sop_instance_uid": SOP,
                        "image_index": int(key), "window_center": 40.0, "window_width": 400.0}}
                else:
                    key = str(uuid.uuid4())
                    payload = {"session_id": session_id, "annotation": {
                        "id": key, "kind": "probe", "study_instance_uid": STUDY, "series_instance_uid": SERIES,
                        "sop_instance_uid": SOP, "graphic_type": "POINT", "points": [[1.5, 2.5]],
                        "measurements": [{"name": "value", "value": 42, "unit": "[hnsf'U]"}]}}
                if time.perf_counter() >= measure_from:  # events of the warm-up are not awaited
                    self.sent[(session_id, key)] = (time.perf_counter(), sent_by % self.servers)
                    self.expected += len(group) - 1
                await sender.emit(event, payload, namespace="/live")
                await asyncio.sleep(1 / rate)

        await asyncio.gather(*(session_loop(k) for k in range(len(plan))))
        await asyncio.sleep(1.0)  # stragglers
        lat = self.latencies
        if self.trace:
            start = min(t for t, _ in self.trace)
            by_s: dict[int, list[float]] = {}
            for t, ms in self.trace:
                by_s.setdefault(int((t - start) * 2), []).append(ms)
            wall = time.strftime("%H:%M:%S", time.localtime(time.time() - (time.perf_counter() - start)))
            print(f"{event} from {wall}: " + " ".join(f"{k / 2:.1f}s:{pct(v, 50):.0f}/{pct(v, 99):.0f}"
                                                       for k, v in sorted(by_s.items())))
            self.trace = []
        return summary(lat, self.expected) | {"via_queue": self.via_queue}

    async def close(self) -> None:
        """Disconnect everyone."""
        await asyncio.gather(*(c.disconnect() for c in self.clients), return_exceptions=True)
        self.clients = []


class LoopLag:
    """How late the clients' event loop wakes a 5 ms sleeper: the bench's own share of a latency."""

    def __init__(self) -> None:
        self.lags: list[float] = []
        self.task: asyncio.Task[None] | None = None

    def start(self) -> LoopLag:
        async def tick() -> None:
            while True:
                t0 = time.perf_counter()
                await asyncio.sleep(0.005)
                self.lags.append((time.perf_counter() - t0 - 0.005) * 1000)
        self.task = asyncio.get_running_loop().create_task(tick())
        return self

    async def stop(self) -> float:
        assert self.task is not None
        self.task.cancel()
        await asyncio.gather(self.task, return_exceptions=True)
        return pct(self.lags, 99)


async def echo(url: str, clients: int, rate: float, seconds: float) -> dict[str, float]:
    """Round trip of a bare websocket echo with `clients` connections sending `rate`/s each."""
    lat: list[float] = []
    async with aiohttp.ClientSession() as http:
        sockets = [await http.ws_connect(url) for _ in range(clients)]

        async def loop(k: int, ws: aiohttp.ClientWebSocketResponse) -> None:
            await asyncio.sleep(k / clients / rate)
            end = time.perf_counter() + seconds
            while time.perf_counter() < end:
                t0 = time.perf_counter()
                await ws.send_str('42/live,["pointer",{"x":1,"y":2}]')
                await ws.receive()
                lat.append((time.perf_counter() - t0) * 1000)
                await asyncio.sleep(max(0.0, 1 / rate - (time.perf_counter() - t0)))

        await asyncio.gather(*(loop(k, ws) for k, ws in enumerate(sockets)))
        for ws in sockets:
            await ws.close()
    return {"n": len(lat), "p50": pct(lat, 50), "p99": pct(lat, 99), "max": max(lat)}


def start_echo(threads: int) -> tuple[subprocess.Popen, str]:  # type: ignore[type-arg]
    """The echo server on a free port."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "--worker-class", "gthread", "--workers", "1",
                             "--threads", str(threads), "--bind", f"127.0.0.1:{port}", "--no-control-socket",
                             "--pythonpath", os.path.join(ROOT, "bench"), "bench_live_echo:app"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + 30
    import socket

    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return proc, f"ws://127.0.0.1:{port}/"


def line(label: str, r: dict[str, Any]) -> str:
    """One result line."""
    loss = f", delivered {r['n']}/{r['expected']}" if "expected" in r else f", {r['n']} round trips"
    cpu = f", server CPU {r['server_cpu_us']:.0f} us per delivery" if "server_cpu_us" in r else ""
    if "client_cpu_us" in r:
        cpu += f", clients' CPU {r['client_cpu_us']:.0f} us, their loop lag p99 {r['loop_lag_p99']:.1f} ms"
    via = r.get("via_queue")
    if via:
        cpu += f"; to receivers on the other process p50 {pct(via, 50):.2f} / p99 {pct(via, 99):.2f} ms"
    return f"{label:<52} p50 {r['p50']:7.2f} ms   p99 {r['p99']:7.2f} ms   max {r['max']:8.2f} ms{loss}{cpu}"


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU time of these processes and their children (from /proc)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    todo = list(pids)
    while todo:
        pid = todo.pop()
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            with open(f"/proc/{pid}/task/{pid}/children") as f:
                todo += [int(c) for c in f.read().split()]
        except OSError:
            continue
    return total


async def scenario(urls: list[str], plan: list[tuple[str, list[str]]], rates: dict[str, float],
                   seconds: float, pids: list[int] | None = None, barrier: Any = None) -> dict[str, dict[str, Any]]:
    """Connect everyone, measure each event kind at its rate, disconnect.

    With a barrier (clients spread over several processes), every phase starts when all are ready.
    """
    f = Fanout()
    groups = await f.connect(urls, plan)
    results = {}
    for event, rate in rates.items():
        if barrier is not None:
            barrier.wait()
        cpu, mine = cpu_seconds(pids or []), time.process_time()
        lag = LoopLag().start()
        results[event] = await f.run(plan, groups, event=event, rate=rate, seconds=seconds)
        results[event]["loop_lag_p99"] = await lag.stop()
        n = max(1, results[event]["n"])
        results[event]["server_cpu_us"] = (cpu_seconds(pids or []) - cpu) * 1e6 / n
        results[event]["client_cpu_us"] = (time.process_time() - mine) * 1e6 / n
    await f.close()
    return results


def _client_process(urls: list[str], plan: list[tuple[str, list[str]]], rates: dict[str, float], seconds: float,
                    barrier: Any, out: Any) -> None:
    import gc

    gc.freeze()  # what the fork inherited (the app, imported to build the sessions) is not the clients' garbage
    out.put(asyncio.run(scenario(urls, plan, rates, seconds, None, barrier)))


def run_scenario(urls: list[str], plan: list[tuple[str, list[str]]], rates: dict[str, float], seconds: float,
                 pids: list[int], client_procs: int = 1) -> dict[str, dict[str, Any]]:
    """One scenario; with client_procs > 1 the sessions are shared out among that many client processes.

    Each session's sender and receivers stay in one process, so every latency is read on one clock.
    """
    if client_procs <= 1:
        return asyncio.run(scenario(urls, plan, rates, seconds, pids))
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    barrier, out = ctx.Barrier(client_procs + 1), ctx.Queue()
    children = [ctx.Process(target=_client_process, args=(urls, plan[k::client_procs], rates, seconds, barrier, out),
                            daemon=True) for k in range(client_procs)]
    for c in children:
        c.start()
    results: dict[str, dict[str, Any]] = {}
    for event in rates:
        barrier.wait(timeout=300)
        cpu = cpu_seconds(pids)
        time.sleep(WARMUP + seconds + 1.5)  # the phase (and its stragglers), not the disconnects after the last one
        results[event] = {"server_cpu": cpu_seconds(pids) - cpu}
        if event == list(rates)[-1]:
            parts = [out.get(timeout=300) for _ in children]
            for ev in rates:
                lat = [x for p in parts for x in p[ev]["latencies"]]
                r = summary(lat, sum(p[ev]["expected"] for p in parts))
                r["via_queue"] = [x for p in parts for x in p[ev]["via_queue"]]
                r["loop_lag_p99"] = max(p[ev]["loop_lag_p99"] for p in parts)
                r["client_cpu_us"] = sum(p[ev]["client_cpu_us"] * p[ev]["n"] for p in parts) / max(1, r["n"])
                results.setdefault(ev, {}).update(r)
    for c in children:
        c.join(60)
    for r in results.values():
        r["server_cpu_us"] = r.pop("server_cpu") * 1e6 / max(1, r["n"])
    return results


def main() -> None:  # noqa: C901
    """Run the benchmark and print the numbers."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sessions", type=int, default=50)
    ap.add_argument("--participants", type=int, default=10)
    ap.add_argument("--rate", type=float, default=4.0, help="pointer moves per second per session")
    ap.add_argument("--view-rate", type=float, default=1.0,
                    help="view changes per second per session, by its presenter (the host); 0 leaves them out")
    ap.add_argument("--annotation-rate", type=float, default=0.5, help="annotations per second per session")
    ap.add_argument("--seconds", type=float, default=10.0)
    ap.add_argument("--warmup", type=float, default=0.0,
                    help="send for this long before measuring each phase (0: measure from the first event)")
    ap.add_argument("--sweep", action="store_true", help="also find the most clients one process holds")
    ap.add_argument("--worker-class", default="gthread", choices=["gthread", "gevent"],
                    help="gunicorn worker of the servers (the Procfile's is gthread)")
    ap.add_argument("--client-procs", type=int, default=2,
                    help="spread the sessions over this many client processes (1: all in this one)")
    ap.add_argument("--skip-two", action="store_true", help="leave out the two-process (Redis) scenario")
    args = ap.parse_args()
    global WARMUP
    WARMUP = args.warmup
    url = os.environ.get("TELEHEALTH_BENCH_DATABASE_URL", DEFAULT_DB)
    ensure_database(url)
    clients = args.sessions * args.participants
    threads = clients + 64  # the threaded worker holds one thread per websocket
    redis = Redis().start()
    procs: list[Any] = []
    try:
        os.environ.update(LIVE_TEST_HEARTBEAT_SECONDS="15", LIVE_TEST_STALE_SECONDS="45",
                          LIVE_TEST_RECHECK_SECONDS="60")  # the defaults of telehealth.wsgi
        print(f"machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
        rates = {k: v for k, v in (("pointer", args.rate), ("view", args.view_rate),
                                   ("annotation:add", args.annotation_rate)) if v > 0}
        print(f"load: {args.sessions} sessions x {args.participants} participants = {clients} clients; per session "
              f"{args.rate:g} pointer moves/s, {args.view_rate:g} view changes/s or {args.annotation_rate:g} "
              f"annotations/s; {args.seconds:g} s each, after {args.warmup:g} s of warm-up")
        print(f"servers: gunicorn --worker-class {args.worker_class}")
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        echo_proc, echo_url = start_echo(threads)
        procs.append(echo_proc)
        e = asyncio.run(echo(echo_url, args.sessions, args.rate or 4.0, args.seconds))
        print(line(f"bare websocket echo ({args.sessions} clients), round trip", e))

        one = Server(url, "").start(threads=threads, worker_class=args.worker_class).wait()
        procs.append(one)
        runs = {"one process": run_scenario([one.url], make_sessions(url, args.sessions, args.participants),
                                            rates, args.seconds, [one.proc.pid], args.client_procs)}
        one.stop()
        if not args.skip_two:
            a = Server(url, redis.url).start(threads=threads, worker_class=args.worker_class).wait()
            b = Server(url, redis.url).start(threads=threads, worker_class=args.worker_class).wait()
            procs += [a, b]
            runs["two processes via Redis"] = run_scenario(
                [a.url, b.url], make_sessions(url, args.sessions, args.participants), rates, args.seconds,
                [a.proc.pid, b.proc.pid], args.client_procs)
            a.stop()
            b.stop()
        for label, r in runs.items():
            for event, res in r.items():
                print(line(f"{event} fan-out, {label}", res))
                print(f"{'':<52} ratio to echo p99: {res['p99'] / e['p99']:.1f}x")
        if args.sweep:
            held = 0
            for n_sessions in SWEEP_SESSIONS:
                srv = Server(url, "").start(threads=n_sessions * args.participants + 64,
                                         worker_class=args.worker_class).wait()
                procs.append(srv)
                try:
                    plan = make_sessions(url, n_sessions, args.participants)
                    r = run_scenario([srv.url], plan, {"pointer": args.rate}, args.seconds / 2, [srv.proc.pid],
                                     args.client_procs)["pointer"]
                except Exception as exc:  # connecting or joining that many failed: the process did not hold them
                    print(f"sweep: {n_sessions * args.participants} clients on one process failed: {exc!r}")
                    break
                finally:
                    srv.stop()
                print(line(f"sweep: {n_sessions * args.participants} clients on one process, pointer", r))
                if r["p99"] > 50 or r["n"] < r["expected"]:
                    break
                held = n_sessions * args.participants
            more = "" if held < SWEEP_SESSIONS[-1] * args.participants else " (the sweep's last step)"
            print(f"sweep: the most clients one process held with pointer p99 under 50 ms, all delivered: {held}{more}")
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        for p in procs:
            if isinstance(p, Server):
                p.stop()
            elif p.poll() is None:
                os.killpg(p.pid, 15)
        redis.stop()


if __name__ == "__main__":
    main()
