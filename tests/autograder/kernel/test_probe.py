"""kernel/probe.py: how a call's result becomes data, and how stand-ins isolate a function."""

import random

import numpy as np
import pytest

from autograder.kernel.probe import KNOWN_GOOD, OBJECTS, Call, Outcome, Ref, execute, normalise


def _verdict(result):
    ns = {"gradcheck_naive": lambda f, x: result}
    objective = Ref("object", "objective", (np.ones(2), 0.0, None))
    return execute(Call("gradcheck_naive", (objective, np.ones(2)), cast="bool"), ns)


class _Verdict:
    def __bool__(self):
        return False


@pytest.mark.parametrize("result, value", [
    (None, None), (True, True), ((False, 3), [False, 3]), (_Verdict(), False), ("no", "no"),
])
def test_a_verdict_is_cast_only_from_objects(result, value):
    assert _verdict(result) == Outcome(value=value)


def test_echo_returns_the_argument_after_the_call():
    def spoils(x):
        x[0] = 99.0
        return True

    outcome = execute(Call("spoils", (np.zeros(2),), echo=(0,)), {"spoils": spoils})
    assert outcome.value[0] is True and outcome.value[1].tolist() == [99.0, 0.0]


def softmax(x):
    """A student's broken softmax, in this module's (the 'notebook's') globals."""
    return "wrong"


def uses_softmax(x):
    return softmax(x)


def test_stand_ins_replace_helpers_only_during_the_call():
    ns = {"uses_softmax": uses_softmax}
    outcome = execute(Call("uses_softmax", (np.zeros(3),), isolate=("softmax",)), ns)
    assert np.allclose(outcome.value, 1 / 3)
    assert globals()["softmax"] is softmax  # restored after the call
    assert execute(Call("uses_softmax", (np.zeros(3),)), ns).value == "wrong"


@pytest.mark.filterwarnings("ignore::PendingDeprecationWarning")
def test_stand_ins_keep_np_matrix_semantics():
    m = np.matrix([[0.0, 0.0], [1.0, 1.0]])
    assert isinstance(KNOWN_GOOD["softmax"](m), np.matrix)
    assert isinstance(KNOWN_GOOD["sigmoid"](m), np.matrix)
    s = np.matrix([[0.5, 0.25]])
    assert np.allclose(KNOWN_GOOD["sigmoid_grad"](s), [[0.25, 0.1875]])  # elementwise, not s @ s


def test_strict_calls_fail_on_overflow_but_not_on_numpy_deprecations():
    ns = {"f": lambda x: np.exp(x)}
    assert execute(Call("f", (np.array([1000.0]),), strict_warnings=True), ns).error.startswith(
        "FloatingPointError")
    assert execute(Call("f", (np.array([1000.0]),)), ns).ok


def test_results_are_plain_data_only():
    assert normalise((1, np.float64(2.0), [np.bool_(True)])) == [1, 2.0, [True]]
    with pytest.raises(TypeError):
        normalise(object())
    with pytest.raises(TypeError):
        normalise(np.array([object()]))
    assert "not defined" in execute(Call("missing"), {}).error


def test_test_objects_all_look_alike():
    """Nothing in a test function's name or code tells a correct gradient from a wrong one."""
    right = OBJECTS["objective"](np.ones(3), 0.0, None)
    wrong = OBJECTS["objective"](np.ones(3), 0.0, np.array([0.0, 0.1, 0.0]))
    assert right.__name__ == wrong.__name__ == "f"
    assert right.__qualname__ == wrong.__qualname__
    assert right.__code__.co_code == wrong.__code__.co_code


def test_the_sampled_objective_draws_from_python_random_only():
    f = OBJECTS["sampled"](np.ones(2))
    random.seed(1)
    a = f(np.ones(2))[0]
    np.random.seed(5)
    random.seed(1)
    assert f(np.ones(2))[0] == a
