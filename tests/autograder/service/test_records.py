"""Records: one submission with its job, a student's history, and the standing grade (each
notebook from the latest graded upload that held it)."""

import pytest

from autograder.engine.results import CellGrade, NotebookReport, SubmissionResult
from autograder.service.db import Database, Job, SubmissionRow
from autograder.service.records import SubmissionNotFoundError, find, history, standings
from tests.autograder.report.builders import NOTEBOOKS


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


def test_find_and_history_and_an_unknown_or_malformed_id(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'service.db'}")
    with db.session() as s, s.begin():
        for sid, created in (("a", 1.0), ("b", 2.0)):
            s.add(SubmissionRow(id=sid * 32, student="alice", kind="zip", notebook=None,
                                stored_as=sid, size=1, created_at=created))
            s.flush()
            s.add(Job(submission_id=sid * 32, state="queued"))
    row, job = find(db, "a" * 32)
    assert (row.student, job.state) == ("alice", "queued")
    assert [r.id for r, _job in history(db, "alice")] == ["b" * 32, "a" * 32]
    assert history(db, "bob") == []
    for unknown in ("c" * 32, "../" + "a" * 29, "A" * 32, ""):
        with pytest.raises(SubmissionNotFoundError, match="no such submission"):
            find(db, unknown)
    db.close()
