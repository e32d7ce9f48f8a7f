"""The catalogue of mutants: the reference, changed the ways students get it wrong (and right).

A mutant is Python source, written as a student writes it, that defines one or more of the
assignment's functions. It runs in a namespace that already holds the reference solutions
(`solutions.REFERENCE`), `np` and `random`, exactly as a student's notebook namespace holds
their functions: a mutant of `forward_backward_prop` calls the reference `softmax` by name,
and a mutant that defines both `sigmoid_grad` and `forward_backward_prop` calls its own.

Two kinds:
* ERROR: a real mistake. Every seed must cost points in the checks of the functions it
  `blame`s, and in no other function's checks (a bug costs once).
* EQUIVALENT: a right answer in another form (a size-1 array for a scalar, `np.matrix`, a
  loop, a Python-2-era idiom). It must keep every point on every seed.

Used by `autograder audit` (the checks are tested like code) and by the checks' hints (a hint
is shown when a student's outcomes equal its mutant's). Grader-only: never in the release.
"""

from __future__ import annotations

import random
import textwrap
from functools import lru_cache

import numpy as np

from autograder.mutants import q1_softmax, q2_neural, q3_word2vec, q4_sentiment
from autograder.mutants.model import EQUIVALENT, ERROR, Mutant


def _catalogue() -> tuple[Mutant, ...]:
    found = (*q1_softmax.MUTANTS, *q2_neural.MUTANTS, *q3_word2vec.MUTANTS,
             *q4_sentiment.MUTANTS)
    names = [m.name for m in found]
    if len(set(names)) != len(names):
        raise ValueError("mutant names must be unique")
    return found


@lru_cache(maxsize=1)
def catalogue() -> tuple[Mutant, ...]:
    return _catalogue()


def by_name(name: str) -> Mutant:
    for mutant in catalogue():
        if mutant.name == name:
            return mutant
    raise KeyError(f"no mutant named {name!r}")


def base_namespace() -> dict:
    """What a student's namespace holds before their code: the reference functions under the
    assignment's names, numpy as np and Python's random."""
    from solutions import REFERENCE

    return {**REFERENCE, "np": np, "random": random, "__name__": "__student__"}


def load_source(source: str, namespace: dict | None = None) -> dict:
    """Run student-style source in a namespace (the base one by default) and return it."""
    ns = base_namespace() if namespace is None else namespace
    exec(compile(textwrap.dedent(source), "<student>", "exec"), ns)  # noqa: S102 - our corpus
    return ns


@lru_cache(maxsize=256)
def namespace(name: str) -> dict:
    """The namespace of one mutant (cached: mutants are pure)."""
    return load_source(by_name(name).source)


__all__ = ["EQUIVALENT", "ERROR", "Mutant", "by_name", "catalogue", "load_source", "namespace"]
