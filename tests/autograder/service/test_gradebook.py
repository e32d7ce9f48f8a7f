"""The service writes every student's standing grade into the nbgrader gradebook: each
notebook from their latest upload that held it."""

import threading
import time

import pytest

from autograder.service import worker as worker_module
from autograder.service.db import Database
from autograder.service.queue import SqlJobQueue
from autograder.service.settings import ServiceSettings
from tests.autograder.service.notebooks import faulty_q1, honest_notebook_file, honest_q1
from tests.autograder.service.server import Server, issue_tokens, wait_for
from tests.course.course import Course


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
    course = Course.create(tmp_path / "course", generate=False)  # its autograded/ is written
    server = Server(data, workers=1, gradebook_url=url, course_root=course.root)
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
    # formgrader's copies: each notebook from the upload it stands from
    folder = course.root / "autograded" / "alice" / "ps1"
    assert {p.name for p in folder.glob("*.ipynb")} == {"q1_softmax.ipynb", "q2_neural.ipynb"}
