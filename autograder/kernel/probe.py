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
from dataclasses import dataclass, field
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
    cast: "bool" to turn the result into a bool (gradcheck_naive's verdict).
    strict_warnings: turn warnings (overflow, invalid value) into errors during the call.
    """

    function: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    seeds: tuple[int, int] | None = None
    isolate: tuple[str, ...] = ()
    cast: str | None = None
    strict_warnings: bool = False


@dataclass
class Outcome:
    """What one call produced: a normalised value, or the error it raised."""

    value: Any = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


# ---------------------------------------------------------------- kernel-side objects


def _known_good_softmax(x):
    from scipy.special import softmax

    return softmax(np.asarray(x, dtype=float), axis=-1)


def _known_good_sigmoid(x):
    from scipy.special import expit

    return expit(np.asarray(x, dtype=float))


def _known_good_sigmoid_grad(s):
    return s * (1.0 - s)


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


class UniformDataset:
    """sampleTokenIdx() uniform over range(V) from Python's `random`, like the handout's stub."""

    def __init__(self, V):
        self.V = int(V)

    def sampleTokenIdx(self) -> int:
        return random.randint(0, self.V - 1)


def _probe_cost(predicted, target, outputVectors, dataset):
    """A stand-in cost function whose outputs tag where each gradient must go.

    cost = (target + 1) * sum(predicted); gradPred = (target + 1) * ones(D) + predicted;
    grad has (target + 1) * predicted in row `target`. Skip-gram and CBOW only route and
    sum these, so comparing their outputs with the reference tests the routing alone.
    """
    scale = float(target) + 1.0
    grad = np.zeros_like(outputVectors)
    grad[target] = scale * predicted
    return scale * float(np.sum(predicted)), scale * np.ones_like(predicted) + predicted, grad


def _objective_quadratic(x):
    return float(np.sum(x**2)), 2 * x


def _objective_curved(x):
    """exp(3x): a one-sided difference with h = 1e-4 is off by more than 1e-5 here."""
    return float(np.sum(np.exp(3 * x))), 3 * np.exp(3 * x)


def _objective_wrong_at(index):
    index = tuple(index)

    def f(x):
        grad = 2 * x
        grad[index] += 0.1
        return float(np.sum(x**2)), grad

    return f


def _objective_noisy(x):
    """A linear cost scaled by fresh draws of both generators.

    Checkable only if both generators are restored before every call; linear so that the
    check says nothing about one-sided against centred differences.
    """
    w = random.random() + np.random.rand()
    return float(w * np.sum(x)), w * np.ones_like(x)


def _postprocess_normalise(x):
    return x / np.linalg.norm(x)


OBJECTS = {
    "replay_dataset": ReplayDataset,
    "uniform_dataset": UniformDataset,
    "probe_cost": lambda: _probe_cost,
    "quadratic": lambda: _objective_quadratic,
    "curved": lambda: _objective_curved,
    "wrong_at": _objective_wrong_at,
    "noisy": lambda: _objective_noisy,
    "normalise": lambda: _postprocess_normalise,
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
            warnings.simplefilter("error" if call.strict_warnings else "ignore")
            result = function(*args, **kwargs)
        if call.cast == "bool":
            result = bool(result)
        return Outcome(value=normalise(result))
    except Exception as exc:  # the function under test may raise anything
        return Outcome(error=f"{type(exc).__name__}: {_first_line(exc)}")


def _float_errors(strict: bool) -> dict[str, str]:
    """Overflow, invalid values and division by zero raise under strict checks; underflow
    to zero is expected of a stable softmax and never counts."""
    mode = "raise" if strict else "ignore"
    return {"over": mode, "invalid": mode, "divide": mode, "under": "ignore"}


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0][:200] if text else ""
