"""Problem 2's hidden checks: their inputs discriminate on every seed, their comparisons read
results the way the notebook asks (None is no verdict, NaN never passes, equivalent forms
count), and each hint is shown for the mistake it names."""

from __future__ import annotations

import numpy as np
import pytest

import solutions.gradcheck
from autograder.checks import cell_points, run_check
from autograder.checks import q2_neural as q2
from autograder.checks.model import Judge
from autograder.kernel.probe import Outcome, execute
from autograder.mutants import namespace
from solutions import REFERENCE

SEEDS = range(40)
BY_NAME = {c.name: c for c in q2.CHECKS}
NEURAL = [c for c in q2.CHECKS if c.cell == q2.NEURAL_CELL]


@pytest.fixture(scope="module")
def judge() -> Judge:
    return Judge()


def calls_of(name: str, seed: int):
    check = BY_NAME[name]
    return check.calls(check.rng(seed))


def test_cell_totals_are_kept_and_stability_is_advice():
    points = cell_points()
    assert (points["q2_sigmoid_hidden"], points["q2_gradcheck_hidden"],
            points["q2_neural_hidden"]) == (4.0, 4.0, 8.0)
    assert BY_NAME["sigmoid_stability"].advice


def test_step_and_threshold_come_from_the_reference_checker():
    assert (q2.STEP, q2.THRESHOLD) == (solutions.gradcheck.STEP, solutions.gradcheck.THRESHOLD)


def test_every_hint_can_be_detected():
    for check in q2.CHECKS:
        for hint in check.hints:
            assert hint.mutant or hint.when, f"{check.name}: a hint that is never shown"


# ---------------------------------------------------------------- inputs


@pytest.mark.parametrize("seed", SEEDS)
def test_networks_have_labels_at_and_away_from_the_top_score(seed):
    for name in ("forward_backward_cost", "forward_backward_gradient",
                 "forward_backward_gradcheck"):
        for call in calls_of(name, seed)[:3]:
            X, labels, params, dims = call.args
            top = np.argmax(q2._scores(X, params, tuple(dims)), axis=1)
            at_top = np.argmax(labels, axis=1) == top
            assert at_top.any() and not at_top.all(), (name, seed)


@pytest.mark.parametrize("seed", SEEDS)
def test_wrong_entries_sit_first_last_odd_even_and_inside(seed):
    flats, shapes = [], []
    for call in calls_of("gradcheck_rejects_wrong", seed):
        error = call.args[0].args[2]
        (flat,) = np.flatnonzero(error)
        flats.append(int(flat))
        shapes.append(error.shape)
    assert [len(s) for s in shapes] == [1, 1, 2, 2, 3]
    assert flats[0] == 0 and flats[1] == shapes[1][0] - 1 and flats[1] % 2 == 1
    assert flats[2] % 2 == 1 and all(np.unravel_index(flats[2], shapes[2]))
    assert flats[3] == int(np.prod(shapes[3])) - 1
    assert flats[4] % 2 == 0 and all(np.unravel_index(flats[4], shapes[4]))


@pytest.mark.parametrize("seed", SEEDS)
def test_the_reference_checker_gives_the_expected_verdicts(seed):
    """The hidden inputs are what they claim: correct gradients pass and wrong ones fail,
    with margin (the small error is at least 5 times the threshold, its mean over the
    entries under it)."""
    for name, expected in (("gradcheck_accepts_correct", True),
                           ("gradcheck_rejects_wrong", False),
                           ("gradcheck_restores_random_state", True)):
        for call in calls_of(name, seed):
            assert execute(call, REFERENCE).value is expected, (name, seed)
    wrong = calls_of("gradcheck_rejects_wrong", seed)
    for case in (wrong[0], wrong[-1]):
        weights, _, error = case.args[0].args
        assert np.max(np.abs(error)) / max(1.0, 1.5 * np.max(weights)) >= 5 * q2.THRESHOLD
        assert np.max(np.abs(error)) < 1e-3  # a threshold of 1e-3 misses both
    first, last = (np.max(np.abs(c.args[0].args[2])) for c in (wrong[0], wrong[-1]))
    assert first / 3 / wrong[0].args[1].size > q2.THRESHOLD  # a mean catches the first
    assert last / wrong[-1].args[1].size < q2.THRESHOLD  # and misses the last


# ---------------------------------------------------------------- comparisons


def test_none_is_never_read_as_a_verdict():
    compare = q2._verdicts(("case",))
    assert "not True or False" in compare([Outcome(None)], [Outcome(False)]).reason
    assert compare([Outcome(False)], [Outcome(False)]).reason is None
    accepted = compare([Outcome(0)], [Outcome(False)])
    assert accepted.reason is None and accepted.notes


def _fbp_outcomes(cost, grad, size: int = 26, costs=None) -> list[Outcome]:
    costs = np.zeros(2 * size) if costs is None else costs
    return [Outcome([cost, grad])] + [Outcome([float(c), np.zeros(size)]) for c in costs]


def test_consistency_is_nan_safe_and_needs_a_cost_that_moves():
    rng = np.random.default_rng(0)
    moving = rng.normal(size=52) + 5.0
    reference = _fbp_outcomes(5.0, np.zeros(26), costs=moving)
    assert q2._consistent(_fbp_outcomes(0.0, np.zeros(26)), reference).reason  # (0, zeros)
    nan = _fbp_outcomes(np.nan, np.full(26, np.nan), costs=np.full(52, np.nan))
    assert q2._consistent(nan, reference).reason
    infinite = _fbp_outcomes(5.0, np.zeros(26), costs=np.full(52, np.inf))
    assert "inf or nan" in q2._consistent(infinite, reference).reason  # no RuntimeWarning
    grad = (moving[0::2] - moving[1::2]) / (2 * q2.STEP)
    assert q2._consistent(_fbp_outcomes(5.0, grad, costs=moving), reference).reason is None
    grad[3] = np.nan
    assert "gradW1" in q2._consistent(_fbp_outcomes(5.0, grad, costs=moving), reference).reason


def test_a_row_gradient_and_a_size_one_cost_are_accepted_with_notes():
    grad = np.arange(26.0)
    reference = [Outcome([2.0, grad])]
    student = [Outcome([np.array([[2.0]]), grad.reshape(1, -1)])]
    for compare in (q2._costs, q2._gradients, q2._single_example):
        verdict = compare(student, reference)
        assert verdict.reason is None and verdict.notes, compare


def test_a_gradient_message_names_the_block():
    grad = np.arange(26.0)
    wrong = grad.copy()
    wrong[13] += 1  # (3, 4, 2): W1 is grad[0:12], b1 grad[12:16]
    reason = q2._gradients([Outcome([2.0, wrong])], [Outcome([2.0, grad])]).reason
    assert "gradb1 (grad[12:16]; first at entry 1 of b1" in reason


def test_a_result_that_is_not_a_pair_fails_with_a_reason():
    reason = q2._costs([Outcome(3.0)], [Outcome([3.0, np.zeros(26)])]).reason
    assert "expected 2 (cost, grad)" in reason


# ---------------------------------------------------------------- verdicts on mutants


@pytest.mark.parametrize("mutant", ["fbp_zeros", "fbp_constant", "fbp_nan",
                                    "fbp_cost_of_data_only"])
def test_reference_free_networks_fail_every_check(mutant, judge):
    for seed in range(3):
        passed = [c.name for c in NEURAL
                  if run_check(c, namespace(mutant), seed=seed, judge=judge).passed]
        assert passed == [], (mutant, seed)


def test_a_consistent_sigmoid_grad_of_x_costs_sigmoid_grad_only(judge):
    ns = namespace("sigmoid_grad_of_x_consistent")
    for seed in range(3):
        assert not run_check(BY_NAME["sigmoid_grad_values"], ns, seed, judge).passed
        results = {c.name: run_check(c, ns, seed, judge) for c in NEURAL}
        assert all(r.passed for r in results.values()), seed
        assert any("your own" in n for n in results["forward_backward_gradient"].notes)


def test_the_plain_sigmoid_gets_every_point_and_advice(judge):
    ns = namespace("sigmoid_plain")
    results = [run_check(c, ns, 1, judge) for c in q2.CHECKS if c.cell == q2.SIGMOID_CELL]
    assert sum(r.score for r in results) == 4.0
    advice = next(r for r in results if r.check.name == "sigmoid_stability")
    assert not advice.passed and "worth no points" in advice.hint


@pytest.mark.parametrize("check", [c for c in q2.CHECKS if any(h.mutant for h in c.hints)],
                         ids=lambda c: c.name)
def test_each_hint_is_shown_for_its_own_mutant(check, judge):
    for hint in (h for h in check.hints if h.mutant):
        for seed in range(3):
            result = run_check(check, namespace(hint.mutant), seed, judge)
            assert result.hint == hint.text, (hint.mutant, seed, result.hint)


@pytest.mark.parametrize(("check", "mutant", "words"), [
    ("sigmoid_values", "sigmoid_precedence", "mind the brackets"),
    ("sigmoid_values", "sigmoid_exp_over_one_plus_exp", "nan where |x| is large"),
    ("gradcheck_accepts_correct", "gradcheck_returns_none", "returns nothing"),
    ("gradcheck_rejects_wrong", "gradcheck_returns_none", "returns nothing"),
    ("gradcheck_restores_random_state", "gradcheck_restores_numpy_only", "before EVERY call"),
    ("gradcheck_restores_random_state", "gradcheck_saves_state_late", "before the first call"),
    ("forward_backward_gradcheck", "fbp_no_sigmoid_grad", "backward pass"),
])
def test_predicate_hints_are_shown_for_their_mistakes(check, mutant, words, judge):
    result = run_check(BY_NAME[check], namespace(mutant), 2, judge)
    assert result.hint is not None and words in result.hint


def test_no_hint_is_shown_for_an_unrelated_mistake(judge):
    result = run_check(BY_NAME["forward_backward_cost"], namespace("fbp_zeros"), 0, judge)
    assert not result.passed and result.hint is None
