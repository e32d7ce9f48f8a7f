"""What a check is, and how one is judged.

A check is data plus two pure functions: `calls(rng)` builds the hidden inputs from a seeded
generator, and `compare(student, reference)` judges the student's outcomes against the
reference's for the same calls. The same Check runs in both grading paths: in the hidden test
cells `nbgrader autograde` executes, and in the engine, which runs the calls in a sandbox and
compares in its own process.

The grading policy lives here, once for every check:

* **Equivalent forms count.** A size-1 or 0-d array for a scalar, `(D, 1)` or `(1, D)` for
  `(D,)`, `np.matrix` or a list for an array: the values are judged, with a note.
* **A bug costs once.** A call that names helpers to `isolate` is made twice: with known-good
  stand-ins for those helpers and with the student's own. The better verdict stands and the
  feedback says which held, so a consistent misreading of a helper costs that helper's points.
* **Hints diagnose.** A check's hint is shown only when its mistake was detected: the student's
  outcomes equal those of that mistake's mutant (`autograder.mutants`), or its predicate holds.
* **Examples reproduce.** A failing check shows the first PUBLIC example (the same check built
  from `PUBLIC_SEED`) on which the student's function goes wrong, never the hidden inputs.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from autograder.kernel.probe import Call, Outcome, Ref
from cs224n.sanity import equivalent_shape  # one rule for the sanity cells and the grader


@dataclass(frozen=True)
class Compared:
    """A comparison's answer: why the student's outcomes differ (None: they agree), and notes
    on equivalent forms that were accepted."""

    reason: str | None = None
    notes: tuple[str, ...] = ()


Comparison = Callable[[Sequence[Outcome], Sequence[Outcome]], "Compared | str | None"]
Predicate = Callable[[Sequence[Outcome], Sequence[Outcome]], bool]

PUBLIC_SEED = 0
"""The seed of the examples shown in feedback: public, unlike $CS224N_CHECK_SEED."""


@dataclass(frozen=True)
class Hint:
    """Advice shown on failure only when its mistake was detected.

    mutant: name of a mutant in `autograder.mutants`; the hint shows when the student's
        outcomes pass this check's comparison against that mutant's outcomes.
    when: a predicate on (student outcomes, reference outcomes).
    """

    text: str
    mutant: str | None = None
    when: Predicate | None = None


@dataclass(frozen=True, kw_only=True)
class Check:
    """One graded property of one student function.

    name: unique id, e.g. "softmax_stability".
    cell: the nbgrader grade_id of the hidden test cell that runs it ("q1_softmax_hidden").
    part: the notebook's part, as the student sees it ("1(b) softmax").
    points: what passing is worth; 0 for advice (shown, never scored).
    description: what is checked, shown to the student either way.
    calls: rng -> list of Calls (the hidden inputs come from rng only).
    compare: (student outcomes, reference outcomes) -> Compared, a reason, or None if passed.
    hints: advice for specific mistakes, each shown only when detected.
    """

    name: str
    cell: str
    part: str
    points: float
    description: str
    calls: Callable[[np.random.Generator], list[Call]]
    compare: Comparison
    hints: tuple[Hint, ...] = ()

    @property
    def problem(self) -> str:
        """"q1".."q4", from the cell's grade id."""
        return self.cell[:2]

    @property
    def advice(self) -> bool:
        return self.points == 0

    @cached_property
    def function(self) -> str:
        """The assignment function this check calls."""
        return self.calls(self.rng(PUBLIC_SEED))[0].function

    def rng(self, seed: int) -> np.random.Generator:
        """The generator for this check's inputs: seeded by the given seed and the name."""
        return np.random.default_rng([seed, zlib.crc32(self.name.encode())])


# ---------------------------------------------------------------- plans: what the kernel runs


STAND_INS, OWN = "stand-ins", "own helpers"


@dataclass(frozen=True)
class Plan:
    """Every call one check needs from the student's kernel, in a fixed order.

    variants: the hidden calls, once with stand-ins for isolated helpers and once with the
        student's own (a single variant when nothing is isolated).
    examples: the same for the calls built from PUBLIC_SEED.
    """

    check: Check
    variants: tuple[tuple[str, tuple[Call, ...]], ...]
    examples: tuple[tuple[str, tuple[Call, ...]], ...]

    @classmethod
    def build(cls, check: Check, seed: int, examples: bool = True) -> Plan:
        """examples=False leaves the public examples out (the audit needs scores only)."""
        public = _variants(check.calls(check.rng(PUBLIC_SEED))) if examples else ()
        return cls(check, _variants(check.calls(check.rng(seed))), public)

    @property
    def calls(self) -> list[Call]:
        return [c for _, calls in (*self.variants, *self.examples) for c in calls]

    def split(self, outcomes: Sequence[Outcome]
              ) -> tuple[dict[str, list[Outcome]], dict[str, list[Outcome]]]:
        """The outcomes of `calls`, per variant: (hidden, examples)."""
        if len(outcomes) != len(self.calls):
            raise ValueError(f"{self.check.name}: {len(outcomes)} outcomes for "
                             f"{len(self.calls)} calls")
        position, parts = 0, []
        for group in (self.variants, self.examples):
            part = {}
            for variant, calls in group:
                part[variant] = list(outcomes[position : position + len(calls)])
                position += len(calls)
            parts.append(part)
        return parts[0], parts[1]


def _variants(calls: list[Call]) -> tuple[tuple[str, tuple[Call, ...]], ...]:
    if any(c.isolate for c in calls):
        return ((STAND_INS, tuple(calls)), (OWN, tuple(c.with_own_helpers() for c in calls)))
    return ((OWN, tuple(calls)),)


# ---------------------------------------------------------------- verdicts


@dataclass(frozen=True)
class CheckResult:
    """The verdict on one check, with what the student needs to act on it."""

    check: Check
    score: float
    reason: str | None = None  # None when passed
    notes: tuple[str, ...] = ()  # equivalent forms accepted, which helpers held
    hint: str | None = None  # shown only when its mistake was detected
    example: str | None = None  # a public example reproducing the failure

    @property
    def passed(self) -> bool:
        return self.reason is None

    @property
    def message(self) -> str | None:
        """What went wrong, for the student: the reason, the detected mistake's hint and a
        public example. None when passed."""
        if self.passed:
            return None
        lines = [f"{self.check.part}: {self.reason}."]
        if self.hint:
            lines.append(f"Likely cause: {self.hint}")
        if self.example:
            lines.append(self.example)
        return "\n".join(lines)

    @property
    def note(self) -> str | None:
        return " ".join(self.notes) if self.notes else None

    def feedback(self) -> str:
        c = self.check
        mark = "PASS" if self.passed else ("ADVICE" if c.advice else "FAIL")
        line = f"[{mark}] {c.name} ({self.score:g}/{c.points:g}): {c.description}"
        for extra in (self.message, self.note):
            if extra:
                line += "\n       " + extra.replace("\n", "\n       ")
        return line


class Judge:
    """Judges plans against the reference solutions and, for hints, the mutants.

    Trusted side only: it imports `solutions` and `autograder.mutants`. Reference outcomes are
    cached per call list, so grading many submissions computes them once.
    """

    def __init__(self, reference: dict | None = None) -> None:
        if reference is None:
            from solutions import REFERENCE

            reference = dict(REFERENCE)
        self.reference_ns = reference
        self._cache: dict[int, tuple[tuple[Call, ...], list[Outcome]]] = {}

    def reference(self, calls: tuple[Call, ...]) -> list[Outcome]:
        from autograder.kernel.probe import execute

        key = id(calls)
        cached = self._cache.get(key)
        if cached is None or cached[0] is not calls:
            outcomes = [execute(c, self.reference_ns) for c in calls]
            for outcome in outcomes:  # the reference must never fail: a broken check
                if not outcome.ok:
                    raise RuntimeError(f"reference failed on {calls[0].function}: "
                                       f"{outcome.error}")
            cached = (calls, outcomes)
            self._cache[key] = cached
        return cached[1]

    def __call__(self, plan: Plan, outcomes: Sequence[Outcome], explain: bool = True
                 ) -> CheckResult:
        """The verdict on one plan's outcomes; explain=False skips hints and examples."""
        check = plan.check
        hidden, examples = plan.split(outcomes)
        verdicts = {variant: _compare(check, hidden[variant], self.reference(calls))
                    for variant, calls in plan.variants}
        held = [v for v, c in verdicts.items() if c.reason is None]
        if held:
            variant = held[0]
            notes = list(verdicts[variant].notes)
            if len(verdicts) > 1 and len(held) == 1:
                notes.append(_held_note(check, plan, variant))
            return CheckResult(check, check.points, None, tuple(dict.fromkeys(notes)))
        variant = plan.variants[0][0]  # both failed: report the stand-ins' verdict
        calls = dict(plan.variants)[variant]
        if not explain:
            return CheckResult(check, 0.0, verdicts[variant].reason, verdicts[variant].notes)
        return CheckResult(
            check, 0.0, verdicts[variant].reason, verdicts[variant].notes,
            hint=self._hint(check, calls, hidden[variant]),
            example=self._example(plan, variant, examples.get(variant, [])),
        )

    def _hint(self, check: Check, calls: tuple[Call, ...], student: list[Outcome]
              ) -> str | None:
        from autograder.kernel.probe import execute

        for hint in check.hints:
            if hint.when is not None:
                try:
                    if hint.when(student, self.reference(calls)):
                        return hint.text
                except Exception:  # a malformed student result: this hint does not apply
                    continue
            if hint.mutant is not None:
                from autograder.mutants import namespace

                mutant = [execute(c, namespace(hint.mutant)) for c in calls]
                if all(o.ok for o in mutant) and _compare(check, student, mutant).reason is None:
                    return hint.text
        return None

    def _example(self, plan: Plan, variant: str, student: list[Outcome]) -> str | None:
        calls = dict(plan.examples).get(variant, ())
        reference = self.reference(calls)
        for call, s, r in zip(calls, student, reference, strict=True):
            if not same_outcome(s, r):
                yours = f"raised {s.error}" if not s.ok else render(s.value)
                where = " (with known-good helpers)" if variant == STAND_INS else ""
                return (f"Public example{where}: {render_call(call)}\n"
                        f"  expected: {render(r.value)}\n  yours:    {yours}")[:1500]
        return None


def _held_note(check: Check, plan: Plan, variant: str) -> str:
    helpers = ", ".join(sorted({n for _, calls in plan.variants for c in calls
                                for n in c.isolate}))
    if variant == STAND_INS:
        return (f"{check.function} was judged with known-good {helpers}: a mistake in one of "
                "your own helpers is graded in that helper's part, not again here.")
    return (f"{check.function} was judged with your own {helpers}, with which it is correct.")


def _compare(check: Check, student: Sequence[Outcome], reference: Sequence[Outcome]
             ) -> Compared:
    failed = next((o for o in student if not o.ok), None)
    if failed is not None:
        return Compared(f"your {check.function} raised {failed.error}")
    try:
        answer = check.compare(student, reference)
    except Exception as exc:  # a malformed student result (wrong shape, type) fails the check
        return Compared(f"unexpected result from your {check.function}: "
                        f"{type(exc).__name__}: {exc}"[:300])
    if isinstance(answer, Compared):
        return answer
    return Compared(answer)


# ---------------------------------------------------------------- comparisons


def close(
    rtol: float = 1e-6,
    atol: float = 1e-8,
    parts: Sequence[int] | None = None,
    part_names: Sequence[str] | None = None,
) -> Comparison:
    """Every outcome (or the chosen parts of tuple outcomes) equals the reference's, in value;
    equivalent forms (see `compare_arrays`) are accepted with a note.

    Without part_names the whole result is one array (a nested list counts as one); with
    part_names the result is a tuple (or list) of that many parts.
    """

    def compare(student, reference) -> Compared:
        notes: list[str] = []
        for s_out, r_out in zip(student, reference, strict=True):
            if part_names is None:
                s_vals, r_vals = [s_out.value], [r_out.value]
            else:
                r_vals = list(r_out.value)
                if not isinstance(s_out.value, (list, tuple)) or len(s_out.value) != len(r_vals):
                    got = (len(s_out.value) if isinstance(s_out.value, (list, tuple)) else 1)
                    return Compared(f"it returned {got} value(s), expected {len(r_vals)} "
                                    f"({', '.join(part_names)})")
                s_vals = list(s_out.value)
            indices = range(len(r_vals)) if parts is None else parts
            for i in indices:
                label = f"your {part_names[i]}" if part_names else "your result"
                reason, note = compare_arrays(s_vals[i], r_vals[i], label, rtol, atol)
                if reason:
                    return Compared(reason, tuple(notes))
                if note:
                    notes.append(note)
        return Compared(None, tuple(dict.fromkeys(notes)))

    return compare


def same_outcome(student: Outcome, reference: Outcome) -> bool:
    """Whether one call's outcome equals the reference's (numbers within 1e-6, equivalent
    forms allowed): how a public example is picked, whatever the check compares."""
    return student.ok and _same(student.value, reference.value)


def _same(s: Any, r: Any) -> bool:
    if isinstance(r, (list, tuple)) and not _numeric(r):
        return (isinstance(s, (list, tuple)) and len(s) == len(r)
                and all(_same(a, b) for a, b in zip(s, r, strict=True)))
    if isinstance(r, dict):
        return (isinstance(s, dict) and s.keys() == r.keys()
                and all(_same(s[k], r[k]) for k in r))
    if isinstance(r, (bool, str)) or r is None:
        return s == r
    return compare_arrays(s, r)[0] is None


def _numeric(value: Any) -> bool:
    try:
        return np.asarray(value).dtype.kind in "biuf"
    except (ValueError, TypeError):
        return False


def compare_arrays(student: Any, reference: Any, label: str = "your result",
                   rtol: float = 1e-6, atol: float = 1e-8) -> tuple[str | None, str | None]:
    """(reason it differs or None, note on an accepted equivalent form or None)."""
    r = np.asarray(reference, dtype=float)
    if student is None:
        return f"{label} is None (a missing return?)", None
    try:
        s = np.asarray(student, dtype=float)
    except (TypeError, ValueError):
        return f"{label} is not numeric (got {type(student).__name__})", None
    note = None
    if s.shape != r.shape:
        if not equivalent_shape(s.shape, r.shape):
            return f"{label} has shape {s.shape}, expected {r.shape}", None
        note = (f"{label} is {_form(s.shape, r.shape)}; accepted, as the values are the "
                "same.")
        s = s.reshape(r.shape)
    bad = ~np.isfinite(s)
    if np.any(bad):
        return f"{label} contains inf or nan{_where(bad)}", None
    wrong = ~np.isclose(s, r, rtol=rtol, atol=atol)
    if np.any(wrong):
        return f"{label} differs from the expected values{_where(wrong)}", None
    return None, note


def _form(got: tuple[int, ...], want: tuple[int, ...]) -> str:
    if want == ():
        return f"an array of shape {got} where a number was expected"
    row = got == (1, want[0])
    return f"a {'(1, D)' if row else '(D, 1)'} array where a (D,) vector was expected"


def _where(mask: np.ndarray) -> str:
    """Where the first bad entry is, in a student's words."""
    if mask.ndim == 0:
        return ""
    index = tuple(int(i) for i in np.argwhere(mask)[0])
    if mask.ndim == 1:
        return f" (first at entry {index[0]}, counting from 0)"
    if mask.ndim == 2:
        return f" (first in row {index[0]}, column {index[1]}, counting from 0)"
    return f" (first at index {index})"


def verdict_of(value: Any) -> tuple[bool | None, str | None]:
    """A True/False verdict from a returned value: (verdict or None if there is none, note).

    None is never read as a boolean; a size-1 array or 0/1 counts with a note."""
    if isinstance(value, bool):
        return value, None
    if value is None or isinstance(value, (str, list, dict)):
        return None, None
    array = np.asarray(value)
    if array.size == 1 and array.dtype.kind in "biuf" and float(array.ravel()[0]) in (0.0, 1.0):
        verdict = bool(array.ravel()[0])
        return verdict, f"returned {value!r} for {verdict}; accepted."
    return None, None


# ---------------------------------------------------------------- rendering examples


def render(value: Any, limit: int = 600) -> str:
    """A short Python-like text for a value (arrays with 4 decimals)."""
    if isinstance(value, np.ndarray):
        text = "np.array(" + np.array2string(
            value, precision=4, separator=", ", threshold=60, max_line_width=90) + ")"
    elif isinstance(value, Ref):
        text = describe_ref(value)
    elif isinstance(value, (list, tuple)):
        inner = ", ".join(render(v, limit) for v in value)
        text = f"[{inner}]" if isinstance(value, list) else f"({inner})"
    elif isinstance(value, dict):
        text = "{" + ", ".join(f"{k!r}: {render(v, limit)}" for k, v in value.items()) + "}"
    elif isinstance(value, float):
        text = f"{value:.6g}"
    else:
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def render_call(call: Call) -> str:
    args = [render(a, 400) for a in call.args]
    args += [f"{k}={render(v, 200)}" for k, v in call.kwargs.items()]
    return f"{call.function}({', '.join(args)})"


REF_TEXT = {
    "replay_dataset": "a dataset whose sampleTokenIdx() returns {0} in turn",
    "objective": "f with cost sum(w * x**2) / 2 + sum(exp(k * x)) / k**2, w = {0}, k = {1}"
                 "{2}",
    "shifted": "f with cost sum((x - c)**2), c = {0}",
    "sampled": "f with cost (1 + random.random()) * sum(w * x**2) / 2, w = {0}",
    "normalise": "x / np.linalg.norm(x)",
    "window_cost": "a test cost function: cost = (target + 1) * sum(predicted) + "
                   "outputVectors[target] @ predicted, gradPred = (target + 1) + predicted "
                   "+ outputVectors[target], grad = (w + 1) / V * predicted in every row w "
                   "plus (target + 1) * predicted in row target",
}


def describe_ref(ref: Ref) -> str:
    """Words for a kernel-side object, so a student can rebuild it."""
    if ref.kind != "object":
        return ref.name
    args = [render(a, 200) for a in ref.args]
    if ref.name == "objective":
        error = ref.args[2] if len(ref.args) > 2 else None
        args = args[:2] + ([f", and its gradient plus {render(error, 200)}"]
                           if error is not None else [", and its exact gradient"])
    template = REF_TEXT.get(ref.name, ref.name)
    try:
        return "<" + template.format(*args) + ">"
    except IndexError:
        return f"<{ref.name}>"


__all__ = [
    "Check", "CheckResult", "Compared", "Hint", "Judge", "Plan", "PUBLIC_SEED", "close",
    "compare_arrays", "equivalent_shape", "render", "render_call",
    "verdict_of",
]
