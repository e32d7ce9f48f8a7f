"""The batch: one student's unreadable submission (a damaged zip, a linked folder) is that
student's error; everyone else is graded and grades.csv has a row for each."""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.engine.batch import discover, load
from tests.autograder.engine.zips import DAMAGED
from tests.autograder.service.notebooks import honest_q1
from tests.course.course import REPO

AUTOGRADER = str(Path(sys.executable).parent / "autograder")


def submissions(root: Path, damage: str = "bad_crc") -> Path:
    """honest and carol (q1 only), mallory.zip (damaged), x/ps1 -> ../honest/ps1."""
    for student in ("honest", "carol"):
        (root / student / "ps1").mkdir(parents=True)
        (root / student / "ps1" / "q1_softmax.ipynb").write_bytes(honest_q1())
    (root / "mallory.zip").write_bytes(DAMAGED[damage](honest_q1()))
    (root / "x").mkdir()
    os.symlink("../honest/ps1", root / "x" / "ps1")
    os.symlink(root / "honest", root / "y")  # a linked student folder
    return root


@pytest.mark.parametrize("damage", sorted(DAMAGED))
def test_every_student_is_read_and_the_broken_ones_say_why(tmp_path, damage):
    entries, problems = discover(submissions(tmp_path, damage), "ps1")
    assert [e.student for e in entries] == ["carol", "honest", "mallory", "x"]
    assert problems == ["'y': a symbolic link, skipped"]
    loaded = {e.student: load(e) for e in entries}
    assert loaded["honest"].files and loaded["carol"].files
    assert loaded["mallory"].files == {} and "the zip is damaged" in loaded["mallory"].problems[0]
    assert loaded["x"].files == {} and loaded["x"].problems == ["ps1 is a symbolic link, refused"]


def test_an_unexpected_reading_error_costs_only_that_student(tmp_path, monkeypatch):
    from autograder.engine import batch

    def broken(*_args):
        raise MemoryError("no")

    entries, _ = discover(submissions(tmp_path), "ps1")
    monkeypatch.setattr(batch, "load_folder", broken)
    sub = load(next(e for e in entries if e.student == "honest"))
    assert sub.files == {} and "course staff" in sub.problems[0]


@pytest.mark.slow
def test_the_batch_grades_everyone_despite_a_damaged_zip_and_a_link(tmp_path):
    root = submissions(tmp_path / "submitted")
    out = tmp_path / "graded"
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    proc = subprocess.run([AUTOGRADER, "grade", str(root), "--out", str(out), "--course",
                           str(REPO), "-q", "-j", "2"], capture_output=True, text=True,
                          timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    rows = {r["student"]: r for r in csv.DictReader((out / "grades.csv").open())}
    assert sorted(rows) == ["carol", "honest", "mallory", "x"]
    assert float(rows["honest"]["q1_softmax"]) == float(rows["carol"]["q1_softmax"]) == 5.0
    assert float(rows["mallory"]["auto_total"]) == float(rows["x"]["auto_total"]) == 0.0
    feedback = (out / "feedback" / "mallory.html").read_text()
    assert "the zip is damaged" in feedback
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("autograder-")] == []
