"""Problem 2: a naive gradient checker with centred differences."""

import random
from dataclasses import dataclass

import numpy as np

STEP = 1e-4
THRESHOLD = 1e-5


@dataclass(frozen=True)
class GradcheckResult:
    """Outcome of gradcheck_naive; true when the check passed.

    index is the first index (in np.nditer order) whose analytic and numerical gradients
    disagree, or None when all agree.
    """

    passed: bool
    index: tuple[int, ...] | None = None
    analytic: float | None = None
    numerical: float | None = None

    def __bool__(self) -> bool:
        return self.passed


def gradcheck_naive(f, x: np.ndarray, verbose: bool = True) -> GradcheckResult:
    """Check the gradient of f at x against centred differences.

    Before every call of f the states of both `random` and `np.random` are restored, so an f
    that samples (word2vec's negative sampling) sees the same draws each time.

    Args:
        f: function of an array x returning (cost: float, grad: array shaped like x).
        x: the point to check at; perturbed in place and restored.
        verbose: print the assignment's messages.
    Returns:
        GradcheckResult, true when every entry has relative error
        |num - grad| / max(1, |num|, |grad|) <= 1e-5.
    """
    py_state = random.getstate()
    np_state = np.random.get_state()

    def call(point: np.ndarray) -> tuple[float, np.ndarray]:
        random.setstate(py_state)
        np.random.set_state(np_state)
        return f(point)

    _, grad = call(x)
    grad = np.asarray(grad)
    it = np.nditer(x, flags=["multi_index"], op_flags=[["readwrite"]])
    while not it.finished:
        ix = it.multi_index
        original = x[ix]
        x[ix] = original + STEP
        fxph = call(x)[0]
        x[ix] = original - STEP
        fxmh = call(x)[0]
        x[ix] = original
        numgrad = (fxph - fxmh) / (2 * STEP)

        reldiff = abs(numgrad - grad[ix]) / max(1.0, abs(numgrad), abs(grad[ix]))
        if reldiff > THRESHOLD:
            if verbose:
                print("Gradient check failed.")
                print(f"First gradient error found at index {ix}")
                print(f"Your gradient: {grad[ix]:f} \t Numerical gradient: {numgrad:f}")
            return GradcheckResult(False, ix, float(grad[ix]), float(numgrad))
        it.iternext()

    # leave both generators as they were before the check, as if f had not been called
    random.setstate(py_state)
    np.random.set_state(np_state)
    if verbose:
        print("Gradient check passed!")
    return GradcheckResult(True)
