"""A student's standing grade: each notebook from their latest upload that held it."""

import pytest

from autograder.report.standing import standing
from autograder.report.summary import notebook_auto_max, notebook_auto_score
from tests.autograder.report.builders import NOTEBOOKS, build

ALL = frozenset(NOTEBOOKS)


def only(cells, submitted, *, failing=frozenset(), digest="d" * 64, statuses=None):
    """alice's upload holding just the notebooks in `submitted`."""
    status = {n: "missing" for n in ALL - set(submitted)} | (statuses or {})
    return build("alice", cells, failing=frozenset(failing), statuses=status, digest=digest)


def scores(result):
    return {nb.name: (nb.status, notebook_auto_score(nb)) for nb in result.notebooks}


def test_no_graded_upload_has_no_standing():
    assert standing([]) is None


def test_notebooks_submitted_one_by_one_add_up(cells):
    q1 = only(cells, {"q1_softmax"}, digest="a" * 64)
    q2 = only(cells, {"q2_neural"}, digest="b" * 64)
    merged = standing([("s1", q1), ("s2", q2)])
    assert merged.sources == {"q1_softmax": "s1", "q2_neural": "s2"}
    got = scores(merged.result)
    assert got["q1_softmax"][0] == got["q2_neural"][0] == "graded"
    assert got["q3_word2vec"] == got["q4_sentiment"] == ("missing", 0.0)
    full = {nb.name: notebook_auto_max(nb) for nb in q1.notebooks}
    assert merged.result.auto_score == pytest.approx(full["q1_softmax"] + full["q2_neural"])
    assert [nb.name for nb in merged.result.notebooks] == list(NOTEBOOKS)
    assert merged.result.digest not in (q1.digest, q2.digest)  # a digest of both


def test_a_later_upload_of_a_notebook_replaces_the_earlier_one_even_when_worse(cells):
    good = only(cells, {"q1_softmax"})
    worse = only(cells, {"q1_softmax"}, failing={"softmax_stability"}, digest="w" * 64)
    crashed = only(cells, {"q1_softmax"}, statuses={"q1_softmax": "stopped"}, digest="c" * 64)
    assert scores(standing([("a", good), ("b", worse)]).result)["q1_softmax"] == \
        scores(worse)["q1_softmax"]
    merged = standing([("a", good), ("b", worse), ("c", crashed)])
    assert merged.sources == {"q1_softmax": "c"}
    assert scores(merged.result)["q1_softmax"] == ("stopped", 0.0)
    assert merged.result.digest == crashed.digest  # the one upload that counts


def test_a_whole_assignment_replaces_every_notebook_and_a_single_one_then_overrides(cells):
    q3 = only(cells, {"q3_word2vec"})
    whole = build("alice", cells, failing=frozenset({"sgd_converges"}), digest="z" * 64)
    fixed = only(cells, {"q3_word2vec"}, digest="f" * 64)
    merged = standing([("q3", q3), ("zip", whole), ("fix", fixed)])
    assert merged.sources == {"q1_softmax": "zip", "q2_neural": "zip", "q3_word2vec": "fix",
                              "q4_sentiment": "zip"}
    assert scores(merged.result)["q3_word2vec"] == scores(fixed)["q3_word2vec"]
    assert merged.result.auto_score > whole.auto_score


def test_the_newest_uploads_problems_and_only_one_student(cells):
    first = only(cells, {"q1_softmax"})
    first.problems = ["old.ipynb: not a notebook"]
    second = only(cells, {"q2_neural"})
    assert standing([("1", first), ("2", second)]).result.problems == []
    with pytest.raises(ValueError, match="one student"):
        standing([("1", first), ("2", build("bob", cells))])
