"""The one-line self-checks: what they print, when they raise, and what validation sees."""

import importlib
import json
import re
import warnings

import numpy as np
import pytest

from cs224n import grading_mode
from cs224n.selfcheck import PARTS, _find, check, validate_part
from tests.course.course import ASSIGNMENT, NOTEBOOKS, REPO


def _reference_namespace() -> dict:
    ns: dict = {}
    for module in ("softmax", "neural", "gradcheck", "word2vec", "sgd", "sentiment"):
        found = importlib.import_module(f"solutions.{module}")
        ns.update({k: v for k, v in vars(found).items() if callable(v)})
    gradcheck = ns["gradcheck_naive"]
    ns["gradcheck_naive"] = lambda f, x: gradcheck(f, x, verbose=False)
    return ns


def cbow(*args, **kwargs):  # the release's stub, by name
    raise NotImplementedError()


def softmax(x):  # the classic mistake: no max shift
    e = np.exp(x)
    return e / np.sum(e, axis=-1, keepdims=True)


@pytest.fixture
def reference():
    return _reference_namespace()


@pytest.mark.parametrize("part", [p.key for p in PARTS])
def test_the_reference_passes_every_part(part, reference, capsys):
    [result] = check(part, reference)
    assert result.ok and result.passed and result.skipped is None
    assert "all" in capsys.readouterr().out


def test_a_softmax_without_the_shift_fails_naming_the_part_and_example(reference, capsys):
    with np.errstate(all="ignore"), pytest.raises(AssertionError) as raised:
        check("1(b)", dict(reference, softmax=softmax))
    assert "1(b) softmax FAILED: 2 of 3" in str(raised.value)
    out = capsys.readouterr().out
    assert "  ok    softmax([1, 2])" in out
    assert "  FAIL  softmax([[-1001, -1002]])" in out and "nan" in out


def test_a_stub_is_named_as_not_implemented(reference):
    def skipgram(*args):
        raise NotImplementedError()

    with pytest.raises(AssertionError, match="skipgram is not implemented yet"):
        check("3(e) skipgram", dict(reference, skipgram=skipgram))


def test_a_failing_part_names_the_helpers_it_runs(reference):
    def skipgram(*args):
        return 0.0, np.zeros((5, 3)), np.zeros((5, 3))

    with pytest.raises(AssertionError) as raised:
        check("3(e) skipgram", dict(reference, skipgram=skipgram))
    assert "also runs your softmaxCostAndGradient," in str(raised.value)


def test_a_stub_from_an_earlier_notebook_is_named_with_its_notebook(reference):
    ns = dict(reference)
    stub = "def softmax(x):\n    raise NotImplementedError()\n"
    exec(compile(stub, "q1_softmax.ipynb, cell 5", "exec"), ns)  # as import_notebook_functions
    exec("def softmaxCostAndGradient(predicted, target, outputVectors, dataset):\n"
         "    return softmax(outputVectors @ predicted)\n", ns)
    with pytest.raises(AssertionError, match=re.escape("softmax (q1_softmax.ipynb) is not")):
        check("3(e) softmaxCostAndGradient", ns)


def test_cbow_left_as_the_stub_is_skipped_with_a_note(reference, capsys):
    [result] = check("3(e) cbow", dict(reference, cbow=cbow))
    assert result.ok and result.skipped
    assert "3(e) cbow (extra credit) skipped" in capsys.readouterr().out


def test_a_wrong_cbow_is_reported_without_stopping_run_all(reference, capsys, monkeypatch):
    right = reference["cbow"]

    def first_word_cbow(currentWord, C, contextWords, *args):  # uses one context word only
        return right(currentWord, C, contextWords[:1], *args)

    monkeypatch.delenv("NBGRADER_VALIDATING", raising=False)
    [result] = check("3(e) cbow", dict(reference, cbow=first_word_cbow))
    assert not result.ok and "Run All goes on" in capsys.readouterr().out
    monkeypatch.setenv("NBGRADER_VALIDATING", "1")
    with pytest.raises(AssertionError, match="cbow"):
        check("3(e) cbow", dict(reference, cbow=first_word_cbow))


def test_validate_part_acts_only_under_validation(reference, monkeypatch):
    broken = dict(reference, softmax=softmax)
    monkeypatch.delenv("NBGRADER_VALIDATING", raising=False)
    validate_part("1(b)", broken)  # Run All and grading: nothing happens
    monkeypatch.setenv("NBGRADER_VALIDATING", "1")
    with np.errstate(all="ignore"), pytest.raises(AssertionError, match=r"1\(b\) softmax"):
        validate_part("1(b)", broken)
    validate_part("3(e) cbow", dict(reference, cbow=cbow))  # a skipped extra credit passes


def test_validation_lets_no_warning_reach_stderr(reference, monkeypatch):
    """validate fails a graded cell with any stderr output: advice must not fail it."""
    def sigmoid(x):  # warns, as numpy does about an overflow: advice worth no points
        warnings.warn("overflow encountered in exp", RuntimeWarning, stacklevel=1)
        return reference["sigmoid"](x)

    monkeypatch.setenv("NBGRADER_VALIDATING", "1")
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        validate_part("2(e)", dict(reference, sigmoid=sigmoid))
    assert seen == []


def test_messages_fit_validates_report(reference, monkeypatch):
    """nbgrader validate cuts every line at 87 characters: the summary's lines are shorter."""
    monkeypatch.setenv("NBGRADER_VALIDATING", "1")
    for broken in (dict(reference, softmax=softmax), dict(reference, sgd=cbow)):
        with np.errstate(all="ignore"), pytest.raises(AssertionError) as raised:
            check("1(b)" if broken["softmax"] is softmax else "3(f)", broken)
        assert max(len(line) for line in str(raised.value).splitlines()) <= 82


def test_parts_are_found_by_key_title_prefix_and_function():
    assert [p.title for p in _find("3(e)")][0] == "3(e) normalizeRows"
    assert len(_find("3(e)")) == 5
    assert [p.key for p in _find("cbow")] == [p.key for p in _find("3(e)  CBOW")] == ["3(e) cbow"]
    assert [p.key for p in _find("2(g) forward_backward_prop")] == ["2(g)"]
    with pytest.raises(ValueError, match='"1\\(b\\)"'):
        check("9(z)", {})


def test_a_missing_function_says_which_cell_to_run(capsys):
    with pytest.raises(AssertionError, match="softmax is not defined"):
        check("1(b)", {})


def test_every_part_has_one_sanity_cell_and_one_validated_hidden_cell():
    sanity, hidden = [], []
    for name in NOTEBOOKS:
        nb = json.loads((REPO / "source" / ASSIGNMENT / f"{name}.ipynb").read_text())
        for cell in nb["cells"]:
            meta = cell["metadata"].get("nbgrader", {})
            source = "".join(cell["source"])
            if meta.get("grade_id", "").endswith("_sanity"):
                sanity += re.findall(r'^check\("([^"]+)"\)', source)
            if meta.get("grade") and cell["cell_type"] == "code":
                hidden += re.findall(r'^validate_part\("([^"]+)"\)', source, re.M)
    keys = [p.key for p in PARTS]
    assert sorted(sanity) == sorted(keys) and sorted(hidden) == sorted(keys)


def test_grading_mode_holds_while_grading_or_validating(monkeypatch):
    monkeypatch.delenv("CS224N_GRADING", raising=False)
    monkeypatch.delenv("NBGRADER_VALIDATING", raising=False)
    assert not grading_mode()
    monkeypatch.setenv("NBGRADER_VALIDATING", "1")
    assert grading_mode()
