"""The assignment as the grader needs it: a private gradebook of the source cells, the public
release files, and nbgrader's own preprocessors to restore what students must not change."""

from __future__ import annotations

import functools
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import nbformat

from autograder.checks import cell_points
from autograder.engine import nbgrader_speedup, notebook_io
from autograder.settings import GradingSettings, declared_default

log = logging.getLogger(__name__)
ASSIGNMENT: str = declared_default("assignment")


class NotebookError(ValueError):
    """A submitted notebook cannot be graded (the message is shown to the student)."""


@dataclass
class GradedCell:
    """A graded cell of the source: grade_id, points, and whether the catalogue scores it."""

    notebook: str
    grade_id: str
    points: float
    auto: bool


class AssignmentCopy:
    """`nbgrader generate_assignment` run once into a private folder.

    Gives the gradebook that nbgrader's OverwriteCells restores locked and graded cells from,
    and the release's public support files that every sandbox gets (never the student's copy).
    ``course_root`` defaults to the setting ``course_root`` (the working directory, or
    ``AUTOGRADER_COURSE_ROOT``).
    """

    def __init__(self, course_root: Path | None = None, assignment: str = ASSIGNMENT,
                 workdir: Path | None = None, generate: bool = True,
                 gradebook_url: str | None = None):
        self.course_root = Path(course_root if course_root is not None
                                else GradingSettings().course_root)
        self.assignment = assignment
        self.gradebook_url = gradebook_url  # None: a private SQLite gradebook in the folder
        self._tmp = None if workdir else tempfile.TemporaryDirectory(prefix="autograder-course-")
        self.root = Path(workdir) if workdir else Path(self._tmp.name)
        self.root.mkdir(parents=True, exist_ok=True)
        if generate:
            self._generate()

    @classmethod
    def existing(cls, root: Path, assignment: str = ASSIGNMENT) -> AssignmentCopy:
        """An AssignmentCopy already generated in root (e.g. by the parent process)."""
        return cls(root, assignment, workdir=root, generate=False)

    def _generate(self) -> None:
        shutil.copy(self.course_root / "nbgrader_config.py", self.root / "nbgrader_config.py")
        src = self.course_root / "source" / self.assignment
        dst = self.root / "source" / self.assignment
        if dst.exists():
            shutil.rmtree(dst)
        shutil.copytree(src, dst, ignore=shutil.ignore_patterns("__pycache__", ".ipynb_*"))
        env = dict(os.environ)
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
        env.pop("CS224N_GRADEBOOK_URL", None)  # nbgrader_config.py reads it
        if self.gradebook_url:
            env["CS224N_GRADEBOOK_URL"] = self.gradebook_url
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "nbgrader"), "generate_assignment",
             self.assignment, "--force"],
            cwd=self.root, env=env, capture_output=True, text=True, timeout=600,
        )
        if proc.returncode != 0:
            raise RuntimeError(f"nbgrader generate_assignment failed:\n{proc.stderr[-3000:]}")
        log.info("assignment %s prepared in %s", self.assignment, self.root)

    def close(self) -> None:
        """Remove the private folder (when this object made it)."""
        if self._tmp is not None:
            self._tmp.cleanup()

    @property
    def db_url(self) -> str:
        return self.gradebook_url or f"sqlite:///{self.root / 'gradebook.db'}"

    @property
    def release(self) -> Path:
        return self.root / "release" / self.assignment

    @cached_property
    def notebooks(self) -> tuple[str, ...]:
        return tuple(sorted(p.stem for p in (self.root / "source" / self.assignment)
                            .glob("*.ipynb")))

    @cached_property
    def identities(self) -> dict[str, set[str]]:
        """notebook name -> the grade ids of its nbgrader cells: how a renamed notebook is
        recognised (Submission.identify)."""
        from autograder.engine.submission import grade_ids

        return {name: grade_ids(nbformat.read(
                    self.root / "source" / self.assignment / f"{name}.ipynb", 4))
                for name in self.notebooks}

    @cached_property
    def graded_cells(self) -> list[GradedCell]:
        auto = cell_points()
        cells = []
        for name in self.notebooks:
            nb = nbformat.read(self.root / "source" / self.assignment / f"{name}.ipynb", 4)
            for cell in nb.cells:
                meta = cell.metadata.get("nbgrader", {})
                if meta.get("grade"):
                    cells.append(GradedCell(name, meta["grade_id"], float(meta["points"]),
                                            meta["grade_id"] in auto))
        return cells

    @cached_property
    def _source_cells(self) -> dict[str, _NotebookSource]:
        """Every notebook's source cells, read from the gradebook once per process: restoring
        is then in-memory work (nbgrader's OverwriteCells asked the database ~40 times a
        notebook). The gradebook is written once, by generate_assignment, before any grading."""
        from nbgrader.api import Gradebook

        with Gradebook(self.db_url) as gb:
            found = {}
            for notebook in gb.find_assignment(self.assignment).notebooks:
                found[notebook.name] = _NotebookSource.read(notebook)
            return found

    def support_files(self) -> list[Path]:
        """The release's files other than notebooks (the public support package)."""
        return [p for p in self.release.iterdir() if p.suffix != ".ipynb"]

    def restore(self, name: str, raw: bytes, notes: list[str] | None = None
                ) -> nbformat.NotebookNode:
        """Parse and validate a submitted notebook, then let nbgrader put back every locked
        and graded cell from the gradebook (edited or deleted ones included).

        notes: receives nbgrader's warnings (an edited locked cell, a missing graded cell).
        """
        from nbgrader.api import MissingEntry
        from nbgrader.preprocessors import CheckCellMetadata, ClearOutput, DeduplicateIds

        nbgrader_speedup.install()
        overwrite_cells, overwrite_kernelspec = _memory_preprocessors()
        gradebook = self._source_cells.get(name)

        try:
            with warnings.catch_warnings():  # nbformat repairs duplicate cell ids, and says so
                warnings.simplefilter("ignore")
                # bounded: size first, then nesting depth and cell count (notebook_io)
                nb = notebook_io.reads_notebook(raw)
                nbformat.validate(nb)
        except Exception as exc:  # any parse or schema problem is the student's to fix
            raise NotebookError(f"{name}.ipynb is not a valid notebook ({_short(exc)})") from None
        _drop_ambiguous_metadata(nb, name, notes)
        resources = {"nbgrader": {"notebook": name, "assignment": self.assignment,
                                  "db_url": self.db_url}}
        collector = _Collector()
        quiet = logging.getLogger(f"{__name__}.nbgrader")
        quiet.propagate = False
        quiet.addHandler(collector)
        try:
            if gradebook is None:  # as nbgrader's own preprocessors fail on it
                raise MissingEntry(f"No such notebook: {self.assignment}/{name}")
            for pp in (ClearOutput(), DeduplicateIds(), overwrite_kernelspec(gradebook),
                       overwrite_cells(gradebook, add_missing_cells=True), CheckCellMetadata()):
                pp.log = quiet
                nb, resources = pp.preprocess(nb, resources)
        except Exception as exc:
            raise NotebookError(f"{name}.ipynb has damaged grading metadata ({_short(exc)}); "
                                "start again from the released notebook") from None
        finally:
            quiet.removeHandler(collector)
        if notes is not None:
            notes.extend(f"{name}.ipynb: {m}" for m in collector.messages)
        try:  # what the job folder will hold, written compactly: refused here if too large
            notebook_io.dumps_notebook(nb)
        except notebook_io.NotebookFormatError as exc:
            raise NotebookError(f"{name}.ipynb is too large to grade ({exc})") from None
        return nb


@dataclass(frozen=True)
class _SourceCell:
    """The gradebook's SourceCell, as nbgrader's OverwriteCells reads it."""

    name: str
    cell_type: str
    locked: bool
    checksum: str | None
    source: str


@dataclass(frozen=True)
class _ScoredCell:
    """The gradebook's GradeCell or TaskCell, as OverwriteCells reads it."""

    name: str
    max_score: float


@dataclass(frozen=True)
class _NotebookSource:
    """One notebook of the gradebook, with the Gradebook lookups OverwriteCells and
    OverwriteKernelspec make (same answers, same MissingEntry), from memory."""

    name: str
    kernelspec: str | None
    source_cells: tuple[_SourceCell, ...]
    grade_cells: tuple[_ScoredCell, ...]
    solution_cells: tuple[_ScoredCell, ...]
    task_cells: tuple[_ScoredCell, ...]

    @classmethod
    def read(cls, notebook) -> _NotebookSource:
        """From nbgrader's Notebook row (cells in the order its relationships give them)."""
        def scored(cells) -> tuple[_ScoredCell, ...]:
            return tuple(_ScoredCell(c.name, getattr(c, "max_score", 0.0)) for c in cells)

        return cls(notebook.name, notebook.kernelspec,
                   tuple(_SourceCell(c.name, c.cell_type, c.locked, c.checksum, c.source)
                         for c in notebook.source_cells),
                   scored(notebook.grade_cells), scored(notebook.solution_cells),
                   scored(notebook.task_cells))

    def find_notebook(self, name: str, assignment: str) -> _NotebookSource:
        return self

    def find_source_cell(self, name: str, notebook: str, assignment: str) -> _SourceCell:
        from nbgrader.api import MissingEntry

        for cell in self.source_cells:
            if cell.name == name:
                return cell
        raise MissingEntry(f"No such source cell: {assignment}/{notebook}/{name}")

    def find_graded_cell(self, name: str, notebook: str, assignment: str) -> _ScoredCell:
        from nbgrader.api import MissingEntry

        for cell in (*self.grade_cells, *self.task_cells):  # as nbgrader: grade, then task
            if cell.name == name:
                return cell
        raise MissingEntry(f"No such grade cell: {assignment}/{notebook}/{name}")

    def __enter__(self) -> _NotebookSource:
        return self

    def __exit__(self, *exc) -> None:
        return None


@functools.cache
def _memory_preprocessors():
    """nbgrader's OverwriteCells and OverwriteKernelspec reading a _NotebookSource instead of
    opening the gradebook (their cell logic is nbgrader's own, unchanged)."""
    from nbgrader.preprocessors import OverwriteCells, OverwriteKernelspec
    from nbgrader.preprocessors.base import NbGraderPreprocessor

    class MemoryOverwriteCells(OverwriteCells):
        def __init__(self, source: _NotebookSource, **kwargs) -> None:
            super().__init__(**kwargs)
            self._source = source

        def preprocess(self, nb, resources):
            self.notebook_id = resources["nbgrader"]["notebook"]
            self.assignment_id = resources["nbgrader"]["assignment"]
            self.gradebook = self._source
            nb, resources = NbGraderPreprocessor.preprocess(self, nb, resources)
            if self.add_missing_cells:
                nb, resources = self.add_missing_grade_cells(nb, resources)
                nb, resources = self.add_missing_task_cells(nb, resources)
            return nb, resources

    class MemoryOverwriteKernelspec(OverwriteKernelspec):
        def __init__(self, source: _NotebookSource, **kwargs) -> None:
            super().__init__(**kwargs)
            self._source = source

        def preprocess(self, nb, resources):
            if self._source.kernelspec is not None:
                kernelspec = json.loads(self._source.kernelspec)
                if kernelspec:
                    nb.metadata["kernelspec"] = kernelspec
            return nb, resources

    return MemoryOverwriteCells, MemoryOverwriteKernelspec


def _drop_ambiguous_metadata(nb, name: str, notes: list[str] | None) -> None:
    """Cells whose nbgrader metadata has no grade_id, or repeats an earlier grade_id, become
    plain cells (nbgrader's DeduplicateIds would leave half the metadata and fail later)."""
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        meta = cell.metadata.get("nbgrader")
        if meta is None:
            continue
        grade_id = meta.get("grade_id") if isinstance(meta, dict) else None
        if not isinstance(grade_id, str) or grade_id in seen:
            del cell.metadata["nbgrader"]
            if notes is not None:
                what = f"repeats grade id {grade_id}" if grade_id else "has no grade id"
                notes.append(f"{name}.ipynb: cell {index + 1} {what}; it is not graded")
        else:
            seen.add(grade_id)


class _Collector(logging.Handler):
    """Keeps nbgrader's warnings about a notebook, in words a student understands."""

    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if "checksum" in text:
            return  # nbgrader says so for every hidden test cell (their tests were stripped)
        if "Missing grade cell" in text:
            cell = text.split("Missing grade cell", 1)[1].split()[0]
            text = f"graded cell {cell} was missing; the original was put back"
        self.messages.append(text[:300])


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]
