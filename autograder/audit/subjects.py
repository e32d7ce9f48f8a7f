"""What the audit runs: the mutant catalogue and the corpus of realistic students."""

from __future__ import annotations

from autograder.audit import Subject
from autograder.mutants import ERROR, Mutant, base_namespace, catalogue, load_source


def defined_functions(namespace: dict) -> frozenset[str]:
    """The assignment's functions that a namespace defines itself (not the reference's)."""
    from solutions import REFERENCE

    return frozenset(name for name, ref in REFERENCE.items()
                     if name in namespace and namespace[name] is not ref)


def mutant_subject(mutant: Mutant) -> Subject:
    ns = load_source(mutant.source)
    if mutant.kind == ERROR:
        return Subject(mutant.name, mutant.kind, ns, defined_functions(ns),
                       blame=frozenset(mutant.blame))
    return Subject(mutant.name, mutant.kind, ns, defined_functions(ns), expected=frozenset())


def mutant_subjects(names: set[str] | None = None) -> list[Subject]:
    return [mutant_subject(m) for m in catalogue() if names is None or m.name in names]


def student_subjects() -> list[Subject]:
    """One subject per realistic student (autograder.audit.students)."""
    from autograder.audit.students import STUDENTS

    subjects = []
    for student in STUDENTS:
        ns = load_source(student.source, base_namespace())
        expected = frozenset(c for checks in student.expected.values() for c in checks)
        subjects.append(Subject(student.name, "student", ns, defined_functions(ns),
                                expected=expected))
    return subjects
