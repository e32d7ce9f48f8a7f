"""The service writes every student's standing grade into the nbgrader gradebook: each
notebook from their latest upload that held it."""

import threading
import time

import pytest

from autograder.engine.results import CellGrade, NotebookReport, SubmissionResult
from autograder.service import worker as worker_module
from autograder.service.db import Database, Job, SubmissionRow
from autograder.service.queue import SqlJobQueue
from autograder.service.settings import ServiceSettings
from autograder.service.submissions import standings
from tests.autograder.report.builders import NOTEBOOKS
from tests.autograder.service.notebooks import faulty_q1, honest_notebook_file, honest_q1
from tests.autograder.service.server import Server, issue_tokens, wait_for


def _result(student: str, notebook: str, hidden: float) -> str:
    """A graded upload of one notebook, as the worker stores it."""
    cell = CellGrade(notebook, f"{notebook}_hidden", 5.0, hidden, True)
    reports = [NotebookReport(n, "graded" if n == notebook else "missing",
                              cells=[cell] if n == notebook else []) for n in NOTEBOOKS]
    return SubmissionResult(student, notebook + str(hidden), reports).to_json()


def test_standing_follows_upload_order_not_grading_order(tmp_path):
    """alice's older q1 graded after her newer q1 does not replace it; her q2 adds to it;
    bob's and a failed job's uploads stay out."""
    db = Database(f"sqlite:///{tmp_path / 'service.db'}")
    uploads = [  # id, student, created, graded, job state, notebook, hidden score
        ("1", "alice", 1.0, 9.0, "done", "q1_softmax", 3.0),
        ("2", "alice", 2.0, 3.0, "done", "q1_softmax", 5.0),
        ("3", "alice", 3.0, 4.0, "done", "q2_neural", 4.0),
        ("4", "alice", 4.0, 5.0, "failed", "q1_softmax", 0.0),
        ("5", "bob", 5.0, 6.0, "done", "q1_softmax", 1.0),
    ]
    with db.session() as s, s.begin():
        for sid, student, created, graded, state, notebook, hidden in uploads:
            s.add(SubmissionRow(id=sid * 32, student=student, kind="notebook",
                                notebook=notebook, stored_as=sid, size=1, created_at=created,
                                graded_at=graded, result_json=_result(student, notebook, hidden)
                                if state == "done" else None))
            s.flush()
            s.add(Job(submission_id=sid * 32, state=state))
    found = standings(db)
    db.close()
    assert set(found) == {"alice", "bob"}
    assert found["alice"].sources == {"q1_softmax": "2" * 32, "q2_neural": "3" * 32}
    assert found["alice"].result.auto_score == 9.0
    assert found["bob"].result.auto_score == 1.0


def test_a_gradebook_that_cannot_be_written_never_fails_the_graded_job(tmp_path, monkeypatch,
                                                                       caplog):
    db = Database(f"sqlite:///{tmp_path / 'service.db'}")
    settings = ServiceSettings(data_dir=tmp_path, gradebook_url="sqlite:///" + str(tmp_path / "x"))
    worker = worker_module.Worker("w", settings, db, SqlJobQueue(db, 60, 3), engine=None,
                                  stop=threading.Event())

    def broken(*_args, **_kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(worker_module, "standings", broken)
    worker._sync_gradebook("alice")  # logged, not raised
    assert "the gradebook could not be written" in caplog.text
    db.close()


@pytest.mark.slow
def test_grades_reach_the_gradebook_and_nbgrader_reads_them(tmp_path):
    from nbgrader.api import Gradebook

    data = tmp_path / "data"
    data.mkdir()
    tokens = issue_tokens(data, ["alice"])
    url = f"sqlite:///{data / 'gradebook.db'}"
    server = Server(data, workers=1, gradebook_url=url)
    try:
        with server.client(tokens["alice"]) as alice:
            first = alice.post("/api/submissions",
                               files={"file": ("q1_softmax.ipynb", faulty_q1())}).json()["id"]
            assert wait_for(alice, first)["status"] == "done"
            time.sleep(0.01)
            second = alice.post("/api/submissions",
                                files={"file": ("q1_softmax.ipynb", honest_q1())}).json()["id"]
            assert wait_for(alice, second)["status"] == "done"
            third = alice.post("/api/submissions", files={
                "file": ("q2_neural.ipynb", honest_notebook_file("q2_neural"))}).json()["id"]
            assert wait_for(alice, third)["status"] == "done"
            grade = alice.get("/api/grade").json()
    finally:
        server.stop()
    with Gradebook(url, course_id="cs224n") as gb:  # what `nbgrader export` reads
        submission = gb.find_submission("ps1", "alice")
        scores = {g.name: g.score for nb in submission.notebooks for g in nb.grades}
        q2_hidden = {g.name: (g.score, g.max_score) for nb in submission.notebooks
                     if nb.name == "q2_neural" for g in nb.grades if g.name.endswith("_hidden")}
        total = submission.score
    assert scores["q1_softmax_hidden"] == pytest.approx(5.0)  # the honest, latest q1 upload
    # q2 came later, alone, and adds to q1
    assert len(q2_hidden) == 3 and all(a == b for a, b in q2_hidden.values())
    assert scores["q3_normalize_hidden"] == 0  # never submitted: autograde's zero
    sources = {nb["name"]: nb["submission"] for nb in grade["notebooks"]}
    assert sources == {"q1_softmax": second, "q2_neural": third, "q3_word2vec": None,
                       "q4_sentiment": None}
    assert grade["score"] == pytest.approx(total)
