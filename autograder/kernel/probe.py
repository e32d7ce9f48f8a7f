"""Kernel side of every check: resolve a call's arguments, call a function, normalise the result.

This module runs wherever the function under test lives: inside the student's kernel (in the
sandbox), or in the trusted process for the reference. It is PUBLIC: it holds no hidden inputs,
no seeds and no reference solutions, only the mechanics and a few known-good stand-ins
(library functions) used to isolate one function from mistakes in another.

A call is plain data (see `Call`), so the trusted side can send it to a sandbox as JSON + .npy,
and the result comes back as data: arrays, numbers, strings, lists and dicts; never objects.
"""

from __future__ import annotations

import contextlib
import io
import random
import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

# ---------------------------------------------------------------- calls and outcomes


@dataclass(frozen=True)
class Ref:
    """A named object built on the kernel side (dataset stubs, objectives, functions).

    kind: "function" (a function of the namespace under test, e.g. the student's own
    softmaxCostAndGradient) or "object" (one of OBJECTS below, built with args).
    """

    kind: str
    name: str
    args: tuple = ()


@dataclass(frozen=True)
class Call:
    """One call of a function under test, as data.

    function: name in the namespace under test (the assignment's function name).
    args, kwargs: numbers, strings, arrays, lists, dicts and Refs.
    seeds: (random seed, np.random seed) set right before the call, or None.
    isolate: names of dependencies to replace by KNOWN_GOOD stand-ins during the call, so a
        mistake in softmax does not cost points again in forward_backward_prop.
    cast: "bool" for a verdict (gradcheck_naive's): an object that is not plain data (a
        result class with __bool__) is turned into a bool; None and plain values are kept as
        they are, so the trusted side tells a missing return from False.
    strict_warnings: turn warnings (overflow, invalid value) into errors during the call.
    echo: positions of arguments returned after the call, for checks that a function puts
        its input back: the outcome is then [result, argument, ...].
    """

    function: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    seeds: tuple[int, int] | None = None
    isolate: tuple[str, ...] = ()
    cast: str | None = None
    strict_warnings: bool = False
    echo: tuple[int, ...] = ()

    def with_own_helpers(self) -> Call:
        """The same call without stand-ins: the function uses the student's own helpers."""
        return replace(self, isolate=())


@dataclass
class Outcome:
    """What one call produced: a normalised value, or the error it raised."""

    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# ---------------------------------------------------------------- kernel-side objects


def _like(x, result: np.ndarray):
    """Return the stand-in's result in the caller's own array type: code written with
    np.matrix keeps its matrix semantics (`*` is a matrix product) across the stand-in."""
    return np.asmatrix(result) if isinstance(x, np.matrix) else result


def _known_good_softmax(x):
    a = np.asarray(x, dtype=float)
    e = np.exp(a - np.max(a, axis=-1, keepdims=True))
    return _like(x, e / np.sum(e, axis=-1, keepdims=True))


def _known_good_sigmoid(x):
    a = np.asarray(x, dtype=float)
    e = np.exp(-np.abs(a))  # never overflows
    return _like(x, np.where(a >= 0, 1.0 / (1.0 + e), e / (1.0 + e)))


def _known_good_sigmoid_grad(s):
    return np.multiply(s, 1.0 - s)  # elementwise for arrays and matrices alike


KNOWN_GOOD = {
    "softmax": _known_good_softmax,
    "sigmoid": _known_good_sigmoid,
    "sigmoid_grad": _known_good_sigmoid_grad,
}


class ReplayDataset:
    """A dataset whose sampleTokenIdx() returns a fixed sequence (cycling)."""

    def __init__(self, draws):
        self.draws = [int(d) for d in draws]
        self.position = 0

    def sampleTokenIdx(self) -> int:
        value = self.draws[self.position % len(self.draws)]
        self.position += 1
        return value


# The objectives handed to a student's gradient checker and SGD are all built by one neutral
# factory: every one is a function named `f` with the same code, so a checker that reads names
# or code instead of computing learns nothing from them.


def _objective(weights, curvature, gradient_error=None):
    """f(x) = sum(w * x^2 / 2) + sum(exp(k x)) / k^2 (k = 0 drops the second term), with its
    gradient w x + exp(k x) / k, plus `gradient_error` (an array like x, or None) in the
    gradient only."""
    w = np.asarray(weights, dtype=float)
    k = float(curvature)
    error = None if gradient_error is None else np.asarray(gradient_error, dtype=float)

    def f(x):
        x = np.asarray(x, dtype=float)
        cost = 0.5 * float(np.sum(w * x * x))
        grad = w * x
        if k:
            cost += float(np.sum(np.exp(k * x))) / k**2
            grad = grad + np.exp(k * x) / k
        if error is not None:
            grad = grad + error
        return cost, grad

    return f


def _objective_shifted(centre):
    """f(x) = sum((x - c)^2): minimised at c, so an SGD that returns zeros or x0 is wrong."""
    c = np.asarray(centre, dtype=float)

    def f(x):
        d = np.asarray(x, dtype=float) - c
        return float(np.sum(d * d)), 2 * d

    return f


def _objective_sampled(weights):
    """A cost that depends on draws from Python's `random` (as negative sampling does via
    dataset.sampleTokenIdx()): checkable only if `random` is restored before every call."""
    w = np.asarray(weights, dtype=float)

    def f(x):
        x = np.asarray(x, dtype=float)
        scale = 1.0 + random.random()
        return scale * 0.5 * float(np.sum(w * x * x)), scale * w * x

    return f


def _postprocess_normalise(x):
    return x / np.linalg.norm(x)


def _window_cost():
    """A cost function for testing skip-gram and CBOW (named f, like every test object).

    cost = (target + 1) * sum(predicted) + outputVectors[target] . predicted;
    gradPred = (target + 1) + predicted + outputVectors[target];
    grad has (w + 1) / V * predicted in every row w, plus (target + 1) * predicted in row
    `target`. Every output depends on the target, the predicted vector and the output vectors
    passed in, and grad is non-zero in every row, so a model that calls it with the wrong
    arguments, or routes or sums its results wrongly (only the target's row of grad, a
    repeated word once), gets results that differ from the reference's.
    """

    def f(predicted, target, outputVectors, dataset):
        p = np.asarray(predicted, dtype=float)
        flat, U, t = p.reshape(-1), np.asarray(outputVectors, dtype=float), int(target)
        scale = t + 1.0
        V = U.shape[0]
        grad = np.outer(np.arange(1, V + 1) / V, flat)
        grad[t] += scale * flat
        cost = scale * float(np.sum(flat)) + float(U[t] @ flat)
        return cost, (scale + flat + U[t]).reshape(p.shape), grad

    return f


OBJECTS = {
    "replay_dataset": ReplayDataset,
    "objective": _objective,
    "shifted": _objective_shifted,
    "sampled": _objective_sampled,
    "normalise": lambda: _postprocess_normalise,
    "window_cost": _window_cost,
}


# ---------------------------------------------------------------- executing calls


def resolve(value: Any, namespace: dict) -> Any:
    """Turn a call argument (data) into the object the function receives.

    Arrays are copied so a function that modifies its input cannot change later calls.
    """
    if isinstance(value, Ref):
        if value.kind == "function":
            return namespace[value.name]
        if value.kind == "object":
            return OBJECTS[value.name](*value.args)
        raise ValueError(f"unknown reference kind {value.kind!r}")
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, tuple):
        return tuple(resolve(v, namespace) for v in value)
    if isinstance(value, list):
        return [resolve(v, namespace) for v in value]
    if isinstance(value, dict):
        return {k: resolve(v, namespace) for k, v in value.items()}
    return value


class UnsupportedResultError(TypeError):
    """A function returned something that is not plain data."""


def normalise(value: Any, depth: int = 0) -> Any:
    """Plain-data copy of a result: arrays, floats, ints, bools, strings, None, lists, dicts."""
    if depth > 8:
        raise UnsupportedResultError("result nested too deeply")
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, (int, float, np.number, np.bool_)):
        return value.item() if isinstance(value, (np.number, np.bool_)) else value
    if isinstance(value, np.ndarray):
        if value.dtype == object:
            raise UnsupportedResultError("object arrays are not accepted")
        return np.array(value, copy=True)
    if isinstance(value, (list, tuple)):
        return [normalise(v, depth + 1) for v in value]
    if isinstance(value, dict):
        return {str(k): normalise(v, depth + 1) for k, v in value.items()}
    raise UnsupportedResultError(f"returned a {type(value).__name__}, expected numbers or arrays")


@contextlib.contextmanager
def _isolated(function, names: tuple[str, ...]):
    """Give `function` the known-good stand-ins for `names` while it runs, whether or not
    its module defines them (a notebook whose import failed has no softmax at all)."""
    scope = getattr(function, "__globals__", None)
    if not isinstance(scope, dict) or not names:
        yield
        return
    missing = object()
    saved = {name: scope.get(name, missing) for name in names}
    try:
        for name in names:
            scope[name] = KNOWN_GOOD[name]
        yield
    finally:
        for name, value in saved.items():
            if value is missing:
                scope.pop(name, None)
            else:
                scope[name] = value


def execute(call: Call, namespace: dict) -> Outcome:
    """Run one call against a namespace (the student's kernel globals, or the reference)."""
    function = namespace.get(call.function)
    if not callable(function):
        return Outcome(error=f"NameError: {call.function} is not defined")
    try:
        args = resolve(call.args, namespace)
        kwargs = resolve(call.kwargs, namespace)
        if call.seeds is not None:
            random.seed(call.seeds[0])
            np.random.seed(call.seeds[1])
        sink = io.StringIO()
        with (
            _isolated(function, call.isolate),
            warnings.catch_warnings(),
            np.errstate(**_float_errors(call.strict_warnings)),
            contextlib.redirect_stdout(sink),
            contextlib.redirect_stderr(sink),
        ):
            warnings.simplefilter("ignore")
            if call.strict_warnings:  # numeric warnings only, not numpy's own deprecations
                warnings.simplefilter("error", RuntimeWarning)
            result = function(*args, **kwargs)
        if call.cast == "bool" and not _is_plain(result):
            result = bool(result)
        if call.echo:
            result = [result, *(args[i] for i in call.echo)]
        return Outcome(value=normalise(result))
    except Exception as exc:  # the function under test may raise anything
        return Outcome(error=f"{type(exc).__name__}: {_first_line(exc)}")


def _is_plain(value: Any) -> bool:
    """Data the trusted side reads as it is: a tuple such as (False, index) must reach it as a
    tuple (no verdict), never be turned into True by bool()."""
    return value is None or isinstance(
        value, (bool, int, float, str, tuple, list, dict, np.number, np.bool_, np.ndarray))


def _float_errors(strict: bool) -> dict[str, str]:
    """Overflow, invalid values and division by zero raise under strict checks; underflow
    to zero is expected of a stable softmax and never counts."""
    mode = "raise" if strict else "ignore"
    return {"over": mode, "invalid": mode, "divide": mode, "under": "ignore"}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""
