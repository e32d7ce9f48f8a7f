"""What a mutant is (kept apart from the catalogue in autograder.mutants, which the
problem modules that define mutants would otherwise import back)."""

from __future__ import annotations

from dataclasses import dataclass

ERROR, EQUIVALENT = "error", "equivalent"


@dataclass(frozen=True)
class Mutant:
    """One mutant.

    name: unique id, e.g. "softmax_no_shift".
    kind: ERROR or EQUIVALENT.
    blame: for ERROR, the functions whose checks must lose points (all others keep theirs);
        for EQUIVALENT, the functions it rewrites.
    about: the mistake (or the form) in a student's words.
    source: the student-style code defining the functions.
    """

    name: str
    kind: str
    blame: tuple[str, ...]
    about: str
    source: str

    def __post_init__(self) -> None:
        if self.kind not in (ERROR, EQUIVALENT):
            raise ValueError(f"mutant {self.name}: kind must be {ERROR!r} or {EQUIVALENT!r}")
