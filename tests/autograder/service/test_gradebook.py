"""The service writes every grade into the nbgrader gradebook, keeping a student's latest."""

import threading
import time

import pytest

from autograder.service.db import Database, SubmissionRow
from autograder.service.queue import SqlJobQueue
from autograder.service.settings import ServiceSettings
from autograder.service.worker import Worker
from tests.autograder.service.notebooks import faulty_q1, honest_q1
from tests.autograder.service.server import Server, issue_tokens, wait_for


def test_an_older_submission_graded_late_does_not_replace_a_newer_grade(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'service.db'}")
    queue = SqlJobQueue(db, lease_seconds=60, max_attempts=3)
    worker = Worker("w", ServiceSettings(data_dir=tmp_path), db, queue, engine=None,
                    stop=threading.Event())
    with db.session() as s, s.begin():
        for sid, created, graded in (("1" * 32, 1.0, None), ("2" * 32, 2.0, 3.0),
                                     ("3" * 32, 1.0, None)):
            s.add(SubmissionRow(id=sid, student="bob" if sid == "3" * 32 else "alice",
                                kind="notebook", notebook="q1_softmax", stored_as=sid, size=1,
                                created_at=created, graded_at=graded))
    assert worker._superseded("1" * 32)  # alice's later submission is graded
    assert not worker._superseded("2" * 32)  # it is the latest
    assert not worker._superseded("3" * 32)  # bob's own
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
    finally:
        server.stop()
    with Gradebook(url, course_id="cs224n") as gb:  # what `nbgrader export` reads
        submission = gb.find_submission("ps1", "alice")
        scores = {g.name: g.score for nb in submission.notebooks for g in nb.grades}
    assert scores["q1_softmax_hidden"] == pytest.approx(5.0)  # the honest, latest upload
    assert scores["q2_neural_hidden"] == 0  # not submitted: autograde's zero
