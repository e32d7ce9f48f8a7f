"""Hidden checks for problem 1: softmax (5 points, cell q1_softmax_hidden)."""

import numpy as np

from autograder.checks.model import Check, close
from autograder.kernel.probe import Call

CELL = "q1_softmax_hidden"


def _vectors(rng):
    return [Call("softmax", (rng.normal(size=int(rng.integers(2, 12))) * 3,)) for _ in range(4)]


def _matrices(rng):
    calls = []
    for _ in range(3):
        N, D = (int(v) for v in rng.integers(2, 9, size=2))
        calls.append(Call("softmax", (rng.normal(size=(N, D)) * 3,)))
    return calls


def _single_row(rng):
    return [Call("softmax", (rng.normal(size=(1, int(rng.integers(2, 8)))),))]


def _large_inputs(rng):
    """Vectors and single rows only, so a softmax over the wrong axis loses points once."""
    big = 1000.0 + rng.normal(size=5) * 5  # exp overflows above ~709
    return [
        Call("softmax", (big,), strict_warnings=True),
        Call("softmax", (-big,), strict_warnings=True),
        Call("softmax", (np.concatenate([big, -big])[None, :],), strict_warnings=True),
    ]


CHECKS = (
    Check(
        "softmax_vector",
        "q1",
        CELL,
        1.0,
        "softmax of vectors of random sizes",
        "Check that softmax of a 1-D vector returns a 1-D probability vector.",
        _vectors,
        close(),
    ),
    Check(
        "softmax_matrix_rows",
        "q1",
        CELL,
        1.5,
        "softmax of N x D matrices normalises each row separately",
        "For a matrix, take the max and the sum over each row (axis=-1 with keepdims), "
        "not over the whole matrix or the columns.",
        _matrices,
        close(),
    ),
    Check(
        "softmax_single_row_matrix",
        "q1",
        CELL,
        0.5,
        "a 1 x D matrix keeps its shape",
        "A (1, D) input must give a (1, D) output.",
        _single_row,
        close(),
    ),
    Check(
        "softmax_stability",
        "q1",
        CELL,
        2.0,
        "no overflow for inputs around +-1000 (warnings are errors)",
        "Subtract each row's maximum before exponentiating: softmax(x) = softmax(x - c).",
        _large_inputs,
        close(),
    ),
)
