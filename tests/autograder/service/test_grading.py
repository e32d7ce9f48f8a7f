"""End to end against a real server: submit, poll, scores, feedback, instructor views."""

import csv
import io

import pytest

from tests.autograder.service.notebooks import faulty_q1, hidden_score, honest_q1, zip_of
from tests.autograder.service.server import INSTRUCTOR, wait_for

pytestmark = pytest.mark.slow


def submit(client, name: str, data: bytes):
    return client.post("/api/submissions", files={"file": (name, data)})


def test_correct_and_faulty_notebooks_get_their_scores(service):
    server, tokens = service
    with server.client(tokens["alice"]) as alice, server.client(tokens["bob"]) as bob:
        good = submit(alice, "q1_softmax.ipynb", honest_q1())
        bad = submit(bob, "q1_softmax.ipynb", faulty_q1())
        assert good.status_code == 202 and bad.status_code == 202
        assert good.headers["location"] == f"/api/submissions/{good.json()['id']}"
        good_body = wait_for(alice, good.json()["id"])
        bad_body = wait_for(bob, bad.json()["id"])
    assert good_body["status"] == "done", good_body
    assert hidden_score(good_body) == pytest.approx(5.0)
    assert bad_body["status"] == "done", bad_body
    assert hidden_score(bad_body) == pytest.approx(3.0)
    checks = {c["name"]: c for nb in bad_body["notebooks"] for cell in nb["cells"]
              for c in cell["checks"]}
    assert checks["softmax_stability"]["passed"] is False
    assert checks["softmax_stability"]["message"]


def test_zip_feedback_history_and_instructor_views(service):
    server, tokens = service
    with server.client(tokens["carol"]) as carol, server.client(INSTRUCTOR) as staff:
        sent = submit(carol, "ps1.zip", zip_of({"ps1/q1_softmax.ipynb": honest_q1()}))
        assert sent.status_code == 202, sent.text
        sid = sent.json()["id"]
        body = wait_for(carol, sid)
        assert body["kind"] == "zip" and hidden_score(body) == pytest.approx(5.0)

        feedback = carol.get(f"/api/submissions/{sid}/feedback")
        assert feedback.status_code == 200
        assert feedback.headers["content-type"].startswith("text/html")
        assert "q1_softmax" in feedback.text and "<script" not in feedback.text

        history = carol.get("/api/submissions").json()["submissions"]
        assert [s["id"] for s in history] == [sid]
        assert {s["student"] for s in history} == {"carol"}

        grades = staff.get("/api/grades.csv")
        assert grades.status_code == 200
        rows = {r["student"]: r for r in csv.DictReader(io.StringIO(grades.text))}
        assert float(rows["carol"]["q1_softmax"]) == pytest.approx(5.0)

        gradescope = staff.get(f"/api/submissions/{sid}/results.json")
        assert gradescope.status_code == 200
        assert gradescope.json()["score"] == pytest.approx(body["score"])

        again = staff.post(f"/api/submissions/{sid}/regrade")
        assert again.status_code == 202
        regraded = wait_for(carol, sid)
        assert regraded["status"] == "done" and hidden_score(regraded) == pytest.approx(5.0)

        health = staff.get("/health").json()
        assert health["status"] == "ok" and health["jobs"].get("done", 0) >= 1
