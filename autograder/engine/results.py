"""What grading one submission produces: plain dataclasses that round-trip through JSON."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

ENGINE_VERSION = "3"  # raised whenever a change can alter a grade: cached results regrade


@dataclass
class CheckOutcome:
    """One hidden check's verdict, as the student may see it."""

    name: str
    points: float
    score: float
    description: str
    message: str | None = None  # what went wrong; None when passed
    note: str | None = None  # equivalent forms accepted, which helpers the verdict used

    @property
    def passed(self) -> bool:
        return self.message is None


@dataclass
class CellGrade:
    """One graded nbgrader cell. score is None for a written answer awaiting a human."""

    notebook: str
    grade_id: str
    max_points: float
    score: float | None
    auto: bool
    checks: list[CheckOutcome] = field(default_factory=list)


@dataclass
class NotebookReport:
    """How one notebook went: graded, missing, invalid, or stopped (crash, timeout, memory)."""

    name: str
    status: str
    message: str | None = None
    seconds: float = 0.0
    cell_errors: list[str] = field(default_factory=list)  # "cell 7: NameError: ..."
    cells: list[CellGrade] = field(default_factory=list)
    # the late policy's verdict for this notebook's submission (autograder.deadlines), kept
    # per notebook as nbgrader's SubmittedNotebook.late_submission_penalty is
    late_penalty: float = 0.0
    late_note: str = ""


@dataclass
class SubmissionResult:
    student: str
    digest: str
    notebooks: list[NotebookReport] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files refused when reading
    notes: list[str] = field(default_factory=list)  # files set aside or renamed (no error)
    engine_version: str = ENGINE_VERSION
    seed_tag: str = ""  # a hash of the secret seed: changes invalidate cached results
    submitted_at: str | None = None  # ISO 8601 with offset, when the submission time is known

    @property
    def cells(self) -> list[CellGrade]:
        return [c for nb in self.notebooks for c in nb.cells]

    @property
    def auto_score(self) -> float:
        """The automatic checks' points after any late penalty (never below 0)."""
        return round(max(0.0, self.auto_score_before_penalty - self.late_penalty), 6)

    @property
    def auto_score_before_penalty(self) -> float:
        return round(sum(c.score or 0.0 for c in self.cells if c.auto), 6)

    @property
    def late_penalty(self) -> float:
        return round(sum(nb.late_penalty for nb in self.notebooks), 6)

    @property
    def late_notes(self) -> list[str]:
        """The late policy's notes of the notebooks, each once."""
        return list(dict.fromkeys(nb.late_note for nb in self.notebooks if nb.late_note))

    @property
    def auto_max(self) -> float:
        return round(sum(c.max_points for c in self.cells if c.auto), 6)

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1)

    @classmethod
    def from_json(cls, text: str) -> SubmissionResult:
        data = json.loads(text)
        notebooks = []
        for nb in data.pop("notebooks"):
            cells = []
            for cell in nb.pop("cells"):
                checks = [CheckOutcome(**c) for c in cell.pop("checks")]
                cells.append(CellGrade(**cell, checks=checks))
            notebooks.append(NotebookReport(**nb, cells=cells))
        return cls(**data, notebooks=notebooks)
