"""Problem 3's hidden inputs discriminate on every seed, and its comparisons and hints say
what went wrong (fast: a few seeds, no audit)."""

import numpy as np
import pytest

from autograder.checks import CATALOGUE, run_check
from autograder.checks import q3_word2vec as q3
from autograder.checks.model import Judge, Plan
from autograder.kernel.probe import OBJECTS, Outcome, ReplayDataset, execute, resolve
from autograder.mutants import by_name, namespace

SEEDS = range(40)
BY_NAME = {c.name: c for c in q3.CHECKS}


def calls_of(name, seed):
    check = BY_NAME[name]
    return check.calls(check.rng(seed))


def accepted_samples(call, rounds=2, K=q3.K):
    """The samples getNegativeSamples draws from this call's replay dataset, call by call."""
    predicted, target, U, ref = call.args
    dataset = ReplayDataset(*ref.args)
    rounds_out = []
    for _ in range(rounds):
        got = []
        while len(got) < K:
            idx = dataset.sampleTokenIdx()
            if idx != target:
                got.append(idx)
        rounds_out.append(got)
    return rounds_out


@pytest.mark.parametrize("seed", SEEDS)
def test_normalize_inputs_have_negative_first_columns_and_distinct_row_norms(seed):
    shapes = set()
    for call in calls_of("normalize_rows", seed):
        x, = call.args
        N, D = x.shape
        shapes.add("single" if N == 1 else "square" if N == D else "tall" if N > D else "wide")
        assert np.all(x[:, 0] < 0)
        norms = np.sort(np.linalg.norm(x, axis=1))
        assert np.all(np.abs(np.log(norms)) >= np.log(1.6) - 1e-9)  # the squared norm differs
        assert np.all(norms[1:] / norms[:-1] >= 1.5 - 1e-9)  # global / no-keepdims differ
    assert shapes == {"single", "square", "tall", "wide"}


@pytest.mark.parametrize("seed", SEEDS)
def test_cost_inputs_are_never_square(seed):
    for name in ("softmax_cost_value", "neg_sampling_cost", "neg_sampling_repeated_samples"):
        for call in calls_of(name, seed):
            V, D = call.args[2].shape
            assert V != D  # a transposed grad has the wrong shape
            assert call.isolate  # the student's softmax / sigmoid are replaced as well


@pytest.mark.parametrize("seed", SEEDS)
def test_negative_sampling_draws_the_target_and_a_second_draw_differs(seed):
    for call in calls_of("neg_sampling_cost", seed):
        target = call.args[1]
        draws = call.args[3].args[0]
        assert target in draws[: q3.K]  # drawn before K samples: must be redrawn
        first, second = accepted_samples(call)
        assert len(set(first)) == q3.K  # distinct: repeats are tested on their own
        assert set(second) - set(first)  # drawing twice gives other samples
    call, = calls_of("neg_sampling_repeated_samples", seed)
    first, second = accepted_samples(call)
    assert len(set(first)) < len(first) and call.args[1] in call.args[3].args[0]
    assert sorted(first) != sorted(second)  # drawing twice gives other samples here too


@pytest.mark.parametrize("seed", SEEDS)
def test_model_windows(seed):
    for model in ("skipgram", "cbow"):
        lengths = []
        for call in calls_of(f"{model}_gradients", seed):
            centre, C, context = call.args[:3]
            assert centre not in context and len(set(context)) == len(context) >= 2
            assert len(context) <= 2 * C
            lengths.append(len(context) < 2 * C)
        assert any(lengths)  # one window is shorter than 2C
        call, = calls_of(f"{model}_repeated_context", seed)
        centre, C, context = call.args[:3]
        assert centre in context and len(set(context)) < len(context) <= 2 * C


@pytest.mark.parametrize("seed", SEEDS)
def test_sgd_minimum_is_away_from_zero_and_from_x0(seed):
    for name in ("sgd_converges", "sgd_postprocessing"):
        call, = calls_of(name, seed)
        centre = call.args[0].args[0]
        x0 = call.args[1]
        assert np.all(np.abs(centre) >= 0.5) and np.all(np.abs(x0 - centre) >= 0.5)
        assert call.kwargs["PRINT_EVERY"] > call.args[3]  # printing never matters


def test_window_cost_is_dense_and_depends_on_the_output_vectors():
    f = OBJECTS["window_cost"]()
    assert f.__name__ == "f"
    rng = np.random.default_rng(0)
    predicted, U = rng.normal(size=3), rng.normal(size=(5, 3))
    cost, gradPred, grad = f(predicted, 2, U, None)
    assert grad.shape == U.shape and np.all(np.abs(grad).sum(axis=1) > 0)
    other = f(predicted, 2, U + 1.0, None)
    assert other[0] != cost and not np.allclose(other[1], gradPred)
    assert f(predicted.reshape(1, 3), 2, U, None)[1].shape == (1, 3)


def test_normalize_names_a_wrong_shape():
    x = np.ones((2, 3))
    student = [Outcome(value=np.ones(2))]
    answer = q3._rows_differ(student, [Outcome(value=x)])
    assert "shape (2,)" in answer.reason and "shaped like its input" in answer.reason


def test_transposed_grad_predicate():
    reference = [Outcome(value=[1.0, np.zeros(2), np.zeros((4, 2))])]
    assert q3._transposed(2)([Outcome(value=[1.0, np.zeros(2), np.zeros((2, 4))])], reference)
    assert not q3._transposed(2)([Outcome(value=[1.0, np.zeros(2), np.zeros((4, 2))])],
                                 reference)


def test_nan_cost_hint_needs_right_gradients():
    reference = [Outcome(value=[1.0, np.ones(2), np.ones((4, 2))])]
    right = [Outcome(value=[float("nan"), np.ones(2), np.ones((4, 2))])]
    wrong = [Outcome(value=[float("nan"), np.zeros(2), np.ones((4, 2))])]
    assert q3._nan_cost_right_gradients(right, reference)
    assert not q3._nan_cost_right_gradients(wrong, reference)


@pytest.mark.parametrize("mutant, check, note", [
    ("softmax_cost_row_gradPred", "softmax_cost_gradPred", "(1, D)"),
    ("softmax_cost_column_gradPred", "softmax_cost_value", "a number was expected"),
    ("softmax_cost_matrix", "softmax_cost_grad", None),
    ("neg_row_shapes", "neg_sampling_gradients", "(1, D)"),
])
def test_equivalent_forms_pass_with_a_note(mutant, check, note):
    result = run_check(BY_NAME[check], namespace(mutant), seed=3)
    assert result.passed, result.reason
    if note:
        assert note in (result.note or "")


def test_a_wrong_softmax_costs_in_softmax_only():
    ns = namespace("softmax_cost_own_wrong_softmax")
    result = run_check(BY_NAME["softmax_cost_value"], ns, seed=3)
    assert result.passed and "known-good softmax" in result.note
    softmax_checks = [c for c in CATALOGUE if c.function == "softmax"]
    assert not all(run_check(c, ns, seed=3).passed for c in softmax_checks)


def test_every_hint_is_tied_to_a_detection():
    for check in q3.CHECKS:
        for hint in check.hints:
            assert (hint.mutant is None) != (hint.when is None), hint.text
            if hint.mutant:
                assert check.function in by_name(hint.mutant).blame


@pytest.mark.parametrize("check", q3.CHECKS, ids=lambda c: c.name)
def test_each_mutant_hint_shows_for_its_mutant(check):
    judge = Judge()
    plan = Plan.build(check, 1)
    for hint in (h for h in check.hints if h.mutant):
        ns = namespace(hint.mutant)
        result = judge(plan, [execute(c, ns) for c in plan.calls])
        assert not result.passed and result.hint == hint.text, hint.mutant


@pytest.mark.parametrize("mutant, check", [
    ("normalize_no_keepdims", "normalize_rows"),
    ("skipgram_range_2C", "skipgram_gradients"),
    ("softmax_cost_delta_in_place", "softmax_cost_value"),
])
def test_predicate_hints_show_for_their_mistake(mutant, check):
    result = run_check(BY_NAME[check], namespace(mutant), seed=2)
    assert not result.passed and result.hint


def test_the_reference_needs_no_hint_and_loses_nothing():
    from solutions import REFERENCE

    for check in q3.CHECKS:
        plan = Plan.build(check, 7, examples=False)
        assert Judge()(plan, [execute(c, dict(REFERENCE)) for c in plan.calls]).passed
    assert resolve(q3.WINDOW_COST, {}).__name__ == "f"
