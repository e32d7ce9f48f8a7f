"""Load on the grader service: N students submit a correct assignment at once, in one run.

    .venv/bin/python benchmarks/bench_service.py [-n 50] [--kind zip|notebook|notebooks]
    .venv/bin/python benchmarks/bench_service.py --url URL --instructor-token T --tokens CSV

Default mode starts the embedded default service itself (`autograder serve`: SQLite, grading
threads in the process, bubblewrap sandbox) in a temporary data folder on a free loopback port,
issues a token per student, runs, and always stops it (also on Ctrl-C); it then reports the
errors in the server's log. With --url it loads a service that is already running (e.g. the
docker-compose stack) with the student,token rows of --tokens (at least N students).

First, in the same run, a warm-up (--warmup submissions at once, one per grading thread by
default; not counted: the first grading of a process is slower) and the baseline: one
submission alone, submitted and awaited (median of --baseline-repeats). Then the burst: N
submissions, one per student, all POSTed at once (asyncio + httpx), then polled until every one
is graded. Every result must be full auto marks (score == max score on each submitted notebook);
anything else, or no result, is "lost" (and the exit status is 1).

Figures: POST latency p50/p95, submit-to-result p50/p95/max, throughput, wall time, lost; against
the queueing-free ideal: N x baseline / workers for the burst, and a FIFO queue of `workers`
servers taking `baseline` each for the latencies. The target p95 submit-to-result <= 30 s is
checked, and so is whether the ideal queue could meet it at all.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import logging
import math
import os
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.autograder.service.notebooks import zip_of  # noqa: E402
from tests.autograder.service.server import wait_healthy  # noqa: E402
from tests.course.corpus import honest_notebook  # noqa: E402
from tests.course.course import ASSIGNMENT, NOTEBOOKS  # noqa: E402

log = logging.getLogger("bench_service")
TARGETS_P95 = {"zip": 30.0, "notebooks": 10.0, "notebook": 10.0}
"""Seconds, submit-to-result p95, per kind of upload (issue 11)."""
TARGET_CPU_ZIP = 1.0
"""CPU seconds of the service (server + sandboxes) per whole assignment (issue 11)."""
READY_SECONDS = 120.0
STATES_FINAL = ("done", "failed")


# ------------------------------------------------------------------ the submission


@dataclass(frozen=True)
class Upload:
    """One file a student sends: the honest student's answers, from source/."""

    filename: str
    data: bytes
    notebooks: tuple[str, ...]  # the notebooks it holds


def make_uploads(kind: str) -> list[Upload]:
    """The uploads of a run; student k sends uploads[k % len(uploads)].

    zip: the whole assignment; notebook: q1 alone; notebooks: one complete notebook each,
    the four in turn (what a student uploading a single notebook sends).
    """
    def single(name: str) -> Upload:
        return Upload(f"{name}.ipynb", nbformat.writes(honest_notebook(name)).encode(), (name,))

    if kind == "notebook":
        return [single(NOTEBOOKS[0])]
    if kind == "notebooks":
        return [single(name) for name in NOTEBOOKS]
    members = {f"{ASSIGNMENT}/{name}.ipynb": nbformat.writes(honest_notebook(name)).encode()
               for name in NOTEBOOKS}
    return [Upload(f"{ASSIGNMENT}.zip", zip_of(members), NOTEBOOKS)]


def full(score: float | None, max_score: float | None) -> bool:
    return score is not None and bool(max_score) and math.isclose(score, max_score or 0.0)


def wrong_score(body: dict[str, Any], notebooks: tuple[str, ...]) -> str | None:
    """Why the result is not full auto marks on every submitted notebook (None: it is)."""
    if body.get("status") != "done":
        return f"status {body.get('status')}: {body.get('error')}"
    graded = {nb["name"]: nb for nb in body.get("notebooks") or []}
    for name in notebooks:
        nb = graded.get(name)
        if nb is None:
            return f"{name} missing from the result"
        if nb["status"] != "graded" or not nb["max_score"] or not full(nb["score"],
                                                                        nb["max_score"]):
            return f"{name}: {nb['status']} {nb['score']}/{nb['max_score']} {nb['message'] or ''}"
    if len(notebooks) == len(NOTEBOOKS) and not full(body.get("score"), body.get("max_score")):
        return f"total {body.get('score')}/{body.get('max_score')}"
    return None


# ------------------------------------------------------------------ the service


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def autograder_argv() -> list[str]:
    script = Path(sys.executable).parent / "autograder"
    return [str(script)] if script.exists() else [sys.executable, "-m", "autograder.cli"]


class CpuAccount:
    """A cgroup-v1 cpuacct group for the server: its CPU and every descendant's (sandboxes
    included), apart from the other tenants of the machine. Best effort: None if unavailable."""

    ROOT = Path("/sys/fs/cgroup/cpuacct")

    def __init__(self) -> None:
        self.path: Path | None = None
        try:
            if (self.ROOT / "cpuacct.usage").exists():
                path = self.ROOT / f"bench-service-{os.getpid()}"
                path.mkdir()
                self.path = path
        except OSError as exc:
            log.info("no cpuacct group (%s): the service's own CPU is not measured", exc)

    def add(self, pid: int) -> None:
        if self.path is not None:
            try:
                (self.path / "cgroup.procs").write_text(str(pid))
            except OSError as exc:
                log.info("cannot join the cpuacct group (%s)", exc)
                self.remove()

    def seconds(self) -> float | None:
        if self.path is None:
            return None
        return int((self.path / "cpuacct.usage").read_text()) / 1e9

    def remove(self) -> None:
        path, self.path = self.path, None
        for _ in range(50):
            if path is None:
                return
            try:
                path.rmdir()
                return
            except OSError:
                time.sleep(0.1)  # survivors still leaving
        log.warning("could not remove %s", path)


class LocalService:
    """`autograder serve` in its own process group, on a temporary data folder."""

    def __init__(self, root: Path, workers: int):
        self.root = root
        self.data = root / "data"
        self.data.mkdir()
        self.tmp = root / "tmp"
        self.tmp.mkdir()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.instructor_token = secrets.token_urlsafe(32)
        self.log_path = root / "serve.log"
        self.workers = workers
        self.popen: subprocess.Popen[bytes] | None = None
        self.stopped = False
        self.cpu = CpuAccount()

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("AUTOGRADER_")}
        env["AUTOGRADER_DATA_DIR"] = str(self.data)
        env["AUTOGRADER_INSTRUCTOR_TOKEN"] = self.instructor_token
        env["AUTOGRADER_ALLOW_PUBLIC_SEED"] = "1"  # a benchmark: the public seed is fine
        # its temporary files (course copy, sandbox folders) go with ours: the server leaves
        # its course copy behind when SIGTERM ends it
        env["TMPDIR"] = str(self.tmp)
        return env

    def issue_tokens(self, students: list[str]) -> dict[str, str]:
        roster = self.root / "roster.csv"
        roster.write_text("student\n" + "\n".join(students) + "\n")
        out = self.root / "tokens.csv"
        subprocess.run([*autograder_argv(), "tokens", str(roster), "--out", str(out)],
                       env=self.env(), check=True, timeout=120, capture_output=True)
        return read_tokens(out)

    def start(self) -> None:
        with open(self.log_path, "ab") as out:
            self.popen = subprocess.Popen(
                [*autograder_argv(), "serve", "--port", str(self.port),
                 "--workers", str(self.workers)],
                env=self.env(), stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.cpu.add(self.popen.pid)  # before it has started a sandbox
        popen = self.popen
        wait_healthy(self.url, lambda: popen.poll() is None, self.log_tail, READY_SECONDS)

    def stop(self) -> None:
        """SIGTERM to its process group, SIGKILL if it lingers (its sandboxes die with it:
        bwrap --die-with-parent)."""
        if self.popen is None or self.stopped:
            self.cpu.remove()
            return
        self.stopped = True
        for sig, wait in ((signal.SIGTERM, 30), (signal.SIGKILL, 30)):
            if self.popen.poll() is None:
                try:
                    os.killpg(self.popen.pid, sig)
                except ProcessLookupError:
                    pass
            try:
                self.popen.wait(wait)
                break
            except subprocess.TimeoutExpired:
                log.warning("the server ignored %s", sig.name)
        log.info("server stopped (exit code %s)", self.popen.returncode)
        self.cpu.remove()

    def log_tail(self, chars: int = 4000) -> str:
        return self.log_path.read_text(errors="replace")[-chars:]

    def log_problems(self) -> tuple[list[str], list[str]]:
        """(ERROR/CRITICAL lines and tracebacks, WARNING lines) of the server's log."""
        lines = self.log_path.read_text(errors="replace").splitlines()
        errors = [line for line in lines if line.startswith(("ERROR", "CRITICAL", "Traceback"))]
        return errors, [line for line in lines if line.startswith("WARNING")]


def read_tokens(path: Path) -> dict[str, str]:
    with open(path, newline="", encoding="utf-8") as f:
        return {row["student"].strip(): row["token"].strip() for row in csv.DictReader(f)
                if row.get("student") and row.get("token")}


@contextmanager
def local_service(workers: int, students: list[str], keep: bool
                  ) -> Iterator[tuple[LocalService, dict[str, str]]]:
    tmp = tempfile.mkdtemp(prefix="bench-service-")
    service = LocalService(Path(tmp), workers)
    try:
        tokens = service.issue_tokens(students)
        service.start()
        log.info("autograder serve on %s, %d workers, data in %s", service.url, workers, tmp)
        yield service, tokens
    finally:
        service.stop()
        if keep:
            log.info("kept %s (serve.log, data/)", tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------ submitting and polling


@dataclass
class Outcome:
    student: str
    upload: Upload
    started: float = 0.0  # monotonic, when the POST was sent
    post_seconds: float | None = None  # until its answer
    submission_id: str | None = None
    finished: float | None = None  # when a poll first saw done/failed
    body: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None  # why it is lost (None: full marks)
    last_status: str | None = None  # as the last poll saw it

    @property
    def latency(self) -> float | None:
        return None if self.finished is None else self.finished - self.started


async def submit(client: httpx.AsyncClient, outcome: Outcome, token: str) -> None:
    outcome.started = time.monotonic()
    try:
        answer = await client.post("/api/submissions", files={"file": (outcome.upload.filename,
                                                                 outcome.upload.data)},
                                   headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as exc:
        outcome.problem = f"POST failed: {type(exc).__name__}: {exc}"
        return
    finally:
        outcome.post_seconds = time.monotonic() - outcome.started
    if answer.status_code != 202:
        outcome.problem = f"POST answered {answer.status_code}: {answer.text[:200]}"
        return
    outcome.submission_id = answer.json()["id"]


async def poll_until_final(client: httpx.AsyncClient, outcomes: list[Outcome],
                           tokens: dict[str, str], interval: float, timeout: float,
                           parallel: int = 4) -> None:
    """GET every pending submission each `interval` s until all are final or `timeout` s."""
    pending = [o for o in outcomes if o.submission_id and o.problem is None]
    limit = asyncio.Semaphore(parallel)
    deadline = time.monotonic() + timeout
    total, reported = len(pending), time.monotonic()

    async def look(o: Outcome) -> None:
        async with limit:
            try:
                answer = await client.get(f"/api/submissions/{o.submission_id}",
                                          headers={"Authorization": f"Bearer {tokens[o.student]}"})
            except httpx.HTTPError as exc:
                log.warning("poll of %s failed: %s", o.submission_id, exc)
                return
            seen = time.monotonic()
        if answer.status_code != 200:
            log.warning("poll of %s answered %d", o.submission_id, answer.status_code)
            return
        body = answer.json()
        o.last_status = body.get("status")
        if o.last_status in STATES_FINAL:
            o.finished, o.body = seen, body
            o.problem = wrong_score(body, o.upload.notebooks)

    while pending and time.monotonic() < deadline:
        await asyncio.gather(*(look(o) for o in pending))
        pending = [o for o in pending if o.finished is None]
        if total > 1 and time.monotonic() - reported > 30:
            reported = time.monotonic()
            log.info("%d/%d graded", total - len(pending), total)
        if pending:
            await asyncio.sleep(interval)
    for o in pending:
        o.problem = f"no result in {timeout:.0f} s (last status {o.last_status})"


async def run_baseline(url: str, students: list[str], tokens: dict[str, str],
                       uploads: list[Upload], timeout: float) -> list[Outcome]:
    results = []
    async with httpx.AsyncClient(base_url=url, timeout=120) as client:
        for k, student in enumerate(students):
            outcome = Outcome(student, uploads[k % len(uploads)])
            await submit(client, outcome, tokens[student])
            await poll_until_final(client, [outcome], tokens, 0.2, timeout)
            if outcome.problem:
                raise SystemExit(f"baseline submission of {student} lost: {outcome.problem}")
            log.info("baseline %s: %.1f s", student, outcome.latency)
            results.append(outcome)
    return results


async def run_burst(url: str, students: list[str], tokens: dict[str, str],
                    uploads: list[Upload], poll: float, timeout: float
                    ) -> tuple[list[Outcome], float, float]:
    """(outcomes, monotonic start, monotonic when the last POST was answered)."""
    outcomes = [Outcome(s, uploads[k % len(uploads)]) for k, s in enumerate(students)]
    limits = httpx.Limits(max_connections=len(students) + 8,
                          max_keepalive_connections=len(students) + 8)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:
        started = time.monotonic()
        await asyncio.gather(*(submit(client, o, tokens[o.student]) for o in outcomes))
        posted = time.monotonic()
        accepted = sum(o.submission_id is not None for o in outcomes)
        log.info("burst: %d/%d POSTs accepted in %.1f s", accepted, len(outcomes),
                 posted - started)
        await poll_until_final(client, outcomes, tokens, poll, timeout)
    return outcomes, started, posted


def queue_counts(url: str, instructor_token: str, required: bool = False) -> dict[str, int]:
    """The queue's job counts by state from /health (the instructor sees them)."""
    try:
        body = httpx.get(f"{url}/health", timeout=30,
                         headers={"Authorization": f"Bearer {instructor_token}"}).json()
    except (httpx.HTTPError, ValueError) as exc:
        if required:
            raise SystemExit(f"the service at {url} does not answer /health: {exc}") from None
        log.warning("health check failed: %s", exc)
        return {}
    if "jobs" not in body:
        log.warning("/health did not show the queue: is the instructor token right?")
    return body.get("jobs", {})


# ------------------------------------------------------------------ figures


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    if not ordered:
        return math.nan
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ideal_latencies(n: int, workers: int, seconds: float) -> list[float]:
    """Submit-to-result of n simultaneous submissions in a FIFO queue with no overhead."""
    return [(k // workers + 1) * seconds for k in range(n)]


def cpu_busy() -> tuple[int, int]:
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    values = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]
    return sum(values) - idle, sum(values)


def service_cpu(service: LocalService | None) -> float | None:
    return service.cpu.seconds() if service is not None else None


def own_cpu(pid: int) -> float:
    """A process's own CPU seconds (user + system, not its children's), 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_split(service: LocalService | None) -> tuple[float, float] | None:
    """(the server process's own CPU, its grading processes' own): the rest of the service's
    CPU is the sandboxes'. The grading processes are the server's children that live through
    the run (one per worker thread)."""
    if service is None or service.popen is None:
        return None
    pid = service.popen.pid
    children: set[int] = set()
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            children.update(int(c) for c in task.read_text().split())
        except OSError:
            continue
    return own_cpu(pid), sum(own_cpu(c) for c in children)


def busy_fraction(before: tuple[int, int], after: tuple[int, int]) -> float:
    return (after[0] - before[0]) / max(1, after[1] - before[1])


def fmt(seconds: float | None, unit: str = " s") -> str:
    return "-" if seconds is None or math.isnan(seconds) else f"{seconds:.1f}{unit}"


def report(args: argparse.Namespace, where: str, uploads: list[Upload], baseline: list[Outcome],
           outcomes: list[Outcome], started: float, posted: float, load: list[str],
           machine_busy: tuple[float, float],
           cpu: tuple[float, float, float, float] | None,
           warm: list[Outcome], log_problems: tuple[list[str], list[str]] | None,
           split: tuple[float, float] | None = None) -> int:
    """Print the figures; returns the number of lost submissions."""
    n, w = len(outcomes), args.workers
    # one kind of upload: the median lone submission; several: the mean over the kinds
    base = (statistics.median(o.latency or math.nan for o in baseline) if len(uploads) == 1
            else statistics.mean(o.latency or math.nan for o in baseline))
    posts = [o.post_seconds for o in outcomes if o.post_seconds is not None]
    latencies = [o.latency for o in outcomes if o.latency is not None]
    finished = [o.finished for o in outcomes if o.finished is not None]
    wall = (max(finished) - started) if finished else math.nan
    lost = [o for o in outcomes if o.problem]
    graded = n - len(lost)
    ideal = ideal_latencies(n, w, base)
    ideal_wall = n * base / w
    p95 = percentile(latencies, 95) if len(latencies) == n else math.inf
    ideal_p95 = percentile(ideal, 95)

    kind = {"zip": f"zip of the {len(NOTEBOOKS)} notebooks",
            "notebook": f"{NOTEBOOKS[0]}.ipynb alone",
            "notebooks": f"single notebook ({', '.join(NOTEBOOKS)} in turn)"}[args.kind]
    upload_bytes = statistics.mean(len(u.data) for u in uploads)
    print(f"\nservice: {where}")
    print(f"{n} students submit a correct {kind} ({upload_bytes / 1024:.0f} KB) at once; "
          f"{w} workers; load average before {' '.join(load)}")
    how = "median" if len(uploads) == 1 else "mean"
    print(f"baseline, one submission alone ({how} of {len(baseline)}): {base:.1f} s  "
          f"[{', '.join(f'{o.latency:.1f}' for o in baseline)}]")
    if warm:
        print(f"warm-up before it ({len(warm)} at once, not counted): "
              f"{', '.join(fmt(o.latency, '') for o in warm)} s")
    cores = os.cpu_count() or 1
    print(f"cores busy on this machine (all tenants, of {cores}): {cores * machine_busy[0]:.2f} "
          f"during the baseline, {cores * machine_busy[1]:.2f} during the burst")
    if cpu is not None:
        cpu_base, seconds_base, cpu_burst, seconds_burst = cpu
        print(f"service CPU (server + sandboxes, cpuacct) per submission: "
              f"{cpu_base / len(baseline):.2f} s alone ({cpu_base / seconds_base:.2f} cores "
              f"busy), {cpu_burst / n:.2f} s in the burst ({cpu_burst / seconds_burst:.2f} "
              f"cores busy)")
        if split is not None:
            server, grading = split
            print(f"  of which, per submission in the burst: the server process "
                  f"{server / n:.3f} s (HTTP, database, queue), the grading processes "
                  f"{grading / n:.3f} s (restore, judging, reports, starting sandboxes), the "
                  f"sandboxes {(cpu_burst - server - grading) / n:.3f} s")
        cores_floor = min(cores, w)
        print(f"CPU floor of the burst (the machine to ourselves, no waiting): {n} x "
              f"{cpu_base / len(baseline):.1f} s / {cores_floor} cores = "
              f"{n * cpu_base / len(baseline) / cores_floor:.0f} s")
        if args.kind == "zip":
            per = cpu_burst / n
            print(f"target CPU per whole assignment <= {TARGET_CPU_ZIP:.1f} s: "
                  f"{'MET' if per <= TARGET_CPU_ZIP else 'NOT MET'} (burst {per:.2f} s, "
                  f"alone {cpu_base / len(baseline):.2f} s)")
    print()
    print(f"{'figure':36} {'measured':>10} {'ideal':>10} {'meas/ideal':>11}")
    rows: list[tuple[str, float, float | None, str]] = [
        ("POST latency p50", 1000 * percentile(posts, 50), None, " ms"),
        ("POST latency p95", 1000 * percentile(posts, 95), None, " ms"),
        ("submit-to-result p50", percentile(latencies, 50), percentile(ideal, 50), " s"),
        ("submit-to-result p95", percentile(latencies, 95), ideal_p95, " s"),
        ("submit-to-result max", max(latencies, default=math.nan), max(ideal), " s"),
        ("wall time (POSTs to last result)", wall, ideal_wall, " s"),
        ("throughput (graded per minute)", 60 * graded / wall if graded else 0.0,
         60 * w / base, ""),
    ]
    for name, measured, best, unit in rows:
        ratio = f"{measured / best:10.2f}x" if best and not math.isnan(measured) else ""
        print(f"{name:36} {fmt(measured, unit):>10} {fmt(best, unit):>10} {ratio:>11}")
    print(f"{'lost (no result or not full marks)':36} {len(lost):>7} / {n}")
    print(f"\nall {n} POSTs answered after {posted - started:.1f} s")
    print(f"efficiency: measured / ideal burst time ({n} x {base:.1f} s / {w}) = "
          f"{wall / ideal_wall:.2f}  (1.00: no cost beyond grading one at a time per worker)")
    target_p95 = TARGETS_P95[args.kind]
    met = p95 <= target_p95 and not lost
    print(f"target p95 submit-to-result <= {target_p95:.0f} s: {'MET' if met else 'NOT MET'} "
          f"(measured {fmt(p95 if math.isfinite(p95) else None)}, lost {len(lost)})")
    fits = int(target_p95 // base) * w if base > 0 else 0
    if ideal_p95 > target_p95:
        # the ideal is one-at-a-time grading from the lone latency (client polling and an idle
        # core included); a burst keeps both cores busy, so it can beat the ideal
        print(f"  {'beats' if met else 'above'} the one-at-a-time ideal: {w} workers at "
              f"{base:.1f} s each give an ideal p95 of {ideal_p95:.0f} s; about {fits} "
              f"simultaneous submissions fit in {target_p95:.0f} s at that pace")
    else:
        print(f"  reachable in principle: the ideal p95 is {ideal_p95:.1f} s")
    if cpu is not None and math.isfinite(p95):
        busy = cpu[2] / cpu[3]  # the cores the service got during the burst
        cores_floor = min(os.cpu_count() or 1, w)
        if busy < 0.9 * cores_floor:
            print(f"  the service got {busy:.2f} of {cores_floor} cores in the burst (other "
                  f"tenants); scaled to {cores_floor} free cores (an estimate, not a "
                  f"measurement): p95 ~{p95 * busy / cores_floor:.0f} s")
    errors, warnings = log_problems or ([], [])
    if log_problems is not None:
        print(f"server log: {len(errors)} errors (ERROR lines and tracebacks), "
              f"{len(warnings)} warnings")
    for o in lost[:10]:
        log.warning("lost %s (%s): %s", o.student, o.submission_id, o.problem)
    for line in (errors + warnings)[:10]:
        log.warning("server log: %s", line[:300])
    return len(lost)


# ------------------------------------------------------------------ main


def pick_students(tokens: dict[str, str], n: int, prelude: int
                  ) -> tuple[list[str], list[str]]:
    """(burst students, warm-up and baseline students): distinct if the tokens allow, else
    the prelude reuses the burst students (an extra submission or two each, under the rate
    limit of 5 a minute)."""
    students = sorted(tokens)
    if len(students) < n:
        raise SystemExit(f"{n} submissions need {n} students; the tokens have {len(students)}")
    burst = students[:n]
    pool = students[n:] if len(students) - n >= prelude else burst
    if pool is burst:
        log.info("too few tokens for distinct warm-up/baseline students: reusing the burst's")
    return burst, [pool[i % len(pool)] for i in range(prelude)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", type=int, default=50, help="submissions in the burst (default 50)")
    parser.add_argument("--kind", choices=["zip", "notebook", "notebooks"], default="zip",
                        help="zip: the whole assignment (default); notebook: q1 alone "
                             "(quick); notebooks: one complete notebook per student, the "
                             "four in turn")
    parser.add_argument("--workers", type=int, default=2,
                        help="grading workers: started in default mode, assumed with --url")
    parser.add_argument("--baseline-repeats", type=int, default=3,
                        help="lone submissions before the burst; their median is the baseline")
    parser.add_argument("--warmup", type=int, default=None,
                        help="submissions sent at once before the baseline, not counted "
                             "(default: --workers, one per grading thread)")
    parser.add_argument("--poll", type=float, default=1.0,
                        help="seconds between polls of the pending submissions (default 1)")
    parser.add_argument("--timeout", type=float, default=3600.0,
                        help="seconds after the POSTs until a missing result is lost")
    parser.add_argument("--url", help="an already running service (no server is started)")
    parser.add_argument("--instructor-token", help="with --url: for the queue counts")
    parser.add_argument("--tokens", type=Path, help="with --url: CSV of student,token")
    parser.add_argument("--keep", action="store_true",
                        help="default mode: keep the temporary data folder and server log")
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s",
                        datefmt="%H:%M:%S")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    if args.url and not (args.tokens and args.instructor_token):
        parser.error("--url needs --tokens and --instructor-token")
    if args.n < 1 or args.workers < 1 or args.baseline_repeats < 1:
        parser.error("-n, --workers and --baseline-repeats must be at least 1")
    if args.warmup is None:
        args.warmup = args.workers

    def interrupted(signum: int, _frame: FrameType | None) -> None:
        raise KeyboardInterrupt(signal.Signals(signum).name)

    signal.signal(signal.SIGTERM, interrupted)
    uploads = make_uploads(args.kind)
    if args.kind == "notebooks" and args.baseline_repeats % len(uploads):
        args.baseline_repeats = len(uploads)  # one of each kind: the mean is over kinds

    def run(url: str, tokens: dict[str, str], instructor: str,
            service: LocalService | None, where: str) -> int:
        burst_students, prelude = pick_students(tokens, args.n,
                                                args.warmup + args.baseline_repeats)
        before = queue_counts(url, instructor, required=True)
        if before.get("queued") or before.get("running"):
            log.warning("the queue is not idle before the run: %s", before)
        if args.warmup:
            warm, _, _ = asyncio.run(run_burst(url, prelude[:args.warmup], tokens, uploads,
                                               0.2, args.timeout))
            log.info("warm-up (not counted): %s s",
                     ", ".join(fmt(o.latency, "") for o in warm))
            for o in warm:
                if o.problem:
                    log.warning("warm-up submission of %s lost: %s", o.student, o.problem)
        else:
            warm = []
        cpu0, t0, busy0 = service_cpu(service), time.monotonic(), cpu_busy()
        baseline = asyncio.run(run_baseline(url, prelude[args.warmup:], tokens, uploads,
                                            args.timeout))
        cpu1, t1, busy1 = service_cpu(service), time.monotonic(), cpu_busy()
        split1 = server_split(service)
        load = Path("/proc/loadavg").read_text().split()[:3]
        outcomes, started, posted = asyncio.run(run_burst(
            url, burst_students, tokens, uploads, args.poll, args.timeout))
        cpu2, t2, busy2 = service_cpu(service), time.monotonic(), cpu_busy()
        split2 = server_split(service)
        split = (None if split1 is None or split2 is None
                 else (split2[0] - split1[0], split2[1] - split1[1]))
        machine_busy = (busy_fraction(busy0, busy1), busy_fraction(busy1, busy2))
        cpu = (None if cpu0 is None or cpu1 is None or cpu2 is None
               else (cpu1 - cpu0, t1 - t0, cpu2 - cpu1, t2 - t1))
        log.info("queue after the burst: %s", queue_counts(url, instructor))
        if service is not None:
            service.stop()  # before reading its log, so its shutdown is in it too
        problems = service.log_problems() if service else None
        return report(args, where, uploads, baseline, outcomes, started, posted, load,
                      machine_busy, cpu, warm, problems, split)

    try:
        if args.url:
            lost = run(args.url.rstrip("/"), read_tokens(args.tokens), args.instructor_token,
                      None, args.url)
        else:
            count = args.n + args.warmup + args.baseline_repeats
            students = [f"bench{i:03d}" for i in range(count)]
            with local_service(args.workers, students, args.keep) as (service, tokens):
                lost = run(service.url, tokens, service.instructor_token, service,
                          f"embedded default (autograder serve: SQLite, {args.workers} "
                          f"worker threads, bwrap) on {service.url}")
    except KeyboardInterrupt:
        log.error("interrupted")
        return 130
    return 1 if lost else 0


if __name__ == "__main__":
    raise SystemExit(main())
