"""What a check is, and how one is judged.

A check is data plus two pure functions: `calls(rng)` builds the hidden inputs from a seeded
generator, and `compare(student, reference)` judges the student's outcomes against the
reference's for the same calls. The same Check runs in both grading paths: in the hidden test
cells `nbgrader autograde` executes, and in the engine, which runs the calls in a sandbox and
compares in its own process.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from autograder.kernel.probe import Call, Outcome

Comparison = Callable[[Sequence[Outcome], Sequence[Outcome]], "str | None"]


@dataclass(frozen=True)
class Check:
    """One graded property of one student function.

    name: unique id, e.g. "softmax_stability".
    problem: "q1".."q4"; cell: the nbgrader grade_id of the hidden test cell that runs it.
    points: what passing is worth.
    description: what is checked, shown to the student either way.
    message: what most likely went wrong, shown on failure; never reveals hidden inputs.
    calls: rng -> list of Calls (the hidden inputs come from rng only).
    compare: (student outcomes, reference outcomes) -> None if passed, else a short reason.
    """

    name: str
    problem: str
    cell: str
    points: float
    description: str
    message: str
    calls: Callable[[np.random.Generator], list[Call]]
    compare: Comparison

    def rng(self, seed: int) -> np.random.Generator:
        """The generator for this check's inputs: seeded by the secret seed and the name."""
        return np.random.default_rng([seed, zlib.crc32(self.name.encode())])


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one check."""

    check: Check
    score: float
    reason: str | None = None  # None when passed

    @property
    def passed(self) -> bool:
        return self.reason is None

    def feedback(self) -> str:
        c = self.check
        mark = "PASS" if self.passed else "FAIL"
        line = f"[{mark}] {c.name} ({self.score:g}/{c.points:g}): {c.description}"
        if not self.passed:
            line += f"\n       {c.message} ({self.reason})"
        return line


def judge(check: Check, student: Sequence[Outcome], reference: Sequence[Outcome]) -> CheckResult:
    """Score one check from both sides' outcomes for the same calls."""
    for outcome in reference:
        if not outcome.ok:  # the reference must never fail: a broken check, not a student error
            raise RuntimeError(f"reference failed in check {check.name}: {outcome.error}")
    failed = next((o for o in student if not o.ok), None)
    if failed is not None:
        return CheckResult(check, 0.0, f"your code raised {failed.error}")
    try:
        reason = check.compare(student, reference)
    except Exception as exc:  # a malformed student result (wrong shape, type) fails the check
        reason = f"unexpected result: {type(exc).__name__}: {exc}"[:300]
    return CheckResult(check, 0.0 if reason else check.points, reason)


# ---------------------------------------------------------------- comparisons


def _as_list(value):
    return value if isinstance(value, list) else [value]


def close(
    rtol: float = 1e-6,
    atol: float = 1e-8,
    parts: Sequence[int] | None = None,
    part_names: Sequence[str] | None = None,
) -> Comparison:
    """Every outcome (or the chosen parts of tuple outcomes) equals the reference's.

    Shapes must match exactly; values within rtol/atol.
    """

    def compare(student, reference):
        for s_out, r_out in zip(student, reference, strict=True):
            s_vals, r_vals = _as_list(s_out.value), _as_list(r_out.value)
            if len(s_vals) != len(r_vals):
                return f"returned {len(s_vals)} values, expected {len(r_vals)}"
            indices = range(len(r_vals)) if parts is None else parts
            for i in indices:
                label = part_names[i] if part_names else f"value {i + 1}"
                reason = _compare_arrays(s_vals[i], r_vals[i], rtol, atol, label)
                if reason:
                    return reason
        return None

    return compare


def _compare_arrays(student, reference, rtol, atol, label) -> str | None:
    r = np.asarray(reference, dtype=float)
    try:
        s = np.asarray(student, dtype=float)
    except (TypeError, ValueError):
        return f"{label} is not numeric"
    if s.shape != r.shape:
        return f"{label} has shape {s.shape}, expected {r.shape}"
    if not np.all(np.isfinite(s)):
        return f"{label} contains inf or nan"
    if not np.allclose(s, r, rtol=rtol, atol=atol):
        err = np.max(np.abs(s - r) / np.maximum(1.0, np.abs(r)))
        return f"{label} differs from the expected values (max relative error {err:.2e})"
    return None


def equal_values() -> Comparison:
    """Outcomes equal the reference's exactly (bools, ints, strings)."""

    def compare(student, reference):
        for i, (s, r) in enumerate(zip(student, reference, strict=True)):
            if s.value != r.value:
                return f"case {i + 1}: got {s.value!r}, expected {r.value!r}"
        return None

    return compare
