"""The one catalogue of hidden checks, shared by the notebooks' hidden test cells and the engine.

    grade_cell("q1_softmax_hidden", globals())

runs every check of that nbgrader cell against the functions in `globals()`, prints one line
of feedback per check and returns the points earned, which nbgrader records as the cell's
partial credit. The engine runs the same plans in a sandbox and judges them with the same
`Judge` (see `model.py` for the grading policy).
"""

from __future__ import annotations

from functools import lru_cache

from autograder.checks import q1_softmax, q2_neural, q3_word2vec, q4_sentiment
from autograder.checks.model import Check, CheckResult, Judge, Plan
from autograder.kernel.probe import execute
from autograder.settings import GradingSettings

CATALOGUE: tuple[Check, ...] = (
    *q1_softmax.CHECKS,
    *q2_neural.CHECKS,
    *q3_word2vec.CHECKS,
    *q4_sentiment.CHECKS,
)
SEED_ENV = GradingSettings.env_name("check_seed")  # CS224N_CHECK_SEED


def check_seed() -> int:
    """The secret seed of the hidden inputs: the setting ``check_seed`` (``$CS224N_CHECK_SEED``,
    else its declared default). Read here, at each call, by the hidden cells that
    ``nbgrader autograde`` runs; the engine gets it from its GradingSettings."""
    return GradingSettings().check_seed


def checks_for_cell(cell: str) -> tuple[Check, ...]:
    found = tuple(c for c in CATALOGUE if c.cell == cell)
    if not found:
        raise KeyError(f"no checks are defined for cell {cell!r}")
    return found


def cell_points() -> dict[str, float]:
    """grade_id -> total points of its checks, for every hidden test cell."""
    points: dict[str, float] = {}
    for c in CATALOGUE:
        points[c.cell] = points.get(c.cell, 0.0) + c.points
    return points


@lru_cache(maxsize=4096)
def plan_for(check: Check, seed: int) -> Plan:
    """The calls of one check at one seed (cached: the judge caches reference outcomes per
    plan, so a batch computes them once)."""
    return Plan.build(check, seed)


@lru_cache(maxsize=1)
def default_judge() -> Judge:
    return Judge()


def run_check(check: Check, namespace: dict, seed: int | None = None,
              judge: Judge | None = None) -> CheckResult:
    """Judge one check in-process: the student's calls against the namespace given."""
    plan = plan_for(check, check_seed() if seed is None else seed)
    student = [execute(call, namespace) for call in plan.calls]
    return (judge or default_judge())(plan, student)


def grade_cell(cell: str, namespace: dict, seed: int | None = None) -> float:
    """Run the checks of one hidden test cell, print feedback, return the points earned."""
    results = [run_check(c, namespace, seed) for c in checks_for_cell(cell)]
    for result in results:
        print(result.feedback())
    return round(sum(r.score for r in results), 6)


__all__ = ["CATALOGUE", "Check", "CheckResult", "cell_points", "checks_for_cell", "grade_cell",
           "plan_for", "run_check"]
