"""The corpus of realistic students: complete solutions written the ways students write them.

Each Student defines every graded function in its own style, with the verdict a careful TA
gives each function: the checks it must fail (an empty tuple: right, full marks). The
verdicts were decided by reading the code against the 2017 handout and the notebooks' text,
before the grader was run; where the grader disagrees, the verdict stays and the
disagreement is a finding about the checks.

The students are grouped by style, one module per family:

* vectorised: modern numpy (`@`, keepdims, fancy indexing, np.add.at);
* loops: explicit Python loops over rows, examples, words and samples;
* python2: code ported mechanically from Python 2 (xrange shims, print(), float() divisions,
  map/reduce, the old skeleton that returns nothing);
* matrix: np.matrix, column vectors, explicit reshapes, stacking;
* helpers: helper functions shared between functions, in-place updates;
* rushed: many realistic mistakes made under a deadline.
"""

from __future__ import annotations

from autograder.audit.students import helpers, loops, matrix, python2, rushed, vectorised
from autograder.audit.students.model import GRADED, Student, student

STUDENTS: tuple[Student, ...] = (
    *vectorised.STUDENTS,
    *loops.STUDENTS,
    *python2.STUDENTS,
    *matrix.STUDENTS,
    *helpers.STUDENTS,
    *rushed.STUDENTS,
)

__all__ = ["GRADED", "STUDENTS", "Student", "student"]
