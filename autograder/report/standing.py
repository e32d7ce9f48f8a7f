"""A student's standing grade: each notebook from their latest submission that included it.

A student may submit notebook by notebook (q1 on Monday, q2 on Tuesday) or the whole
assignment at once. A later upload replaces the notebooks it contains and keeps the others,
so submitting q2 never throws away the graded q1. The gradebook, the class CSV and the
student's page all show this one standing grade.
"""

from __future__ import annotations

import hashlib
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field, replace
from typing import Generic, TypeVar

from autograder.engine.results import NotebookReport, SubmissionResult

Key = TypeVar("Key", bound=Hashable)
MISSING = "missing"


@dataclass
class Standing(Generic[Key]):
    """The merged result, and for each notebook the key of the submission it came from
    (notebooks never submitted have no source)."""

    result: SubmissionResult
    sources: dict[str, Key] = field(default_factory=dict)


def standing(graded: Sequence[tuple[Key, SubmissionResult]]) -> Standing[Key] | None:
    """Merge one student's graded submissions, given oldest first; None if there are none.

    Every notebook comes from the newest submission that included it (whatever its status:
    a notebook submitted again that now crashes replaces the earlier good one, as in
    nbgrader). The notebooks are listed in the newest result's order; problems (files
    refused) are the newest submission's.
    """
    if not graded:
        return None
    students = {result.student for _, result in graded}
    if len(students) != 1:
        raise ValueError(f"one student's submissions expected, got {sorted(students)}")
    _, newest = graded[-1]
    chosen: dict[str, tuple[Key, NotebookReport]] = {}
    for key, result in graded:
        for report in result.notebooks:
            if report.status != MISSING or report.name not in chosen:
                chosen[report.name] = (key, report)
    order = [nb.name for nb in newest.notebooks]
    order += [name for name in chosen if name not in order]
    sources = {name: chosen[name][0] for name in order if chosen[name][1].status != MISSING}
    used = set(sources.values())
    digests = [result.digest for key, result in graded if key in used] or [newest.digest]
    merged = replace(newest, notebooks=[chosen[name][1] for name in order],
                     digest=_digest(digests))
    return Standing(merged, sources)


def _digest(digests: list[str]) -> str:
    """The one submission's own digest, or a digest of the digests merged."""
    if len(digests) == 1:
        return digests[0]
    return "merged:" + hashlib.sha256("\n".join(digests).encode()).hexdigest()
