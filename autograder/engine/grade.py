"""Grade one submission: restore, run each notebook in a sandbox, judge in this process.

For each notebook the sandbox gets a fresh folder with the student's restored notebooks (hidden
test cells emptied), the release's support files and the calls of that notebook's checks. The
runner executes the notebook, then answers the calls; this process reads the answers back as
plain data and judges them with the checks catalogue against the reference solutions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import re
import shutil
import signal
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import nbformat

from autograder import kernel
from autograder.checks import CATALOGUE, Check, check_seed, plan_for
from autograder.checks.model import Judge, Plan
from autograder.engine import kept_notebook, notebook_io
from autograder.engine.cell_names import describe_cell
from autograder.engine.course import AssignmentCopy, NotebookError
from autograder.engine.results import (
    CellGrade,
    CheckOutcome,
    NotebookReport,
    SubmissionResult,
)
from autograder.engine.submission import Submission
from autograder.kernel import keeper, wire, zygote
from autograder.kernel.runner import STARTED
from autograder.sandbox import Limits, RunResult, Sandbox, SandboxUnavailable
from autograder.settings import GradingSettings, SandboxSettings, declared_default

log = logging.getLogger(__name__)
KERNEL_DIR = Path(kernel.__file__).resolve().parent
RUNTIME_FILES = {f"/opt/grader/kernel/{p.name}": p for p in KERNEL_DIR.glob("*.py")}
HIDDEN_PLACEHOLDER = "# hidden tests: run by the grader outside your notebook"
SANITY_PLACEHOLDER = "# sanity checks: yours to run; they do not count for the grade"
MAX_STATUS_BYTES = 1024**2
ZYGOTE_SETUP_SECONDS = 60.0
"""Wall clock a sandbox gets beyond its notebooks' own limits: the zygote's start and imports."""
_IMPORT_LINE = re.compile(r"^(?:from|import)\s+([A-Za-z_][\w.]*)", re.MULTILINE)


@dataclass
class GradingOptions:
    """How notebooks run in the sandbox: the engine's view of the grading settings.

    The grader builds it with :meth:`from_settings`. A field left out takes the default that
    :class:`autograder.settings.GradingSettings` declares; the seed and the sandbox's options
    are read from the environment, as the settings read them.
    """

    limits: Limits = field(default_factory=Limits)
    cell_timeout: float = declared_default("cell_timeout")
    call_timeout: float = declared_default("call_timeout")
    seed: int = field(default_factory=check_seed)
    sandbox_settings: SandboxSettings = field(default_factory=SandboxSettings)
    """What a grading process builds its sandbox backend with (``get_sandbox(name, this)``)."""
    # The visible sanity-check cells (locked, ungraded, grade_id "..._sanity") never change a
    # score: the hidden checks test the functions themselves. Skipping them saves time.
    skip_sanity_cells: bool = True

    @classmethod
    def from_settings(cls, settings: GradingSettings) -> GradingOptions:
        """The options the settings give (the one place settings become options)."""
        return cls(limits=Limits.from_settings(settings), cell_timeout=settings.cell_timeout,
                   call_timeout=settings.call_timeout, seed=settings.check_seed,
                   sandbox_settings=settings.sandbox_settings())

    @property
    def seed_tag(self) -> str:
        return hashlib.sha256(f"cs224n-seed-{self.seed}".encode()).hexdigest()[:12]


class Grader:
    """Grades submissions of one assignment with one sandbox backend."""

    def __init__(self, course: AssignmentCopy, sandbox: Sandbox,
                 options: GradingOptions | None = None):
        self.course = course
        self.sandbox = sandbox
        self.options = options or GradingOptions()
        self._judge_plan = Judge()  # caches the reference's outcomes across submissions
        self._auto_cells = {c.grade_id for c in course.graded_cells if c.auto}
        self._calls_cache: dict[tuple, tuple[bytes, bytes]] = {}  # see _encoded_calls

    def warm_up(self) -> None:
        """Pay now what the first grade would pay: every check's plan and the reference's
        outcomes on it (cached for every later submission), so a fresh grading process
        grades its first submission as fast as its next."""
        for name in self.course.notebooks:
            checks = [c for c in CATALOGUE if c.cell in self._cells_of(name)]
            plans = {c.name: plan_for(c, self.options.seed) for c in checks}
            for plan in plans.values():
                for calls in (*(c for _, c in plan.variants), *(c for _, c in plan.examples)):
                    self._judge_plan.reference(calls)
            self._encoded_calls(name, checks, plans)
        self._course_imports  # noqa: B018 - a cached property: read once now
        for name in self.course.notebooks:  # nbgrader's and SQLAlchemy's first-use costs
            try:
                self.course.restore(name, (self.course.release / f"{name}.ipynb").read_bytes())
            except (OSError, NotebookError) as exc:
                log.warning("warm-up: restoring the released %s failed: %s", name, exc)

    # ------------------------------------------------------------ one submission

    def grade(self, submission: Submission, notebooks_dir: Path | None = None
              ) -> SubmissionResult:
        """Grade every notebook of the assignment in the submission.

        notebooks_dir: where to write the executed notebooks (for formgrader), if given.
        """
        result = SubmissionResult(submission.student, submission.digest,
                                  problems=list(submission.problems),
                                  seed_tag=self.options.seed_tag)
        restored: dict[str, nbformat.NotebookNode] = {}
        failed: dict[str, NotebookReport] = {}
        for name in self.course.notebooks:
            raw = submission.files.get(f"{name}.ipynb")
            if raw is None:
                failed[name] = NotebookReport(name, "missing", f"{name}.ipynb was not submitted")
                continue
            try:
                restored[name] = self.course.restore(name, raw, result.problems)
            except NotebookError as exc:
                failed[name] = NotebookReport(name, "invalid", str(exc))
        runnable = [name for name in self.course.notebooks if name in restored]
        reports = self._grade_notebooks(runnable, restored, notebooks_dir) if runnable else {}
        for name in self.course.notebooks:
            if name in failed:
                report = failed[name]
                report.cells = self._zero_cells(name, report.message or report.status)
            else:
                report = reports[name]
            result.notebooks.append(report)
        return result

    def _zero_cells(self, name: str, reason: str) -> list[CellGrade]:
        cells = []
        for cell in self.course.graded_cells:
            if cell.notebook == name:
                checks = [CheckOutcome(c.name, c.points, 0.0, c.description, reason)
                          for c in self._checks(cell.grade_id)]
                cells.append(CellGrade(name, cell.grade_id, cell.points, 0.0, cell.auto, checks))
        return cells

    def _checks(self, cell: str) -> list[Check]:
        return [c for c in CATALOGUE if c.cell == cell]

    # ------------------------------------------------------------ one notebook

    def _grade_notebooks(self, names: list[str], restored: dict, notebooks_dir: Path | None
                         ) -> dict[str, NotebookReport]:
        """Run the notebooks in one sandbox (kernel.zygote: a fresh child per notebook of an
        interpreter that imported the heavy modules once), then judge each one's answers.

        A notebook whose results the run did not bring back (a child killed the zygote, or
        the sandbox's limits ended it) is run again alone, in a sandbox of its own: the loss
        stays with the notebook that caused it.
        """
        checks = {name: [c for c in CATALOGUE if c.cell in self._cells_of(name)]
                  for name in names}
        plans = {name: {c.name: plan_for(c, self.options.seed) for c in checks[name]}
                 for name in names}
        reports: dict[str, NotebookReport] = {}
        again: list[str] = []
        with tempfile.TemporaryDirectory(prefix="autograder-job-") as tmp:
            job = Path(tmp)
            self._prepare_job(job / zygote.FILES_DIR, restored)
            keys = {}
            (job / zygote.CALLS_DIR).mkdir()
            for name in names:
                calls = job / zygote.CALLS_DIR / f"{name}.json"
                # the zygote takes them away before any student code; each notebook's keeper
                # reads its own after the fork and hands them over after the last cell
                wire.write_encoded(calls, self._encoded_calls(name, checks[name], plans[name]))
                keys[name] = keeper.write_key(calls)  # a fresh key for every run
            run = self._run_sandbox(job, names)
            for name in names:
                out = job / zygote.RESULTS_DIR / name
                status = _read_small_json(out / zygote.STATUS_FILE)
                if isinstance(status, dict):
                    notebook_run = _notebook_run(status, run)
                elif len(names) > 1:
                    again.append(name)
                    continue
                else:  # the sandbox ended before the zygote wrote this notebook's results
                    notebook_run = run
                reports[name] = self._report(name, out, notebook_run, keys[name], plans[name],
                                             restored, notebooks_dir)
        if again:
            log.info("%s: run again alone (no results from the shared sandbox)", again)
            for name in again:
                reports.update(self._grade_notebooks([name], restored, notebooks_dir))
        return reports

    def _report(self, name: str, out: Path, run: RunResult, key: bytes, plans: dict[str, Plan],
                restored: dict, notebooks_dir: Path | None) -> NotebookReport:
        expected = sum(len(plan.calls) for plan in plans.values())
        outcomes, failure = self._read_outcomes(out, expected, run, key, restored[name])
        cell_errors = self._cell_errors(out, restored[name])
        report = NotebookReport(name, "graded" if failure is None else "stopped", failure,
                                round(run.wall_seconds, 3), cell_errors)
        if notebooks_dir is not None:
            notebooks_dir.mkdir(parents=True, exist_ok=True)
            executed = self._executed_notebook(out, restored[name])
            notebook_io.write_notebook(notebooks_dir / f"{name}.ipynb", executed)
        position = 0
        verdicts: dict[str, CheckOutcome] = {}
        for check_name, plan in plans.items():
            n = len(plan.calls)
            student = outcomes[position : position + n] if outcomes else None
            position += n
            verdicts[check_name] = self._judge(plan, student, failure)
        report.cells = self._cell_grades(name, restored[name], verdicts)
        return report

    def _cells_of(self, name: str) -> set[str]:
        return {c.grade_id for c in self.course.graded_cells if c.notebook == name and c.auto}

    def _encoded_calls(self, name: str, checks: list[Check], plans: dict[str, Plan]
                       ) -> tuple[bytes, bytes]:
        """The notebook's calls as written to the job (the same for every submission at this
        seed: encoded once per grader)."""
        key = (name, self.options.seed, tuple(c.name for c in checks))
        encoded = self._calls_cache.get(key)
        if encoded is None:
            encoded = self._calls_cache[key] = wire.encode_calls(
                [call for c in checks for call in plans[c.name].calls])
        return encoded

    def _prepare_job(self, job: Path, restored: dict) -> None:
        job.mkdir(parents=True, exist_ok=True)
        for path in self.course.support_files():
            target = job / path.name
            if path.is_dir():
                shutil.copytree(path, target, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(path, target)
        for name, nb in restored.items():
            # compact and capped (restore checked the size): never nbformat's indented form
            notebook_io.write_notebook(job / f"{name}.ipynb", self._runnable(nb)[0])

    def _runnable(self, nb: nbformat.NotebookNode) -> tuple[nbformat.NotebookNode, set[int]]:
        """A copy of nb as the sandbox runs it (hidden tests and skipped sanity checks as
        placeholders), and the indexes of those placeholder cells."""
        runnable = nbformat.from_dict(json.loads(json.dumps(nb)))
        placeholders = set()
        for index, cell in enumerate(runnable.cells):
            meta = cell.metadata.get("nbgrader", {})
            grade_id = str(meta.get("grade_id", ""))
            if grade_id in self._auto_cells:
                cell.source = HIDDEN_PLACEHOLDER
                placeholders.add(index)
            elif (self.options.skip_sanity_cells and grade_id.endswith("_sanity")
                  and meta.get("locked") and not meta.get("grade")):
                cell.source = SANITY_PLACEHOLDER
                placeholders.add(index)
        return runnable, placeholders

    def _run_sandbox(self, job: Path, names: list[str]) -> RunResult:
        """One sandbox run, tried once more when the sandbox itself failed (a daemon hiccup,
        or a run whose zygote never started: not the student's code); a second failure is
        the engine's error, not a zero."""
        limits = dataclasses.replace(  # the zygote: one more process, waiting meanwhile
            self.options.limits, pids=self.options.limits.pids + 1,
            wall_seconds=self.options.limits.wall_seconds * len(names) + ZYGOTE_SETUP_SECONDS)
        for attempt in (1, 2):
            try:
                run = self.sandbox.run(job, self._argv(names), limits,
                                       runtime_files=RUNTIME_FILES)
            except SandboxUnavailable as exc:
                if attempt == 2:
                    raise
                log.warning("sandbox failed on %s (%s); trying once more", names, exc)
            else:
                if _runner_started(run):
                    return run
                problem = (f"the runner never started (exit {run.exit_code}, signal "
                           f"{run.signal}; stderr: {run.stderr[-500:]!r})")
                if attempt == 2:
                    raise SandboxUnavailable(f"{', '.join(names)}: {problem}")
                log.warning("sandbox run of %s: %s; trying once more", names, problem)
            shutil.rmtree(job / zygote.RESULTS_DIR, ignore_errors=True)
        raise AssertionError("unreachable")

    def _argv(self, names: list[str]) -> list[str]:
        return ["python", "-m", "kernel.zygote", *names,
                "--cell-timeout", str(self.options.cell_timeout),
                "--call-timeout", str(self.options.call_timeout),
                "--wall", str(self.options.limits.wall_seconds),
                "--preload", *self._preloads(names)]

    def _preloads(self, names: list[str]) -> list[str]:
        """The modules the course's own code imports for these notebooks: the release's
        locked cells and, through them, the support package's modules (their top-level
        imports only: a function's lazy import stays lazy), the support package's modules
        themselves included (the zygote imports them from the job's pristine copy; compiling
        cs224n.selfcheck alone was ~25 ms per notebook). Never the student's lines."""
        return sorted({m for name in names for m in self._course_imports.get(name, ())})

    @cached_property
    def _course_imports(self) -> dict[str, set[str]]:
        local = {p.name if p.is_dir() else p.stem for p in self.course.support_files()}
        found: dict[str, set[str]] = {}
        for name in self.course.notebooks:
            path = self.course.release / f"{name}.ipynb"
            try:
                nb = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            modules: set[str] = set()
            todo = []
            for cell in nb.get("cells", []):
                if cell.get("cell_type") == "code" and cell.get("metadata", {}).get(
                        "nbgrader", {}).get("locked"):
                    source = cell.get("source", "")
                    todo.append("".join(source) if isinstance(source, list) else source)
            seen: set[str] = set()
            while todo:
                for module in _IMPORT_LINE.findall(todo.pop()):
                    modules.add(module)
                    if module.split(".")[0] in local and module not in seen:
                        seen.add(module)
                        todo += self._support_source(module)
            found[name] = modules
        return found

    def _support_source(self, module: str) -> list[str]:
        base = self.course.release.joinpath(*module.split("."))
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            try:
                return [path.read_text(encoding="utf-8")]
            except OSError:
                continue
        return []

    def _read_outcomes(self, out: Path, expected: int, run: RunResult, key: bytes,
                       notebook=None):
        """The outcomes, or None and why. First removes the runner's result files (cells.json,
        outputs.json) that the keeper did not sign with key before it handed the calls over:
        what is read from them after this cannot hold hidden inputs (kernel.keeper)."""
        dropped = keeper.verify(out, key)
        if dropped:
            log.info("%s: unsigned result files dropped: %s", out.parent.name, dropped)
        try:
            return wire.read_outcomes(out / "outcomes.json", expected), None
        except wire.WireError as exc:
            return None, self._failure_message(out, run, exc, notebook)

    def _failure_message(self, out: Path, run: RunResult, exc: Exception, notebook=None
                         ) -> str:
        where = ""
        progress = _read_small_json(out / "progress.json")
        if isinstance(progress, dict):
            if isinstance(progress.get("cell"), int):
                cells = [dict(c) for c in notebook.cells] if notebook is not None else []
                where = f" while running {describe_cell(cells, progress['cell'])}"
            elif isinstance(progress.get("call"), int):
                where = " while the grader was calling your functions"
        limits = self.options.limits
        if run.timed_out:
            return f"your notebook was stopped after {limits.wall_seconds:g} s{where}"
        if run.killed_reason == "memory":
            return f"your notebook ran out of memory (limit {limits.memory_bytes // 2**20} MiB)"
        if run.killed_reason:
            return f"your notebook was stopped ({run.killed_reason}){where}"
        if run.exit_code not in (0, None) or run.signal:
            code = f"signal {run.signal}" if run.signal else f"exit code {run.exit_code}"
            return f"your notebook's process ended unexpectedly ({code}){where}"
        return f"the grader could not read your results ({exc})"

    def _cell_errors(self, out: Path, notebook) -> list[str]:
        """The errors of the student's cells, each named by its part (not by an index)."""
        records = _read_small_json(out / "cells.json")
        cells = [dict(c) for c in notebook.cells]
        errors = []
        if isinstance(records, list):
            for r in records[:200]:
                if isinstance(r, dict) and r.get("status") in ("error", "timeout"):
                    index = r.get("index") if isinstance(r.get("index"), int) else -1
                    errors.append(f"{describe_cell(cells, index)}: {str(r.get('error'))[:300]}")
        return errors[:20]

    def _executed_notebook(self, out: Path, restored) -> nbformat.NotebookNode:
        """The notebook kept for formgrader: the restored cells as they ran, with only the
        runner's own signed, capped, plain-text outputs (kept_notebook); nothing of the
        sandbox's notebook file, its metadata or its points."""
        runnable, placeholders = self._runnable(restored)
        return kept_notebook.build(runnable, out, skip=placeholders)

    def _judge(self, plan: Plan, student, failure) -> CheckOutcome:
        check = plan.check
        if student is None:
            return CheckOutcome(check.name, check.points, 0.0, check.description, failure)
        verdict = self._judge_plan(plan, student)
        return CheckOutcome(check.name, check.points, verdict.score, check.description,
                            verdict.message, verdict.note)

    def _cell_grades(self, name, nb, verdicts: dict[str, CheckOutcome]) -> list[CellGrade]:
        from nbgrader.utils import determine_grade

        by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
        cells = []
        for cell in self.course.graded_cells:
            if cell.notebook != name:
                continue
            if cell.auto:
                checks = [verdicts[c.name] for c in self._checks(cell.grade_id)]
                score = round(sum(c.score for c in checks), 6)
                cells.append(CellGrade(name, cell.grade_id, cell.points, score, True, checks))
            else:
                source = by_id.get(cell.grade_id)
                score = determine_grade(source)[0] if source is not None else 0.0
                cells.append(CellGrade(name, cell.grade_id, cell.points, score, False))
        return cells


def _read_small_json(path: Path):
    try:
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= MAX_STATUS_BYTES:
            return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    return None


def _runner_started(run: RunResult) -> bool:
    """Whether the in-sandbox zygote (or runner) got going (its first line is on stdout), or
    the run was stopped by a limit (a student's doing, judged as such)."""
    return (zygote.STARTED in run.stdout or STARTED in run.stdout or run.timed_out
            or bool(run.killed_reason))


def _notebook_run(status: dict, run: RunResult) -> RunResult:
    """How one notebook's child ended, from the zygote's status.json, as a RunResult. A child
    killed by SIGKILL that the zygote did not time out, in a sandbox where the kernel's OOM
    killer struck, ran out of memory (the cgroup's count cannot say which notebook; a
    notebook that killed itself with SIGKILL meanwhile would be told the same)."""
    timed_out = status.get("timed_out") is True
    sig = status.get("signal") if isinstance(status.get("signal"), int) else None
    code = status.get("exit_code") if isinstance(status.get("exit_code"), int) else None
    wall = status.get("wall_seconds")
    reason = None
    if timed_out:
        reason = "timeout"
    elif sig == signal.SIGKILL and run.oom_kills:
        reason = "memory"
    elif sig == signal.SIGXCPU:
        reason = "cpu"
    elif sig == signal.SIGXFSZ:
        reason = "file_size"
    return RunResult(exit_code=None if timed_out else code, signal=sig, timed_out=timed_out,
                     wall_seconds=float(wall) if isinstance(wall, (int, float)) else 0.0,
                     killed_reason=reason, stdout="", stderr="",
                     memory_peak_bytes=run.memory_peak_bytes, oom_kills=run.oom_kills)
