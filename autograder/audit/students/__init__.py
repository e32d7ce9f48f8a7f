"""The corpus of realistic students: complete solutions written the ways students write them.

Each Student defines every graded function in its own style, with the verdict a careful TA
gives each function: the checks it must fail (an empty tuple: right, full marks).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Student:
    name: str
    style: str  # how this student writes code, in a few words
    source: str  # the student's functions, as run in their notebooks' namespace
    expected: dict[str, tuple[str, ...]]  # function -> the checks it must fail


STUDENTS: tuple[Student, ...] = ()
