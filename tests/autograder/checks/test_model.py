"""The grading policy of autograder/checks/model.py, on small hand-made outcomes and checks."""

import numpy as np
import pytest

from autograder.checks.model import (
    OWN,
    STAND_INS,
    Check,
    Compared,
    Hint,
    Judge,
    Plan,
    close,
    compare_arrays,
    describe_ref,
    render_call,
    same_outcome,
    verdict_of,
)
from autograder.kernel.probe import Call, Outcome, Ref, execute

# ---------------------------------------------------------------- equivalent forms


@pytest.mark.parametrize("student, reference", [
    (np.array([2.5]), 2.5),  # size-1 array for a scalar
    (np.array([[2.5]]), 2.5),
    (np.ones((1, 3)), np.ones(3)),  # (1, D) for (D,)
    (np.ones((3, 1)), np.ones(3)),  # (D, 1) for (D,)
])
def test_equivalent_forms_pass_with_a_note(student, reference):
    reason, note = compare_arrays(student, reference)
    assert reason is None
    assert note and "accepted" in note


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_a_matrix_row_for_a_vector_passes_with_a_note():
    reason, note = compare_arrays(np.matrix([[1.0, 2.0]]), np.array([1.0, 2.0]))
    assert reason is None and "(1, D)" in note


def test_plain_lists_0d_arrays_and_same_shapes_pass_without_a_note():
    assert compare_arrays(np.array(2.5), 2.5) == (None, None)
    assert compare_arrays([[1.0, 2.0]], np.array([[1.0, 2.0]])) == (None, None)
    assert compare_arrays(np.ones((2, 3)), np.ones((2, 3))) == (None, None)


@pytest.mark.parametrize("student, reference, words", [
    (np.ones((3, 2)), np.ones((2, 3)), "shape (3, 2), expected (2, 3)"),  # transposed
    (np.ones(3), np.ones((1, 3)), "shape (3,), expected (1, 3)"),  # a shape the spec keeps
    (np.ones(4), np.ones(3), "shape"),
    (None, np.ones(3), "is None"),
    ("abc", np.ones(3), "not numeric"),
    (np.array([1.0, np.nan]), np.ones(2), "inf or nan"),
])
def test_wrong_forms_fail_in_words(student, reference, words):
    reason, _ = compare_arrays(student, reference)
    assert reason is not None and words in reason


def test_a_difference_is_located_by_row_and_column():
    want = np.zeros((3, 4))
    got = want.copy()
    got[2, 1] = 1.0
    reason, _ = compare_arrays(got, want, "your grad")
    assert reason == ("your grad differs from the expected values (first in row 2, column 1, "
                      "counting from 0)")


def test_close_with_parts_accepts_a_list_for_a_tuple_and_names_the_part():
    compare = close(part_names=["cost", "gradPred", "grad"])
    ref = [Outcome(value=(1.0, np.ones(2), np.ones((3, 2))))]
    ok = compare([Outcome(value=[np.array([1.0]), np.ones((1, 2)), np.ones((3, 2))])], ref)
    assert ok.reason is None and len(ok.notes) == 2
    bad = compare([Outcome(value=(1.0, np.ones(2), np.zeros((3, 2))))], ref)
    assert bad.reason.startswith("your grad differs")
    short = compare([Outcome(value=(1.0, np.ones(2)))], ref)
    assert "returned 2 value(s), expected 3" in short.reason


@pytest.mark.parametrize("value, verdict", [
    (True, True), (False, False), (None, None), ("True", None), ([True], None),
    (np.array([True]), True), (1, True), (0, False), (2, None), (np.array([1.0, 0.0]), None),
])
def test_verdict_of_never_reads_none_as_a_boolean(value, verdict):
    assert verdict_of(value)[0] is verdict


def test_same_outcome_compares_structures():
    assert same_outcome(Outcome(value=(1.0, [np.ones(2)])), Outcome(value=(1.0, [np.ones(2)])))
    assert not same_outcome(Outcome(value={"reg": 1.0}), Outcome(value={"reg": 2.0}))
    assert not same_outcome(Outcome(error="ValueError: x"), Outcome(value=1.0))


# ---------------------------------------------------------------- judging


def _check(calls, compare=None, hints=(), points=2.0):
    return Check(name="toy", cell="q9_toy_hidden", part="9(a) toy", points=points,
                 description="toy check", calls=calls, compare=compare or close(), hints=hints)


def _doubling(rng):
    return [Call("double", (rng.normal(size=3),))]


def _reference():
    return {"double": lambda x: 2 * x, "helper": lambda x: x}


def _run(check, namespace, seed=7):
    plan = Plan.build(check, seed)
    return Judge(_reference())(plan, [execute(c, namespace) for c in plan.calls])


def test_a_wrong_function_fails_with_a_public_example_and_no_undetected_hint():
    check = _check(_doubling, hints=(Hint("you tripled", when=lambda s, r: False),))
    result = _run(check, {"double": lambda x: 3 * x})
    assert result.score == 0 and not result.passed
    assert result.hint is None  # its mistake was not detected
    assert result.example.startswith("Public example: double(np.array([")
    assert "expected:" in result.example and "yours:" in result.example
    assert result.message.startswith("9(a) toy: your result differs")
    assert "[FAIL] toy (0/2)" in result.feedback()


def test_a_detected_hint_is_shown():
    hint = Hint("you tripled", when=lambda s, r: np.allclose(s[0].value, 1.5 * r[0].value))
    result = _run(_check(_doubling, hints=(hint,)), {"double": lambda x: 3 * x})
    assert result.hint == "you tripled" and "Likely cause: you tripled" in result.message


def test_a_raising_function_fails_and_says_what_it_raised():
    def boom(x):
        raise ValueError("bad shapes")

    result = _run(_check(_doubling), {"double": boom})
    assert result.reason == "your double raised ValueError: bad shapes"


def _uses_helper(rng):
    return [Call("double", (rng.normal(size=3),), isolate=("softmax",))]


def test_the_better_of_own_helpers_and_stand_ins_holds_and_is_named():
    """A function that is right only with the student's own (consistently wrong) helper keeps
    its points, with a note saying which helpers held."""
    check = _check(_uses_helper)
    plan = Plan.build(check, 3)
    assert [v for v, _ in plan.variants] == [STAND_INS, OWN]

    def double(x):
        return 2 * x if softmax is own_softmax else 5 * x  # noqa: F821 - from the namespace

    def own_softmax(x):
        return x

    namespace = {"double": double, "softmax": own_softmax, "own_softmax": own_softmax}
    double.__globals__.update(namespace)  # the function's module scope acts as its notebook
    try:
        result = Judge(_reference())(plan, [execute(c, namespace) for c in plan.calls])
    finally:
        for name in namespace:
            double.__globals__.pop(name, None)
    assert result.passed and result.score == 2.0
    assert "judged with your own softmax" in result.note


def test_advice_is_shown_but_never_scored():
    result = _run(_check(_doubling, points=0.0), {"double": lambda x: 3 * x})
    assert result.score == 0 and "[ADVICE]" in result.feedback()


def test_a_broken_reference_is_the_graders_error_not_a_zero():
    plan = Plan.build(_check(_doubling), 1)
    judge = Judge({"double": lambda x: 1 / 0})
    with pytest.raises(RuntimeError, match="reference failed"):
        judge(plan, [Outcome(value=np.ones(3)) for _ in plan.calls])


def test_plan_split_refuses_the_wrong_number_of_outcomes():
    plan = Plan.build(_check(_doubling), 1)
    with pytest.raises(ValueError):
        plan.split([Outcome(value=1.0)])


def test_a_comparison_may_return_compared_a_reason_or_none():
    for answer, passed in ((None, True), ("no", False), (Compared("no"), False),
                           (Compared(None, ("note",)), True)):
        result = _run(_check(_doubling, compare=lambda s, r, a=answer: a), {"double": abs})
        assert result.passed is passed


# ---------------------------------------------------------------- rendering


def test_examples_render_objects_in_words():
    text = describe_ref(Ref("object", "objective", (np.ones(2), 0.0, None)))
    assert text.startswith("<f with cost") and "exact gradient" in text
    call = Call("sgd", (Ref("object", "shifted", (np.zeros(2),)), np.ones(2), 0.1, 5),
                {"PRINT_EVERY": 10})
    rendered = render_call(call)
    assert rendered.startswith("sgd(<f with cost sum((x - c)**2)") and "PRINT_EVERY=10" in rendered
