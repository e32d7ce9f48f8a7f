"""Hidden checks for problem 1: softmax (5 points, cell q1_softmax_hidden).

The handout's skeleton asserts that softmax keeps its input's shape, and part (b) asks for
the max shift: both are stated in the notebook and exercised by its sanity cell.
"""

import numpy as np

from autograder.checks.model import Check, Compared, Hint, close, compare_arrays
from autograder.kernel.probe import Call

CELL = "q1_softmax_hidden"
PART = "1(b) softmax"


def _vectors(rng):
    return [Call("softmax", (rng.normal(size=int(rng.integers(2, 12))) * 3,)) for _ in range(4)]


def _matrices(rng):
    """Non-square matrices (so a sum over the wrong axis cannot broadcast back by luck)
    whose rows sit at different offsets (so a shift by the matrix's max shows)."""
    calls = []
    for _ in range(3):
        N = int(rng.integers(2, 7))
        D = N + int(rng.integers(1, 4))
        offsets = rng.uniform(-4, 4, size=(N, 1))
        calls.append(Call("softmax", (rng.normal(size=(N, D)) * 2 + offsets,)))
    return calls


def _single_row(rng):
    return [Call("softmax", (rng.normal(size=(1, int(rng.integers(2, 8)))),))]


def _large_inputs(rng):
    """Vectors and a single row near +-1000 (compared by value), then a matrix whose rows sit
    2000 apart (only required to be finite, without warnings: a softmax over the wrong axis
    has lost its points in the matrix check already)."""
    big = 1000.0 + rng.normal(size=5) * 5  # exp overflows above ~709
    D = int(rng.integers(3, 7))
    far_apart = np.stack([1000.0 + rng.normal(size=D), -1000.0 + rng.normal(size=D)])
    return [
        Call("softmax", (big,), strict_warnings=True),
        Call("softmax", (-big,), strict_warnings=True),
        Call("softmax", (np.concatenate([big, -big])[None, :],), strict_warnings=True),
        Call("softmax", (far_apart,), strict_warnings=True),
    ]


def _stable(student, reference):
    values = close()(student[:3], reference[:3])
    if values.reason:
        return values
    reason, _ = compare_arrays(student[3].value, reference[3].value, "your result")
    if reason and "inf or nan" in reason:
        return Compared("rows far apart (around +1000 and -1000) gave inf or nan",
                        values.notes)
    return values


SHIFT = "subtract each row's own maximum before exponentiating: softmax(x) = softmax(x - c)."

CHECKS = (
    Check(
        name="softmax_vector",
        cell=CELL,
        part=PART,
        points=1.0,
        description="softmax of vectors of random sizes",
        calls=_vectors,
        compare=close(),
    ),
    Check(
        name="softmax_matrix_rows",
        cell=CELL,
        part=PART,
        points=1.5,
        description="softmax of N x D matrices normalises each row separately",
        calls=_matrices,
        compare=close(),
        hints=(
            Hint("the max and the sum are taken over the columns (axis 0); for a matrix take "
                 "them over each row: axis=-1 (or 1) with keepdims=True.",
                 mutant="softmax_columns"),
            Hint("the sum is taken over the whole matrix; divide each row by its own sum "
                 "(axis=-1, keepdims=True).", mutant="softmax_global_sum"),
        ),
    ),
    Check(
        name="softmax_single_row_matrix",
        cell=CELL,
        part=PART,
        points=0.5,
        description="a 1 x D matrix keeps its shape (the skeleton's shape assert)",
        calls=_single_row,
        compare=close(),
    ),
    Check(
        name="softmax_stability",
        cell=CELL,
        part=PART,
        points=2.0,
        description="no overflow for inputs around +-1000 (warnings are errors)",
        calls=_large_inputs,
        compare=_stable,
        hints=(
            Hint("exp overflows: " + SHIFT, mutant="softmax_no_shift"),
            Hint("the shift uses the largest entry of the whole matrix, so rows far below it "
                 "underflow to 0 / 0: " + SHIFT, mutant="softmax_global_max"),
        ),
    ),
)
