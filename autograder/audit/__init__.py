"""The checks, tested like code: every check against every mutant and realistic student, on
many seeds, in-process (no sandbox: the checks' verdicts are what is audited, not isolation).

    autograder audit --seeds 200

Requirements, per seed:
* an ERROR mutant loses points in the checks of the functions it blames, and nowhere else;
* an EQUIVALENT mutant loses nothing;
* a realistic student's functions fail exactly the checks their expected verdicts name.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

from autograder.checks import CATALOGUE, Check
from autograder.checks.model import PUBLIC_SEED, Judge, Plan
from autograder.kernel.probe import execute

# The helpers each graded function calls by name: a mutant of a helper can change the
# function's outcomes with the student's own helpers.
DEPENDS: dict[str, frozenset[str]] = {
    "forward_backward_prop": frozenset({"softmax", "sigmoid", "sigmoid_grad"}),
    "softmaxCostAndGradient": frozenset({"softmax"}),
    "negSamplingCostAndGradient": frozenset({"sigmoid", "getNegativeSamples"}),
}


@dataclass(frozen=True)
class Subject:
    """Something audited: a namespace of functions and the checks it must fail.

    expected: None for "lose points in the checks of `blame` only, on every seed" (an ERROR
        mutant); otherwise the exact set of checks that must fail (empty: full marks).
    """

    name: str
    kind: str  # "error", "equivalent" or "student"
    namespace: dict
    defined: frozenset[str]  # the assignment functions it defines
    blame: frozenset[str] = frozenset()
    expected: frozenset[str] | None = None


@dataclass
class Tally:
    """One subject's results over the seeds."""

    subject: Subject
    lost: list[float] = field(default_factory=list)  # points lost, per seed
    misses: list[str] = field(default_factory=list)  # what went wrong, per failing seed
    killed_by: set[str] = field(default_factory=set)  # checks that failed on some seed
    verdicts: int = 0  # function verdicts given (students: one per graded function and seed)
    wrong_verdicts: int = 0  # of those, how many differ from the expected verdict

    @property
    def ok(self) -> bool:
        return not self.misses


def affected(check: Check, defined: Iterable[str]) -> bool:
    """Whether a subject defining `defined` can change this check's verdict.

    A check of another function is affected through that function's helpers only; helpers the
    check replaces by known-good stand-ins cannot lose it points (the stand-in variant is the
    reference's own outcome, and the better verdict stands).
    """
    names = set(defined)
    if check.function in names:
        return True
    return bool((DEPENDS.get(check.function, frozenset()) - _isolated(check)) & names)


@cache
def _isolated(check: Check) -> frozenset[str]:
    calls = check.calls(check.rng(PUBLIC_SEED))
    return frozenset.intersection(*(frozenset(c.isolate) for c in calls))


def audit_seed(subjects: Sequence[Subject], seed: int, checks: Sequence[Check] | None = None,
               judge: Judge | None = None) -> list[tuple[float, set[str], str | None]]:
    """Per subject: (points lost, checks failed, what went wrong or None) at one seed."""
    checks = CATALOGUE if checks is None else checks
    judge = judge or Judge()
    plans = {c.name: Plan.build(c, seed, examples=False) for c in checks}
    results = []
    for subject in subjects:
        failed: set[str] = set()
        lost = 0.0
        for check in checks:
            if not affected(check, subject.defined):
                continue
            plan = plans[check.name]
            outcomes = [execute(call, subject.namespace) for call in plan.calls]
            verdict = judge(plan, outcomes, explain=False)
            if not verdict.passed and not check.advice:
                failed.add(check.name)
                lost += check.points - verdict.score
        results.append((round(lost, 6), failed, _miss(subject, failed, checks)))
    return results


def _miss(subject: Subject, failed: set[str], checks: Sequence[Check]) -> str | None:
    if subject.expected is not None:
        if failed == subject.expected:
            return None
        extra, missing = sorted(failed - subject.expected), sorted(subject.expected - failed)
        return f"failed {extra} unexpectedly; passed {missing} unexpectedly"
    blamed = {c.name for c in checks if c.function in subject.blame}
    collateral = sorted(failed - blamed)
    if collateral:
        return f"also failed {collateral} (a bug must cost once)"
    if not failed & blamed:
        return "lost no points"
    return None


@cache
def _scored_checks_by_function(checks: tuple[Check, ...]) -> dict[str, frozenset[str]]:
    by_function: dict[str, set[str]] = {}
    for check in checks:
        if not check.advice:
            by_function.setdefault(check.function, set()).add(check.name)
    return {f: frozenset(names) for f, names in by_function.items()}


def function_verdicts(subject: Subject, failed: set[str]) -> tuple[int, int]:
    """(function verdicts given, how many are wrong): a function's verdict is the set of its
    checks that failed, and it is wrong when that set differs from the expected one."""
    by_function = _scored_checks_by_function(tuple(CATALOGUE))
    expected = subject.expected or frozenset()
    functions = [f for f in by_function if f in subject.defined]
    wrong = sum(1 for f in functions
                if by_function[f] & failed != by_function[f] & expected)
    return len(functions), wrong


def run(subjects: Sequence[Subject], seeds: Sequence[int]) -> list[Tally]:
    """Every subject at every seed (one process)."""
    tallies = [Tally(s) for s in subjects]
    for seed in seeds:
        judge = Judge()  # a fresh cache per seed: reference outcomes are per plan
        for tally, (lost, failed, miss) in zip(tallies, audit_seed(subjects, seed, judge=judge),
                                               strict=True):
            tally.lost.append(lost)
            tally.killed_by |= failed
            if tally.subject.expected is not None:
                given, wrong = function_verdicts(tally.subject, failed)
                tally.verdicts += given
                tally.wrong_verdicts += wrong
            if miss:
                tally.misses.append(f"seed {seed}: {miss}")
    return tallies


__all__ = ["DEPENDS", "Subject", "Tally", "affected", "audit_seed", "run"]
