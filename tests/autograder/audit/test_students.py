"""The corpus of realistic students is well formed: large enough, every graded function written
by every student, verdicts that name real checks of the right function, and sources that run.

(Whether the grader agrees with the verdicts is the audit's test, tests/autograder/audit/
test_audit.py.)"""

from collections import Counter

import pytest

from autograder.audit.students import GRADED, STUDENTS, Student, student
from autograder.audit.subjects import defined_functions
from autograder.checks import CATALOGUE
from autograder.mutants import base_namespace, load_source

CHECKS_OF = {f: {c.name for c in CATALOGUE if c.function == f} for f in GRADED}


def test_the_corpus_has_at_least_40_students_with_unique_names():
    names = [s.name for s in STUDENTS]
    assert len(names) >= 40
    assert [n for n, k in Counter(names).items() if k > 1] == []


def test_every_graded_function_is_checked():
    """GRADED lists exactly the functions the catalogue checks."""
    assert {c.function for c in CATALOGUE} == set(GRADED)


@pytest.mark.parametrize("s", STUDENTS, ids=lambda s: s.name)
def test_each_verdict_names_real_checks_of_its_function(s: Student):
    assert set(s.expected) == set(GRADED)
    for function, failed in s.expected.items():
        assert isinstance(failed, tuple)
        unknown = set(failed) - CHECKS_OF[function]
        assert not unknown, f"{function}: not checks of {function}: {sorted(unknown)}"
        assert len(set(failed)) == len(failed), f"{function}: a check named twice"


@pytest.mark.parametrize("s", STUDENTS, ids=lambda s: s.name)
def test_each_source_runs_and_defines_every_graded_function(s: Student):
    namespace = load_source(s.source, base_namespace())
    missing = set(GRADED) - defined_functions(namespace)
    assert not missing, f"the reference's {sorted(missing)} would be graded, not the student's"
    assert all(callable(namespace[f]) for f in GRADED)


def test_the_corpus_mixes_right_and_wrong_solutions():
    """Most solutions right, in varied forms, and a large share wrong; some students entirely
    right, and every function wrong for some student and right for another."""
    verdicts = [(f, bool(s.expected[f])) for s in STUDENTS for f in GRADED]
    right = sum(1 for _, wrong in verdicts if not wrong) / len(verdicts)
    assert 0.55 <= right <= 0.75
    assert any(not any(s.expected.values()) for s in STUDENTS)
    for function in GRADED:
        outcomes = {wrong for f, wrong in verdicts if f == function}
        assert outcomes == {True, False}, function


def test_a_student_with_a_verdict_for_an_unknown_function_is_refused():
    with pytest.raises(ValueError, match="not graded"):
        student("x", "style", "", {"not_a_function": ()})
