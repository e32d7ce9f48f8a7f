"""`docker-compose run --rm grade` grades the corpus in containers, with the right scores."""

from __future__ import annotations

import csv
import subprocess

import pytest

from tests.compose import compose_command, compose_env, require_docker
from tests.course.course import REPO

pytestmark = [pytest.mark.docker, pytest.mark.slow]


@pytest.fixture(scope="module")
def docker_ready():
    require_docker("cs224n/grader:latest", "cs224n/kernel:latest")


def test_compose_grades_the_corpus(docker_ready, corpus_dir, corpus_expected, tmp_path):
    graded = tmp_path / "graded"
    graded.mkdir()
    env = compose_env(SUBMISSIONS_DIR=str(corpus_dir), GRADED_DIR=str(graded))
    proc = subprocess.run([*compose_command(), "run", "--rm", "grade"], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=1800)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    with open(graded / "grades.csv", newline="") as f:
        rows = {row["student"]: row for row in csv.DictReader(f)}
    assert set(rows) == set(corpus_expected)
    for student, expected in corpus_expected.items():
        assert float(rows[student]["auto_total"]) == pytest.approx(sum(expected.values())), \
            (student, rows[student]["status"],
             (graded / "results" / student / "results.json").read_text()[:4000])
        assert (graded / "results" / student / "results.json").is_file()
        assert (graded / "feedback" / f"{student}.html").is_file()
