"""SubmissionResults built by hand from the assignment's real graded cells and checks."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import nbformat

from autograder.checks import CATALOGUE
from autograder.engine.results import CellGrade, CheckOutcome, NotebookReport, SubmissionResult

REPO = Path(__file__).resolve().parents[3]
NOTEBOOKS = ("q1_softmax", "q2_neural", "q3_word2vec", "q4_sentiment")
HOSTILE = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '=HYPERLINK("http://x")',
    "ünïcödé ✓ 漢字 🙂\nsecond line\r\nthird",
    "\u202eevil\x00\x1b[31m\ud800",
)
HOSTILE_TEXT = " ".join(HOSTILE)


@dataclass(frozen=True)
class Cell:
    notebook: str
    grade_id: str
    points: float
    auto: bool


def graded_cells(source: Path = REPO / "source" / "ps1") -> list[Cell]:
    """Every grade cell of the source notebooks, in notebook order; auto = has checks."""
    auto = {c.cell for c in CATALOGUE}
    cells = []
    for name in NOTEBOOKS:
        nb = nbformat.read(source / f"{name}.ipynb", as_version=4)
        for cell in nb.cells:
            meta = cell.metadata.get("nbgrader", {})
            if meta.get("grade"):
                cells.append(Cell(name, meta["grade_id"], float(meta["points"]),
                                  meta["grade_id"] in auto))
    return cells


def _checks(grade_id: str, failing: set[str], reason: str | None = None) -> list[CheckOutcome]:
    out = []
    for check in CATALOGUE:
        if check.cell != grade_id:
            continue
        if reason is None and check.name not in failing:
            out.append(CheckOutcome(check.name, check.points, check.points, check.description))
        else:
            out.append(CheckOutcome(check.name, check.points, 0.0, check.description,
                                    reason or f"{check.part}: your result differs (wrong values)."))
    return out


def build(student: str, cells: list[Cell], *, failing: frozenset[str] = frozenset(),
          answered: frozenset[str] | None = None, statuses: dict[str, str] | None = None,
          digest: str = "d" * 64) -> SubmissionResult:
    """A result: every check passes except `failing` (check names); written answers in
    `answered` await the staff (score None), the others are unchanged (score 0); notebooks in
    `statuses` ("missing", "invalid", "stopped") score zero like the engine's."""
    statuses = statuses or {}
    result = SubmissionResult(student, digest)
    for name in NOTEBOOKS:
        status = statuses.get(name, "graded")
        reason = None if status == "graded" else f"{name}: {status}"
        report = NotebookReport(name, status, reason, 1.5)
        for cell in (c for c in cells if c.notebook == name):
            if cell.auto:
                checks = _checks(cell.grade_id, set(failing), reason)
                score = round(sum(c.score for c in checks), 6)
                report.cells.append(CellGrade(name, cell.grade_id, cell.points, score, True,
                                              checks))
            else:
                written = (answered is None or cell.grade_id in answered) and reason is None
                report.cells.append(CellGrade(name, cell.grade_id, cell.points,
                                              None if written else 0.0, False))
        result.notebooks.append(report)
    return result


def correct(cells: list[Cell]) -> SubmissionResult:
    return build("correct", cells)


def faulty(cells: list[Cell]) -> SubmissionResult:
    result = build("faulty", cells, failing=frozenset({"softmax_stability", "sgd_converges"}),
                   answered=frozenset({"q1a_written"}))
    result.notebooks[1].cell_errors = ["cell 7: NameError: name 'np' is not defined"]
    return result


def missing_notebook(cells: list[Cell]) -> SubmissionResult:
    result = build("absent", cells, statuses={"q4_sentiment": "missing"})
    result.notebooks[2].status = "stopped"
    result.notebooks[2].message = "your notebook was stopped after 300 s while running cell 9"
    return result


def hostile(cells: list[Cell]) -> SubmissionResult:
    """Student text everywhere a student can reach (and in trusted fields too, to be sure)."""
    result = build(f"mallory{HOSTILE_TEXT}", cells, failing=frozenset({"softmax_vector"}),
                   digest=HOSTILE_TEXT)
    result.problems = [f"{h}.ipynb: not a notebook" for h in HOSTILE]
    for report in result.notebooks:
        report.message = HOSTILE_TEXT
        report.cell_errors = [f"cell {i}: {h}" for i, h in enumerate(HOSTILE)]
        for cell in report.cells:
            for check in cell.checks:
                check.message = HOSTILE_TEXT
                check.description = HOSTILE[0]
    auto = [c for c in result.notebooks[0].cells if c.auto]
    auto[0].checks[0].name = HOSTILE[1]
    written = [c for c in result.notebooks[0].cells if not c.auto]
    written[0].grade_id = HOSTILE[0]
    result.notebooks[1].status = "stopped"
    return result


def all_results(cells: list[Cell]) -> list[SubmissionResult]:
    return [correct(cells), faulty(cells), missing_notebook(cells), hostile(cells)]
