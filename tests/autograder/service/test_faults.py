"""Nothing is lost: a worker killed mid-grade, an API restarted with jobs queued, a rate
limit that holds."""

import signal
import time

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
