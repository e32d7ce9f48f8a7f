"""Nothing is lost: a worker killed mid-grade, an API restarted with jobs queued, a rate
limit that holds, a grading crash that costs only its job; nothing is left behind: a
shutdown mid-grade cleans up, and a start reaps what a killed service left."""

import os
import signal
import time
from pathlib import Path

import pytest

from tests.autograder.service.notebooks import faulty_q1, hidden_score, honest_q1, slow_q1
from tests.autograder.service.server import WAIT, Server, WorkerProc, issue_tokens, wait_for

pytestmark = pytest.mark.slow


def test_a_worker_killed_mid_grade_leaves_the_job_to_another(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    tokens = issue_tokens(data, ["dave"])
    server = Server(data, workers=0)
    first = second = None
    try:
        first = WorkerProc(data, "worker1", lease_seconds=3)
        with server.client(tokens["dave"]) as dave:
            sid = dave.post("/api/submissions",
                            files={"file": ("q1_softmax.ipynb", slow_q1(8))}).json()["id"]
            running = wait_for(dave, sid, states=("running",))
            assert running["attempts"] == 1
            time.sleep(1.0)  # inside the sandbox, sleeping in the student's cell
            first.kill(signal.SIGKILL)
            assert wait_for(dave, sid, states=("running", "queued"))["status"] != "done"
            second = WorkerProc(data, "worker2", lease_seconds=3)
            body = wait_for(dave, sid)
        assert body["status"] == "done", (body, second.tail())
        assert body["attempts"] == 2
        assert hidden_score(body) == pytest.approx(5.0)
    finally:
        for proc in (first, second, server):
            if proc is not None:
                proc.stop()


def test_restarting_the_api_loses_no_queued_job(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    tokens = issue_tokens(data, ["erin", "frank"])
    server = Server(data, workers=0)
    ids = {}
    try:
        with server.client(tokens["erin"]) as erin, server.client(tokens["frank"]) as frank:
            ids["erin"] = erin.post("/api/submissions", files={
                "file": ("q1_softmax.ipynb", honest_q1())}).json()["id"]
            ids["frank"] = frank.post("/api/submissions", files={
                "file": ("q1_softmax.ipynb", faulty_q1())}).json()["id"]
            time.sleep(1.0)
            assert erin.get(f"/api/submissions/{ids['erin']}").json()["status"] == "queued"
    finally:
        server.kill(signal.SIGKILL)  # not even a clean shutdown
        server.stop()
    server = Server(data, workers=2)
    try:
        with server.client(tokens["erin"]) as erin, server.client(tokens["frank"]) as frank:
            assert hidden_score(wait_for(erin, ids["erin"], timeout=WAIT)) == pytest.approx(5.0)
            assert hidden_score(wait_for(frank, ids["frank"])) == pytest.approx(3.0)
    finally:
        server.stop()


def test_rate_limit_is_429(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    tokens = issue_tokens(data, ["gina", "hugo"])
    server = Server(data, workers=0, submissions_per_minute=2)
    try:
        with server.client(tokens["gina"]) as gina, server.client(tokens["hugo"]) as hugo:
            codes = [gina.post("/api/submissions", files={
                "file": ("q1_softmax.ipynb", honest_q1())}).status_code for _ in range(3)]
            assert codes == [202, 202, 429]
            assert hugo.post("/api/submissions", files={
                "file": ("q1_softmax.ipynb", honest_q1())}).status_code == 202
            assert len(gina.get("/api/submissions").json()["submissions"]) == 2
    finally:
        server.stop()


# ------------------------------------------------ grading crashes and shutdown leftovers

CRASH_HOOK = '''
import builtins, os, signal, sys

_import = builtins.__import__


def _hooked(name, *args, **kwargs):
    module = _import(name, *args, **kwargs)
    grade = sys.modules.get("autograder.engine.grade")
    if grade is not None and hasattr(grade, "Grader") and not hasattr(grade, "_crash_hook"):
        grade._crash_hook = original = grade.Grader.grade

        def crashing(self, submission, *a, **k):
            if submission.student == os.environ["CRASH_STUDENT"]:
                os.kill(os.getpid(), signal.SIGKILL)  # as the kernel's OOM killer does
            return original(self, submission, *a, **k)

        grade.Grader.grade = crashing
    return module


builtins.__import__ = _hooked
'''


def test_a_grading_crash_never_takes_the_api_down(tmp_path):
    """The grader is SIGKILLed while grading one student's upload (sitecustomize patches the
    engine in every process of the service): the API answers throughout, the job fails for
    the staff after its attempts, another student's upload is graded."""
    hook = tmp_path / "hook"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(CRASH_HOOK)
    data = tmp_path / "data"
    data.mkdir()
    tokens = issue_tokens(data, ["crash", "bob"])
    server = Server(data, workers=1, max_attempts=2,
                    env={"PYTHONPATH": str(hook), "CRASH_STUDENT": "crash"})
    try:
        with server.client(tokens["crash"]) as crash, server.client(tokens["bob"]) as bob:
            doomed = crash.post("/api/submissions",
                                files={"file": ("q1_softmax.ipynb", honest_q1())}).json()["id"]
            fine = bob.post("/api/submissions",
                            files={"file": ("q1_softmax.ipynb", honest_q1())}).json()["id"]
            body = wait_for(crash, doomed)
            assert server.alive() and crash.get("/health").status_code == 200
            assert body["status"] == "failed" and body["attempts"] == 2, body
            assert "Traceback" not in str(body)
            assert hidden_score(wait_for(bob, fine)) == pytest.approx(5.0)
    finally:
        server.stop()


def grading_children(pid: int) -> list[int]:
    """The service's grading processes (its direct children)."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            pass
    return found


def leftovers(tmp: Path, pids: list[int]) -> list[str]:
    """Whatever of a grade is still on the host: mounts under tmp, cgroups of the grading
    processes, files in tmp (job folders, the course copy)."""
    mounts = [line.split()[1] for line in Path("/proc/self/mounts").read_text().splitlines()
              if line.split()[1].startswith(str(tmp))]
    cgroups = [str(p) for pid in pids
               for p in [*Path("/sys/fs/cgroup").glob(f"*/cs224n-sandbox/{pid}-*"),
                         *Path("/sys/fs/cgroup").glob(f"cs224n-sandbox/{pid}-*")]]
    files = [str(p) for p in tmp.rglob("*")] if tmp.exists() else []
    return mounts + cgroups + files


def in_its_sandbox(server: Server, tmp: Path) -> list[int]:
    """Wait until a grading process has its sandbox mounted; its pids."""
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        pids = grading_children(server.popen.pid)
        if any(str(tmp) in line and "cs224n-sandbox" in line
               for line in Path("/proc/self/mounts").read_text().splitlines()):
            return pids
        time.sleep(0.2)
    raise AssertionError(f"no sandbox started:\n{server.tail()}")


def job_states(data: Path) -> list[str]:
    from autograder.service.db import Database, Job

    db = Database(f"sqlite:///{data.resolve() / 'service.db'}")
    try:
        with db.session() as s:
            return [j.state for j in s.query(Job).all()]
    finally:
        db.close()


def test_sigterm_mid_grade_leaves_nothing_behind(tmp_path):
    data, tmp = tmp_path / "data", tmp_path / "tmp"
    data.mkdir()
    tmp.mkdir()
    tokens = issue_tokens(data, ["dave"])
    server = Server(data, workers=1, env={"TMPDIR": str(tmp)})
    try:
        with server.client(tokens["dave"]) as dave:
            dave.post("/api/submissions", files={"file": ("q1_softmax.ipynb", slow_q1(60))})
        pids = in_its_sandbox(server, tmp)
        assert leftovers(tmp, pids)  # the grade is under way: mount, cgroup, folders
        os.kill(server.popen.pid, signal.SIGTERM)  # the service only, as `docker stop` does
        server.popen.wait(60)
        assert leftovers(tmp, pids) == []
        assert job_states(data) == ["queued"]  # given back for the next start
    finally:
        server.stop()


def old_leftovers(tmp: Path, server_pid: int, pids: list[int]) -> list[str]:
    """What the killed service's grade left: its private folder, its processes' mounts and
    cgroups (a new service has folders of its own)."""
    return [p for p in leftovers(tmp, pids)
            if f"autograder-grading-{server_pid}-" in p or "/sys/fs/cgroup" in p
            or any(f"cs224n-sandbox-{pid}-" in p for pid in pids)]


def test_the_next_start_reaps_what_a_killed_service_left(tmp_path):
    data, tmp = tmp_path / "data", tmp_path / "tmp"
    data.mkdir()
    tmp.mkdir()
    tokens = issue_tokens(data, ["erin"])
    server = Server(data, workers=1, env={"TMPDIR": str(tmp)}, lease_seconds=3)
    old = server.popen.pid
    try:
        with server.client(tokens["erin"]) as erin:
            sid = erin.post("/api/submissions",
                            files={"file": ("q1_softmax.ipynb", slow_q1(60))}).json()["id"]
        pids = in_its_sandbox(server, tmp)
        for pid in [old, *pids]:  # no chance to clean anything up
            os.kill(pid, signal.SIGKILL)
        server.popen.wait(30)
        time.sleep(1.0)
        left = old_leftovers(tmp, old, pids)
        assert any("/sys/fs/cgroup" in p for p in left) and any(".lock" in p for p in left)
    finally:
        server.stop()
    server = Server(data, workers=1, env={"TMPDIR": str(tmp)}, lease_seconds=3)
    try:
        assert old_leftovers(tmp, old, pids) == []
        with server.client(tokens["erin"]) as erin:  # and the job is graded again
            deadline = time.monotonic() + WAIT
            while erin.get(f"/api/submissions/{sid}").json()["attempts"] < 2:
                assert time.monotonic() < deadline, "the job was not graded again"
                time.sleep(0.2)
    finally:
        server.stop()
