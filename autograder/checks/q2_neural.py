"""Hidden checks for problem 2: sigmoid, gradient checker, two-layer network (16 points).

Graded on the 2017 handout plus what the notebook's text asks (and its sanity cells warn
about): the plain `1 / (1 + np.exp(-x))` gets every point (stability is advice, worth none);
`sigmoid_grad` takes the sigmoid's value; `gradcheck_naive` returns True/False (asked beyond
the handout, whose skeleton returns nothing), restores Python's `random` before every call of
f (restoring `np.random` as well is allowed, never required) and gives x back unchanged; the
network's cost is summed over the examples.

Inputs are built so that each known mistake fails on every seed (`autograder audit`): wrong
gradients sit at odd and even flat indices, first and last, in 1-D to 3-D x; every network has
examples whose label is at the largest score and examples whose label is elsewhere.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograder.checks.model import Check, Compared, Hint, close, compare_arrays, verdict_of
from autograder.kernel.probe import Call, Outcome, Ref
from solutions.gradcheck import STEP, THRESHOLD  # one place for h and the threshold

SIGMOID_PART = "2(e) sigmoid and sigmoid_grad"
SIGMOID_CELL = "q2_sigmoid_hidden"
GRADCHECK_PART = "2(f) gradcheck_naive"
GRADCHECK_CELL = "q2_gradcheck_hidden"
NEURAL_PART = "2(g) forward_backward_prop"
NEURAL_CELL = "q2_neural_hidden"
DEPENDENCIES = ("softmax", "sigmoid", "sigmoid_grad")  # judged with stand-ins and with own

# ---------------------------------------------------------------- sigmoid


def _sigmoid_values(rng: np.random.Generator) -> list[Call]:
    """Moderate values in 1-D to 3-D, an integer matrix (the handout's own example is one),
    and saturated entries (|x| > 709, compared by value: overflow warnings are allowed)."""
    large = np.concatenate([rng.uniform(710, 1000, size=2), -rng.uniform(710, 1000, size=2),
                            rng.normal(size=2)])
    return [
        Call("sigmoid", (rng.normal(size=(3, 4)) * 4,)),
        Call("sigmoid", (rng.normal(size=5) * 3,)),
        Call("sigmoid", (rng.normal(size=(2, 2, 3)) * 3,)),
        Call("sigmoid", (rng.integers(-6, 7, size=(2, 3)),)),
        Call("sigmoid", (rng.permutation(large),)),
    ]


def _sigmoid_large(rng: np.random.Generator) -> list[Call]:
    x = np.concatenate([rng.uniform(710, 1000, size=3), -rng.uniform(710, 1000, size=3)])
    return [Call("sigmoid", (rng.permutation(x),), strict_warnings=True)]


def _sigmoid_grad_values(rng: np.random.Generator) -> list[Call]:
    # values of the sigmoid, as sigmoid_grad takes them
    return [Call("sigmoid_grad", (rng.uniform(0.01, 0.99, size=(4, 3)),)),
            Call("sigmoid_grad", (rng.uniform(0.01, 0.99, size=5),))]


def _gives_nan(student: Sequence[Outcome], reference: Sequence[Outcome]) -> bool:
    return any(o.ok and np.isnan(np.asarray(o.value, dtype=float)).any() for o in student)


def _above_one(student: Sequence[Outcome], reference: Sequence[Outcome]) -> bool:
    """Values over 1 where the inputs are moderate: 1 / 1 + exp(-x)."""
    return student[0].ok and bool(np.all(np.asarray(student[0].value, dtype=float) > 1))


def _overflowed(student: Sequence[Outcome], reference: Sequence[Outcome]) -> bool:
    return any(not o.ok and "overflow" in (o.error or "") for o in student)


# ---------------------------------------------------------------- gradcheck_naive


def _gradcheck(f: Ref, x: np.ndarray, seeds: tuple[int, int] | None = None,
               echo: tuple[int, ...] = ()) -> Call:
    return Call("gradcheck_naive", (f, x), cast="bool", seeds=seeds, echo=echo)


def _objective(weights: np.ndarray, curvature: float = 0.0,
               error: np.ndarray | None = None) -> Ref:
    """f(x) = sum(w x^2) / 2 + sum(exp(k x)) / k^2, its gradient plus `error`."""
    return Ref("object", "objective", (weights, float(curvature), error))


def _away_from_zero(rng: np.random.Generator, shape: tuple[int, ...], low: float,
                    high: float) -> np.ndarray:
    return rng.uniform(low, high, size=shape) * rng.choice([-1.0, 1.0], size=shape)


CORRECT_CASES = (
    "a correct gradient at a matrix x",
    "a correct gradient of a strongly curved function",
    "a correct gradient of size over 1000 at a 3-D x",
    "a correct gradient at a 0-d x",
    "a correct gradient of a curved function at a vector x",
)


def _gradcheck_correct(rng: np.random.Generator) -> list[Call]:
    """Correct gradients (see CORRECT_CASES), each exposing some ways of getting the check
    wrong, so that each of those mistakes answers differently (and its hint can be told).

    The exp term's centred-difference error relative to the gradient is h^2 k^2 / 6: for
    k = 30 it is 1.5e-6 (under the threshold, over a too strict one; h = 1e-2 or one-sided
    differences are far over), and its absolute error exceeds 1e-5 (an absolute comparison
    fails). For k = 3 at x in [3, 4] the gradient is over 2700: the relative error is 1.5e-8,
    the absolute one over 4e-5. The quadratic matrix case has |x| >= 10, where even one-sided
    differences pass (relative error h / 2|x|); the 0-d case has |x| <= 1, where they do not
    (error h w / 2 against a gradient under 2). At k = 3, x in [0, 0.3], h = 1e-2 misses by
    over 3.5e-5 while h = 1e-4 is within 1e-8, even in absolute terms.
    """
    matrix = _away_from_zero(rng, (int(rng.integers(2, 5)), int(rng.integers(2, 5))), 10, 20)
    steep = rng.uniform(0.25, 0.5, size=int(rng.integers(4, 7)))
    large = rng.uniform(3.0, 4.0, size=(2, 2, 3))
    scalar = np.array(_away_from_zero(rng, (), 0.2, 1.0))
    curved = rng.uniform(0.0, 0.3, size=int(rng.integers(3, 6)))

    def weights(x: np.ndarray) -> np.ndarray:
        return rng.uniform(0.5, 2.0, size=x.shape)

    return [
        _gradcheck(_objective(weights(matrix)), matrix),
        _gradcheck(_objective(weights(steep), 30.0), steep),
        _gradcheck(_objective(weights(large), 3.0), large),
        _gradcheck(_objective(weights(scalar)), scalar),
        _gradcheck(_objective(weights(curved), 3.0), curved),
    ]


WRONG_CASES = (
    "a vector x whose gradient is wrong in its first entry (relative error under 1e-3)",
    "a vector x whose gradient is wrong in its last entry",
    "a matrix x whose gradient is wrong in one entry (at an odd position in row-major order)",
    "a matrix x whose gradient is wrong in its last entry",
    "a 3-D x whose gradient is wrong in one entry by a small amount (relative error about "
    "1e-4)",
)


def _wrong_at(rng: np.random.Generator, shape: tuple[int, ...], flat: int, size: float
              ) -> tuple[Ref, np.ndarray]:
    x = _away_from_zero(rng, shape, 0.2, 1.5)
    error = np.zeros(shape)
    error.flat[flat] = size * rng.choice([-1.0, 1.0])
    return _objective(rng.uniform(0.5, 2.0, size=shape), 0.0, error), x


def _gradcheck_wrong(rng: np.random.Generator) -> list[Call]:
    """One wrong entry per call (see WRONG_CASES): at flat index 0 (even) and at the last one
    (odd), at an odd index inside a matrix (row and column >= 1), at the end of a matrix, and
    in a 3-D x at an entry with every coordinate >= 1 and an even flat index. The last error
    is small: its relative error, 5e-5 to 2.2e-4 (|grad| <= 3), is 5 times the threshold or
    more, but under a too loose one like 1e-3, and its mean over the 24 entries is under 1e-5
    (a checker that thresholds the mean error misses it). The first error is moderate:
    relative 1.7e-4 to 9e-4, under 1e-3 (a too loose threshold misses it), but its mean over
    at most 7 entries is over 1e-5 (the mean catches it), so the two mistakes answer
    differently."""
    n = 2 * int(rng.integers(2, 5))  # even length: the last index is odd
    rows, cols = int(rng.integers(3, 5)), int(rng.integers(3, 6))
    odd = [i for i in range(1, rows * cols - 1, 2) if i >= cols and i % cols]
    cube = (2, 3, 4)
    even = [i for i in range(0, 24, 2) if all(np.unravel_index(i, cube))]

    def big() -> float:
        return float(rng.uniform(0.05, 0.5))

    cases = [
        _wrong_at(rng, (int(rng.integers(3, 8)),), 0, float(rng.uniform(5e-4, 9e-4))),
        _wrong_at(rng, (n,), n - 1, big()),
        _wrong_at(rng, (rows, cols), odd[int(rng.integers(len(odd)))], big()),
        _wrong_at(rng, (rows, cols), rows * cols - 1, big()),
        _wrong_at(rng, cube, even[int(rng.integers(len(even)))],
                  float(rng.uniform(1.5e-4, 2.2e-4))),
    ]
    return [_gradcheck(f, x) for f, x in cases]


def _gradcheck_sampled(rng: np.random.Generator) -> list[Call]:
    """Functions drawing from Python's `random` only (as dataset.sampleTokenIdx() does), at
    two different states: a checker that does not restore `random` before every call fails.
    A function that draws nothing comes first, so a checker that fails everything answers
    differently from one that fails the draws only.

    The costs are quadratic and |x| >= 10, so only the draws matter here: centred differences
    are exact, and even one-sided ones (relative error h / 2|x| <= 5e-6) pass; those lose
    their point in gradcheck_accepts_correct, once."""
    control = _away_from_zero(rng, (int(rng.integers(3, 6)),), 10.0, 20.0)
    calls = [_gradcheck(_objective(rng.uniform(0.5, 2.0, size=control.shape)), control)]
    for shape in ((int(rng.integers(3, 6)),), (2, 3)):
        seeds = (int(rng.integers(2**31)), int(rng.integers(2**31)))
        x = _away_from_zero(rng, shape, 10.0, 20.0)
        f = Ref("object", "sampled", (rng.uniform(0.5, 2.0, size=shape),))
        calls.append(_gradcheck(f, x, seeds))
    return calls


def _gradcheck_restores(rng: np.random.Generator) -> list[Call]:
    x = rng.normal(size=(3, 3))
    return [_gradcheck(_objective(rng.uniform(0.5, 2.0, size=x.shape), 1.0), x, echo=(1,))]


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _verdicts(cases: Sequence[str]) -> Any:
    """Each call's True/False result equals the reference's; None (or anything that is not a
    truth value) is never read as a boolean."""

    def compare(student: Sequence[Outcome], reference: Sequence[Outcome]) -> Compared:
        notes: list[str] = []
        for case, s, r in zip(cases, student, reference, strict=True):
            value = s.value[0] if isinstance(s.value, list) else s.value
            got, note = verdict_of(value)
            want, _ = verdict_of(r.value[0] if isinstance(r.value, list) else r.value)
            if got is None:
                return Compared(f"for {case}, it returned {_shown(value)}, not True or False",
                                tuple(notes))
            if got != want:
                return Compared(f"for {case}, it returned {got}, expected {want}", tuple(notes))
            if note:
                notes.append(f"gradcheck_naive {note}")
        return Compared(None, tuple(dict.fromkeys(notes)))

    return compare


def _returned_none(student: Sequence[Outcome], reference: Sequence[Outcome]) -> bool:
    return any(o.ok and (o.value[0] if isinstance(o.value, list) else o.value) is None
               for o in student)


def _x_restored(student: Sequence[Outcome], reference: Sequence[Outcome]) -> Compared:
    for s, r in zip(student, reference, strict=True):
        reason, _ = compare_arrays(s.value[1], r.value[1], "x after your gradcheck_naive",
                                   rtol=1e-12, atol=1e-12)
        if reason:
            return Compared(f"{reason}: gradcheck_naive must give every entry of x back its "
                            "value")
    return Compared()


NONE_HINT = ("the handout's skeleton returns nothing, but this notebook asks for a result: "
             "`return False` at the first failing entry and `return True` at the end.")

# ---------------------------------------------------------------- forward_backward_prop

NETWORKS = ((3, 4, 2), (4, 3, 3), (2, 5, 4), (5, 2, 3), (3, 3, 5), (4, 5, 2))
"""The networks' dimensions [Dx, H, Dy]. Their parameter counts differ, so a gradient's length
tells which network it belongs to and a message can name the block (gradb1, ...) that
differs. Dx != H and H != Dy in each: a transposed gradient cannot match by its shape."""
BY_SIZE = {(dx + 1) * h + (h + 1) * dy: (dx, h, dy) for dx, h, dy in NETWORKS}
assert len(BY_SIZE) == len(NETWORKS), "the networks' parameter counts must differ"


def _scores(X: np.ndarray, params: np.ndarray, dims: tuple[int, int, int]) -> np.ndarray:
    Dx, H, Dy = dims
    W1 = params[: Dx * H].reshape(Dx, H)
    b1 = params[Dx * H : (Dx + 1) * H]
    W2 = params[(Dx + 1) * H : (Dx + 1) * H + H * Dy].reshape(H, Dy)
    b2 = params[(Dx + 1) * H + H * Dy :]
    h = 1.0 / (1.0 + np.exp(-(X @ W1 + b1)))
    return h @ W2 + b2


def _network(rng: np.random.Generator, dims: tuple[int, int, int], N: int
             ) -> tuple[np.ndarray, np.ndarray, np.ndarray, list[int]]:
    """A network whose labels sit at the largest output score for half the examples (rounded
    up) and elsewhere for the others, computed from the parameters themselves."""
    Dx, H, Dy = dims
    X = rng.normal(size=(N, Dx))
    params = rng.normal(size=(Dx + 1) * H + (H + 1) * Dy)
    top = np.argmax(_scores(X, params, dims), axis=1)
    at_top = rng.permutation(np.arange(N) < (N + 1) // 2)
    elsewhere = (top + rng.integers(1, Dy, size=N)) % Dy
    labels = np.eye(Dy)[np.where(at_top, top, elsewhere)]
    return X, labels, params, list(dims)


def _fbp(X: np.ndarray, labels: np.ndarray, params: np.ndarray, dims: list[int]) -> Call:
    return Call("forward_backward_prop", (X, labels, params, dims), isolate=DEPENDENCIES)


def _fbp_random(rng: np.random.Generator) -> list[Call]:
    chosen = rng.choice(len(NETWORKS), size=3, replace=False)
    return [_fbp(*_network(rng, NETWORKS[i], int(rng.integers(3, 8)))) for i in chosen]


def _fbp_single(rng: np.random.Generator) -> list[Call]:
    return [_fbp(*_network(rng, NETWORKS[int(rng.integers(len(NETWORKS)))], 1))]


SMALL = tuple(d for d in NETWORKS if (d[0] + 1) * d[1] + (d[1] + 1) * d[2] <= 27)


def _fbp_perturbed(rng: np.random.Generator) -> list[Call]:
    """The analytic gradient, then the cost at params +- STEP along every coordinate (the
    smallest networks: these are the most expensive calls of problem 2)."""
    X, labels, params, dims = _network(rng, SMALL[int(rng.integers(len(SMALL)))], 4)
    calls = [_fbp(X, labels, params, dims)]
    for i in range(params.size):
        for sign in (1, -1):
            p = params.copy()
            p[i] += sign * STEP
            calls.append(_fbp(X, labels, p, dims))
    return calls


def _blocks(size: int) -> list[tuple[str, int, int, tuple[int, int]]]:
    """(name, start, stop, shape) of W1, b1, W2, b2 in a flat gradient of `size` entries."""
    Dx, H, Dy = BY_SIZE[size]
    found, start = [], 0
    for name, shape in (("W1", (Dx, H)), ("b1", (1, H)), ("W2", (H, Dy)), ("b2", (1, Dy))):
        stop = start + shape[0] * shape[1]
        found.append((name, start, stop, shape))
        start = stop
    return found


def _in_block(size: int, index: int) -> str:
    """Where flat entry `index` of the gradient is, in the skeleton's names."""
    for name, start, stop, shape in _blocks(size):
        if start <= index < stop:
            row, col = divmod(index - start, shape[1])
            where = (f"entry {col} of {name}" if shape[0] == 1
                     else f"row {row}, column {col} of {name}")
            return f"grad{name} (grad[{start}:{stop}]; first at {where}, counting from 0)"
    return f"grad[{index}]"


class _MalformedError(Exception):
    """A result that is not (cost, grad): the reason is the message."""


def _pair(value: Any) -> tuple[Any, Any]:
    if not isinstance(value, (list, tuple)) or len(value) != 2:
        got = len(value) if isinstance(value, (list, tuple)) else 1
        raise _MalformedError(f"it returned {got} value(s), expected 2 (cost, grad)")
    return value[0], value[1]


def _vector(value: Any, size: int, label: str) -> tuple[np.ndarray, str | None]:
    """A gradient as a (size,) float array, with a note for an accepted (1, P) / (P, 1)."""
    if value is None:
        raise _MalformedError(f"{label} is None (a missing return?)")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise _MalformedError(f"{label} is not numeric (got {type(value).__name__})") from None
    if array.shape == (size,):
        return array, None
    if array.shape in ((1, size), (size, 1)):
        form = "(1, P)" if array.shape[0] == 1 else "(P, 1)"
        return array.reshape(size), (f"{label} is a {form} array where a (P,) vector was "
                                     "expected; accepted, as the values are the same.")
    raise _MalformedError(f"{label} has shape {array.shape}, expected ({size},) like params")


def _scalar(value: Any, label: str) -> tuple[float, str | None]:
    if value is None:
        raise _MalformedError(f"{label} is None (a missing return?)")
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        raise _MalformedError(f"{label} is not a number (got {type(value).__name__})") from None
    if array.size != 1:
        raise _MalformedError(f"{label} has shape {array.shape}, expected a number")
    note = None if array.ndim == 0 else (f"{label} is an array of shape {array.shape} where a "
                                         "number was expected; accepted, as the value is the "
                                         "same.")
    return float(array.reshape(-1)[0]), note


def _of(i: int, n: int) -> str:
    return f" (network {i + 1} of {n})" if n > 1 else ""


def _judged(compare: Any) -> Any:
    """Turn a malformed result into its reason (not a stack trace)."""

    def wrapped(student: Sequence[Outcome], reference: Sequence[Outcome]) -> Compared:
        try:
            return compare(student, reference)
        except _MalformedError as exc:
            return Compared(str(exc))

    return wrapped


@_judged
def _costs(student: Sequence[Outcome], reference: Sequence[Outcome]) -> Compared:
    notes: list[str] = []
    for i, (s, r) in enumerate(zip(student, reference, strict=True)):
        cost, _ = _pair(s.value)
        value, note = _scalar(cost, "your cost")
        want = float(r.value[0])
        if not np.isfinite(value):
            return Compared(f"your cost is {value}{_of(i, len(student))}", tuple(notes))
        if not np.isclose(value, want, rtol=1e-6, atol=1e-8):
            return Compared(f"your cost{_of(i, len(student))} differs from the expected value",
                            tuple(notes))
        if note:
            notes.append(note)
    return Compared(None, tuple(dict.fromkeys(notes)))


@_judged
def _gradients(student: Sequence[Outcome], reference: Sequence[Outcome]) -> Compared:
    notes: list[str] = []
    for i, (s, r) in enumerate(zip(student, reference, strict=True)):
        want = np.asarray(r.value[1], dtype=float)
        grad, note = _vector(_pair(s.value)[1], want.size, "your grad")
        bad = ~np.isfinite(grad)
        if bad.any():
            return Compared(f"your grad{_of(i, len(student))} contains inf or nan, in "
                            f"{_in_block(want.size, int(np.argmax(bad)))}", tuple(notes))
        wrong = ~np.isclose(grad, want, rtol=1e-6, atol=1e-8)
        if wrong.any():
            return Compared(f"your {_in_block(want.size, int(np.argmax(wrong)))} differs from "
                            f"the expected values{_of(i, len(student))}", tuple(notes))
        if note:
            notes.append(note)
    return Compared(None, tuple(dict.fromkeys(notes)))


@_judged
def _single_example(student: Sequence[Outcome], reference: Sequence[Outcome]) -> Compared:
    (s,), (r,) = student, reference
    cost, grad = _pair(s.value)
    value, cost_note = _scalar(cost, "your cost")
    if not np.isclose(value, float(r.value[0]), rtol=1e-6, atol=1e-8):
        return Compared("your cost of a batch of one example differs from the expected value")
    _, grad_note = _vector(grad, np.asarray(r.value[1]).size, "your grad")
    return Compared(None, tuple(n for n in (cost_note, grad_note) if n))


def _differences(outcomes: Sequence[Outcome]) -> tuple[np.ndarray, np.ndarray]:
    """(analytic gradient, centred differences) from the perturbed calls' outcomes."""
    size = (len(outcomes) - 1) // 2
    grad, _ = _vector(_pair(outcomes[0].value)[1], size, "your grad")
    costs = np.array([_scalar(_pair(o.value)[0], "your cost")[0] for o in outcomes[1:]])
    with np.errstate(all="ignore"):  # inf - inf is a nan, judged below, not a warning
        return grad, (costs[0::2] - costs[1::2]) / (2 * STEP)


@_judged
def _consistent(student: Sequence[Outcome], reference: Sequence[Outcome]) -> Compared:
    """The student's gradient against centred differences of the student's own cost. The
    differences must move in every block as the reference's do (a cost that does not depend
    on params is no cost), and NaN never passes (`not rel <= THRESHOLD`)."""
    grad, numerical = _differences(student)
    _, expected = _differences(reference)
    base, _ = _scalar(_pair(student[0].value)[0], "your cost")
    if not (np.isfinite(base) and np.all(np.isfinite(numerical))):
        return Compared("your cost is inf or nan near these parameters")
    for name, start, stop, _ in _blocks(grad.size):
        moved = np.max(np.abs(numerical[start:stop]))
        if not moved > 1e-3 * np.max(np.abs(expected[start:stop])):
            return Compared(f"your cost does not change when {name} changes (its centred "
                            f"differences are about zero): compute the cost from the "
                            f"parameters")
    with np.errstate(all="ignore"):
        rel = np.abs(numerical - grad) / np.maximum(1.0, np.maximum(np.abs(numerical),
                                                                    np.abs(grad)))
    bad = ~(rel <= THRESHOLD)
    if bad.any():
        return Compared(f"your {_in_block(grad.size, int(np.argmax(bad)))} does not match "
                        "centred differences of your own cost")
    return Compared()


def _cost_right(student: Sequence[Outcome], reference: Sequence[Outcome]) -> bool:
    return _costs(student[:1], reference[:1]).reason is None


# ---------------------------------------------------------------- the checks

DELTA = "delta2 = y_hat - labels on every row"

CHECKS = (
    Check(
        name="sigmoid_values",
        cell=SIGMOID_CELL,
        part=SIGMOID_PART,
        points=2.0,
        description="sigmoid of arrays of any shape (kept), integer arrays, and saturated "
                    "entries (|x| > 709: 0 or 1; numpy's overflow warning is allowed)",
        calls=_sigmoid_values,
        compare=close(),
        hints=(
            Hint("mind the brackets: `1 / 1 + np.exp(-x)` is 1 + exp(-x); write "
                 "1 / (1 + np.exp(-x)).", when=_above_one),
            Hint("the sign of the exponent: sigmoid(x) = 1 / (1 + exp(-x)) tends to 1 as x "
                 "grows.", mutant="sigmoid_wrong_sign"),
            Hint("for an integer array the result is built as integers (np.zeros_like(x) or "
                 "np.empty_like(x) of an integer x): make it float, e.g. "
                 "np.zeros(x.shape).", mutant="sigmoid_int_output"),
            Hint("your sigmoid gives nan where |x| is large: exp(x) / (1 + exp(x)) is "
                 "inf / inf for x > 709; use that form for negative x only.",
                 when=_gives_nan),
        ),
    ),
    Check(
        name="sigmoid_stability",
        cell=SIGMOID_CELL,
        part=SIGMOID_PART,
        points=0.0,
        description="advice, worth no points: sigmoid of |x| > 709 without numpy's overflow "
                    "warning",
        calls=_sigmoid_large,
        compare=close(),
        hints=(Hint("numpy warns about overflow in exp for x < -709 (the value, 0, is still "
                    "right: this is advice, worth no points). For negative x use "
                    "exp(x) / (1 + exp(x)), or exponentiate -|x|.", when=_overflowed),),
    ),
    Check(
        name="sigmoid_grad_values",
        cell=SIGMOID_CELL,
        part=SIGMOID_PART,
        points=2.0,
        description="sigmoid_grad takes the sigmoid's VALUE s and returns s (1 - s)",
        calls=_sigmoid_grad_values,
        compare=close(),
        hints=(
            Hint("sigmoid_grad receives s = sigmoid(x), not x: return s * (1 - s), without "
                 "applying the sigmoid again.", mutant="sigmoid_grad_of_x"),
            Hint("the sign: the derivative is s * (1 - s), which is positive.",
                 mutant="sigmoid_grad_sign"),
        ),
    ),
    Check(
        name="gradcheck_accepts_correct",
        cell=GRADCHECK_CELL,
        part=GRADCHECK_PART,
        points=1.0,
        description="returns True for correct gradients: 0-d to 3-D x, strongly curved "
                    "functions and large gradients",
        calls=_gradcheck_correct,
        compare=_verdicts(CORRECT_CASES),
        hints=(
            Hint("use centred differences (f(x + h) - f(x - h)) / (2 h): one-sided ones are "
                 "off by about h f'' / 2.", mutant="gradcheck_one_sided"),
            Hint("h must be 1e-4: a larger step makes centred differences of a curved "
                 "function miss by h^2 f''' / 6.", mutant="gradcheck_large_step"),
            Hint("compare the relative error |numgrad - grad| / max(1, |numgrad|, |grad|), "
                 "not the absolute one: large gradients have larger rounding errors.",
                 mutant="gradcheck_absolute_error"),
            Hint("the threshold is 1e-5 on the relative error.",
                 mutant="gradcheck_strict_threshold"),
            Hint("it returned False for every correct gradient.", mutant="gradcheck_always_false"),
            Hint(NONE_HINT, when=_returned_none),
        ),
    ),
    Check(
        name="gradcheck_rejects_wrong",
        cell=GRADCHECK_CELL,
        part=GRADCHECK_PART,
        points=1.0,
        description="returns False for gradients wrong in one entry (first, last, in between; "
                    "1-D to 3-D x)",
        calls=_gradcheck_wrong,
        compare=_verdicts(WRONG_CASES),
        hints=(
            Hint("every entry of x must be checked (np.nditer visits them all, whatever the "
                 "shape of x).", mutant="gradcheck_every_other_entry"),
            Hint("`return True` belongs after the loop: return True only once every entry "
                 "has passed.", mutant="gradcheck_stops_after_first"),
            Hint("every entry of x must be checked, in every dimension: len(x) counts the "
                 "rows only (np.nditer visits every entry).", mutant="gradcheck_len_loop"),
            Hint("the threshold is 1e-5 on the relative error.",
                 mutant="gradcheck_loose_threshold"),
            Hint("compare each entry's relative error with 1e-5: a mean over the entries hides "
                 "one wrong entry among many right ones.", mutant="gradcheck_mean_error"),
            Hint("it returned True for every wrong gradient.", mutant="gradcheck_always_true"),
            Hint(NONE_HINT, when=_returned_none),
        ),
    ),
    Check(
        name="gradcheck_restores_random_state",
        cell=GRADCHECK_CELL,
        part=GRADCHECK_PART,
        points=1.0,
        description="returns True for a correct gradient of a function that draws from "
                    "Python's random (restore random's state before every call of f)",
        calls=_gradcheck_sampled,
        compare=_verdicts(("a correct gradient of a function that draws nothing",
                           "a correct gradient of a function drawing from random "
                           "(a vector x)",
                           "a correct gradient of a function drawing from random "
                           "(a matrix x)")),
        hints=(
            Hint("save rndstate = random.getstate() once, before the first call of f, and call "
                 "random.setstate(rndstate) before EVERY call of f, that first one included "
                 "(restoring np.random is not enough: the samplers draw from Python's "
                 "random).", mutant="gradcheck_no_restore"),
            Hint(NONE_HINT, when=_returned_none),
        ),
    ),
    Check(
        name="gradcheck_restores_x",
        cell=GRADCHECK_CELL,
        part=GRADCHECK_PART,
        points=1.0,
        description="gives x back unchanged (each perturbed entry is put back)",
        calls=_gradcheck_restores,
        compare=_x_restored,
        hints=(
            Hint("after computing f(x + h) and f(x - h), put the entry back: x[ix] = old.",
                 mutant="gradcheck_no_put_back"),
            Hint("after computing f(x + h) and f(x - h), put the entry back: x[ix] = old "
                 "(and check every entry, not every other one).",
                 mutant="gradcheck_every_other_entry"),
        ),
    ),
    Check(
        name="forward_backward_cost",
        cell=NEURAL_CELL,
        part=NEURAL_PART,
        points=2.0,
        description="the cost of networks of several sizes (summed over the examples)",
        calls=_fbp_random,
        compare=_costs,
        hints=(
            Hint("the cost is the cross-entropy SUMMED over the N examples, not averaged.",
                 mutant="fbp_mean_not_sum"),
            Hint("the hidden layer is h = sigmoid(X @ W1 + b1).",
                 mutant="fbp_no_hidden_sigmoid"),
            Hint("softmax normalises each row (each example) over the classes, axis=1.",
                 mutant="fbp_softmax_columns"),
        ),
    ),
    Check(
        name="forward_backward_gradient",
        cell=NEURAL_CELL,
        part=NEURAL_PART,
        points=3.0,
        description="the gradient on networks of several sizes, in the order W1, b1, W2, b2",
        calls=_fbp_random,
        compare=_gradients,
        hints=(
            Hint("the bias gradients are the sums of the deltas over the examples: "
                 "gradb1 = delta1.sum(axis=0), gradb2 = delta2.sum(axis=0).",
                 mutant="fbp_no_bias_gradient"),
            Hint("the bias gradients are SUMS of the deltas over the examples, not means.",
                 mutant="fbp_bias_mean"),
            Hint("grad must list the blocks in the order of params: W1, b1, W2, b2.",
                 mutant="fbp_block_order"),
            Hint("a gradient has the shape of its parameter: gradW1 = X.T @ delta1 (Dx x H) "
                 "and gradW2 = h.T @ delta2 (H x Dy), not their transposes.",
                 mutant="fbp_transposed_weight_gradient"),
            Hint("sigmoid_grad takes the activations h = sigmoid(X @ W1 + b1), not the "
                 "pre-activations.", mutant="fbp_sigmoid_grad_of_preactivation"),
            Hint("delta1 = (delta2 @ W2.T) * sigmoid_grad(h): the sigmoid's derivative is "
                 "missing.", mutant="fbp_no_sigmoid_grad"),
            Hint(f"{DELTA}, including the examples the network already classifies right.",
                 mutant="fbp_delta_skips_right_rows"),
            Hint(f"{DELTA}: subtract 1 at each example's label, not at its predicted class.",
                 mutant="fbp_delta_at_prediction"),
            Hint("the cost is the cross-entropy SUMMED over the N examples, so its gradient "
                 "is not divided by N.", mutant="fbp_mean_not_sum"),
        ),
    ),
    Check(
        name="forward_backward_gradcheck",
        cell=NEURAL_CELL,
        part=NEURAL_PART,
        points=2.0,
        description="your gradient agrees with centred differences of your own cost",
        calls=_fbp_perturbed,
        compare=_consistent,
        hints=(Hint("your cost is right, so the backward pass is where it goes wrong: check "
                    "delta2, delta1 and each gradient against the formulas of (c).",
                    when=_cost_right),),
    ),
    Check(
        name="forward_backward_shapes",
        cell=NEURAL_CELL,
        part=NEURAL_PART,
        points=1.0,
        description="a batch of one example: the right cost, as a number, and a gradient "
                    "shaped like params",
        calls=_fbp_single,
        compare=_single_example,
    ),
)
