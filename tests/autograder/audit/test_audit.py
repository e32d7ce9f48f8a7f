"""The audit itself: on 20 seeds every mutant and realistic student gets its expected verdict,
and the audit notices a weakened check (so a weakened check cannot land)."""

import dataclasses

import numpy as np
import pytest

from autograder import checks
from autograder.audit import Subject, affected, run
from autograder.audit.subjects import mutant_subjects, student_subjects
from autograder.checks import CATALOGUE
from autograder.kernel.probe import Call
from autograder.mutants import EQUIVALENT, ERROR, catalogue, load_source

SEEDS = range(1, 21)


@pytest.mark.slow
def test_every_mutant_and_student_gets_its_verdict_on_20_seeds():
    tallies = run(mutant_subjects() + student_subjects(), SEEDS)
    misses = [f"{t.subject.name}: {m}" for t in tallies for m in t.misses[:2]]
    assert misses == []
    students = [t for t in tallies if t.subject.kind == "student"]
    assert sum(t.wrong_verdicts for t in students) == 0
    assert sum(t.verdicts for t in students) >= 40 * 14 * len(SEEDS)


def test_a_wrong_function_verdict_is_counted():
    from autograder.audit import function_verdicts

    ns = load_source("""
        def softmax(x):
            return np.zeros(np.shape(x))
        """)
    said_right = Subject("s", "student", ns, frozenset({"softmax"}), expected=frozenset())
    assert function_verdicts(said_right, {"softmax_vector"}) == (1, 1)
    assert function_verdicts(said_right, set()) == (1, 0)


def test_the_catalogue_is_large_and_covers_every_graded_function():
    mutants = catalogue()
    assert len(mutants) >= 60
    assert any(m.kind == EQUIVALENT for m in mutants)
    functions = {c.function for c in CATALOGUE}
    blamed = {f for m in mutants if m.kind == ERROR for f in m.blame}
    assert functions <= blamed, f"no ERROR mutant for {sorted(functions - blamed)}"


def test_every_mutant_defines_what_it_blames():
    for subject in mutant_subjects():
        if subject.kind == ERROR:
            assert subject.blame <= subject.defined or subject.blame & subject.defined, subject.name


def test_a_weakened_check_is_caught(monkeypatch):
    """A stability check whose inputs are small lets the unshifted softmax through: the audit
    reports it."""
    small = [Call("softmax", (np.zeros((2, 3)),), strict_warnings=True)] * 4
    weakened = tuple(dataclasses.replace(c, calls=lambda rng: small)
                     if c.name == "softmax_stability" else c for c in CATALOGUE)
    monkeypatch.setattr(checks, "CATALOGUE", weakened)
    import autograder.audit as audit

    monkeypatch.setattr(audit, "CATALOGUE", weakened)
    subject = next(s for s in mutant_subjects({"softmax_no_shift"}))
    tally, = run([subject], [1, 2])
    assert not tally.ok and "lost no points" in tally.misses[0]


def test_collateral_damage_is_a_miss():
    """An ERROR mutant that also loses points in another function's checks breaks 'a bug costs
    once': blaming only softmax, a mutant of both softmax and sigmoid is a miss."""
    ns = load_source("""
        def softmax(x):
            return np.zeros(np.shape(x))

        def sigmoid(x):
            return np.zeros(np.shape(x))
        """)
    subject = Subject("two_bugs", ERROR, ns, frozenset({"softmax", "sigmoid"}),
                      blame=frozenset({"softmax"}))
    tally, = run([subject], [1])
    assert "a bug must cost once" in tally.misses[0]


def test_affected_skips_helpers_replaced_by_stand_ins():
    by_name = {c.name: c for c in CATALOGUE}
    fbp = by_name["forward_backward_cost"]
    assert affected(fbp, {"forward_backward_prop"})
    assert not affected(fbp, {"softmax"})  # the stand-in variant keeps the reference's verdict
    assert not affected(by_name["softmax_vector"], {"sigmoid"})
