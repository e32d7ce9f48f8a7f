"""The engine and `nbgrader autograde` agree, cell by cell, on the honest corpus."""

import pytest

from autograder.engine.batch import grade_batch
from autograder.engine.grade import GradingOptions
from autograder.sandbox import Limits
from tests.course.test_autograde import hidden_scores

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine_scores(assignment, bwrap, corpus_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("engine-out")
    options = GradingOptions(limits=Limits(wall_seconds=120.0))
    results = grade_batch(corpus_dir, out, course=assignment, sandbox="bwrap",
                          options=options, jobs=2)
    return {r.student: {f"{c.notebook}/{c.grade_id}": c.score for c in r.cells if c.auto}
            for r in results}


def test_engine_scores_match_the_expected_scores(engine_scores, corpus_expected):
    for student, expected in corpus_expected.items():
        got = {k: v for k, v in engine_scores[student].items() if k in expected}
        assert got == expected, student


def test_engine_agrees_with_nbgrader_autograde(engine_scores, autograded, corpus_expected):
    for student in corpus_expected:
        nbgrader = hidden_scores(autograded, student)
        engine = {k: v for k, v in engine_scores[student].items() if k in nbgrader}
        assert engine == nbgrader, student
