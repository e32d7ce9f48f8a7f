"""Problem 4's hidden inputs discriminate on every seed, and its comparisons accept what the
notebook allows and name what it does not (fast: no audit)."""

import numpy as np
import pytest

from autograder.checks import q4_sentiment as q4
from autograder.checks.model import Judge, Plan
from autograder.kernel.probe import Outcome, execute
from autograder.mutants import by_name, namespace

SEEDS = range(60)
BY_NAME = {c.name: c for c in q4.CHECKS}


def calls_of(name, seed):
    check = BY_NAME[name]
    return check.calls(check.rng(seed))


def picks(results):
    """The index each selection rule (right and wrong) picks."""
    column = {key: np.array([r[key] for r in results]) for key in ("train", "dev", "test")}
    current = 0
    for i, r in enumerate(results):
        if r["dev"] > results[current]["dev"] and r["test"] > results[current]["test"]:
            current = i
    return {
        "dev": int(column["dev"].argmax()),
        "train": int(column["train"].argmax()),
        "test": int(column["test"].argmax()),
        "dev+test": int((column["dev"] + column["test"]).argmax()),
        "both improve": current,
        "lowest dev": int(column["dev"].argmin()),
    }


@pytest.mark.parametrize("seed", SEEDS)
def test_every_wrong_selection_rule_picks_another_result(seed):
    sweeps = [call.args[0] for call in calls_of("choose_best_model", seed)]
    places = []
    for results in sweeps:
        n = len(results)
        chosen = picks(results)
        assert len({r["dev"] for r in results}) == n  # no ties
        assert [r["reg"] for r in results] == sorted(r["reg"] for r in results)
        best = chosen.pop("dev")
        places.append("first" if best == 0 else "last" if best == n - 1 else best)
        if best == 0:  # keeping results[0] is right here
            chosen.pop("both improve")
        wrong = chosen
        assert best not in wrong.values()
        assert len(set(wrong.values())) == len(wrong)  # each rule, its own result
    assert places[3:] == ["last", "first"]
    assert all(p not in ("first", "last") for p in places[:3])  # these three fail every rule
    assert len(set(places[:3])) >= 2  # a fixed position cannot pass every sweep


@pytest.mark.parametrize("seed", SEEDS)
def test_the_advice_sweep_has_a_tie_for_the_best_dev(seed):
    results, = calls_of("choose_best_model_ties", seed)[0].args
    devs = [r["dev"] for r in results]
    best = max(devs)
    assert devs.count(best) == 2 and devs.index(best) == 1
    assert BY_NAME["choose_best_model_ties"].points == 0


@pytest.mark.parametrize("seed", SEEDS)
def test_sentences_repeat_a_word_and_their_length_is_neither_D_nor_V(seed):
    for call in calls_of("sentence_features_mean", seed):
        tokens, vectors, sentence = call.args
        V, D = vectors.shape
        assert len(set(sentence)) < len(sentence) and len(sentence) not in (D, V)


@pytest.mark.parametrize("values", [
    np.logspace(-4, 2, 13).tolist(),
    [10.0 ** k for k in range(-5, 3)],
    [v for k in range(-4, 2) for v in (10.0 ** k, 3 * 10.0 ** k)],
    [2.0 ** k for k in range(6, -12, -1)],
    np.logspace(-2, 0, 5),
])
def test_log_spaced_values_pass(values):
    assert q4._sensible_values([Outcome(value=values)], []) is None


@pytest.mark.parametrize("values, words", [
    (np.linspace(1e-4, 100, 13), "not spaced logarithmically"),
    (np.linspace(0.01, 1, 5), "not spaced logarithmically"),
    (np.linspace(0.01, 10, 1000), "not spaced logarithmically"),
    ([0.001, 0.01, 0.1, 1.0], "at least 5"),
    ([0.1] * 10, "at least 5"),
    (np.logspace(-1, 0.5, 8), "two orders of magnitude"),
    ([0.0, 0.01, 0.1, 1.0, 10.0], "positive"),
    (None, "None"),
])
def test_other_values_fail_with_a_reason(values, words):
    assert words in q4._sensible_values([Outcome(value=values)], [])


def test_linear_spacing_hint_predicate():
    assert q4._evenly_spaced([Outcome(value=list(np.linspace(1e-3, 10, 10)))], [])
    assert not q4._evenly_spaced([Outcome(value=list(np.logspace(-3, 1, 10)))], [])


def test_choose_best_model_names_what_was_returned():
    want = {"reg": 0.1, "clf": None, "train": 1.0, "dev": 2.0, "test": 3.0}
    reference = [Outcome(value=want)]
    assert q4._returned_the_dict([Outcome(value=dict(want))], reference) is None
    assert "not one of the result dicts" in q4._returned_the_dict([Outcome(value=3)], reference)
    other = q4._returned_the_dict([Outcome(value={**want, "reg": 1.0})], reference)
    assert "reg = 1" in other and "highest dev accuracy" in other


def test_sentence_shape_must_be_D():
    reference = [Outcome(value=np.array([1.0, 2.0]))]
    assert "(1, 2)" in q4._shape_d([Outcome(value=np.array([[1.0, 2.0]]))], reference).reason
    assert q4._shape_d([Outcome(value=[1.0, 2.0])], reference).reason is None


@pytest.mark.parametrize("mutant, failing", [
    ("features_row", {"sentence_features_shape"}),  # a (1, D) result costs its 0.5 only
    ("features_sum", {"sentence_features_mean"}),
    ("features_distinct", {"sentence_features_mean"}),
    ("features_list", set()),
    ("best_sorted_last", set()),  # the last of tied results: advice only
    ("best_loop", set()),
    ("reg_array", set()),
])
def test_verdicts_of_typical_answers(mutant, failing):
    judge = Judge()
    ns = namespace(mutant)
    failed = set()
    for check in q4.CHECKS:
        if check.function in by_name(mutant).blame:
            plan = Plan.build(check, 11, examples=False)
            if not judge(plan, [execute(c, ns) for c in plan.calls]).passed:
                failed.add(check.name)
    assert failed - {"choose_best_model_ties"} == failing  # advice is worth no points
    if mutant in ("best_sorted_last", "best_loop"):
        assert "choose_best_model_ties" in failed  # but the tie rule is shown


def test_every_hint_is_tied_to_a_detection():
    for check in q4.CHECKS:
        for hint in check.hints:
            assert (hint.mutant is None) != (hint.when is None), hint.text


@pytest.mark.parametrize("check", q4.CHECKS, ids=lambda c: c.name)
def test_each_mutant_hint_shows_for_its_mutant(check):
    judge = Judge()
    plan = Plan.build(check, 1)
    for hint in (h for h in check.hints if h.mutant):
        ns = namespace(hint.mutant)
        result = judge(plan, [execute(c, ns) for c in plan.calls])
        assert not result.passed and result.hint == hint.text, hint.mutant
