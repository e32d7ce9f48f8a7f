"""Grade a folder of submissions in parallel, skipping the unchanged ones.

    submitted/<student>/ps1/*.ipynb   (nbgrader's layout), or submitted/<student>.zip

Outputs in OUT: results/<student>.json (the engine's full result, also the cache),
results/<student>/results.json (Gradescope), feedback/<student>.html, notebooks/<student>/
(the executed notebooks and the artifacts of the student's run) and grades.csv.

The late policy (autograder.deadlines) is applied to every result, cached or not, from the
submission's nbgrader ``timestamp.txt`` (written by ``nbgrader submit``/``collect``; in a
folder or a zip), so a changed deadline or extension counts without grading again.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import re
import signal
import sys
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path

from autograder import deadlines
from autograder.engine import scratch
from autograder.engine.course import AssignmentCopy
from autograder.engine.grade import Grader, GradingOptions
from autograder.engine.results import ENGINE_VERSION, NotebookReport, SubmissionResult
from autograder.engine.submission import (
    SECRET_FILE,
    Submission,
    SubmissionError,
    load_folder,
    load_zip,
)
from autograder.kernel.atomic import write_atomic
from autograder.report.autograded import keep_submitted
from autograder.report.late import apply_lateness
from autograder.settings import DeadlineSettings

log = logging.getLogger(__name__)
STUDENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@+-]{0,99}$")


@dataclass
class Entry:
    """One student's submission on disk."""

    student: str
    path: Path


def discover(submissions_dir: Path, assignment: str) -> tuple[list[Entry], list[str]]:
    """Submissions in nbgrader's layout (and <student>.zip); returns (entries, problems).

    Links are never followed: a linked student folder or zip is skipped, and a linked
    assignment folder (`x/ps1 -> ../honest/ps1`) is that student's submission, refused
    when it is read (load_folder), so the student learns why.
    """
    entries, problems = [], []
    for path in sorted(Path(submissions_dir).iterdir()):
        student = path.name[:-4] if path.suffix == ".zip" else path.name
        if not STUDENT_ID.match(student):
            problems.append(f"{path.name!r}: not a valid student id, skipped")
        elif path.is_symlink():
            problems.append(f"{path.name!r}: a symbolic link, skipped")
        elif path.is_dir() and ((path / assignment).is_symlink()
                                or (path / assignment).is_dir()):
            entries.append(Entry(student, path / assignment))
        elif path.suffix == ".zip" and path.is_file():
            entries.append(Entry(student, path))
    return entries, problems


def load(entry: Entry) -> Submission:
    """The student's submission; one that cannot be read is an empty submission whose
    problem says why (a damaged zip, a link), never an error that stops the batch."""
    try:
        if entry.path.suffix == ".zip":
            return load_zip(entry.student, entry.path)
        return load_folder(entry.student, entry.path)
    except SubmissionError as exc:
        return Submission(entry.student, problems=[str(exc)])
    except Exception:
        log.error("reading the submission of %s failed:\n%s", entry.student,
                  traceback.format_exc())
        return Submission(entry.student, problems=[
            "the submission could not be read; the course staff will look at it"])


# ---------------------------------------------------------------- temp files of a run


def start_workspace(sandbox: str) -> scratch.PrivateTemp:
    """Remove what killed graders left behind (their sandboxes' mounts and cgroups, their
    temp folders), then put every temp file of this run (the assignment copy, job folders,
    sandbox folders of the worker processes) in a private folder removed at exit. SIGTERM
    exits through the clean-up (the grades in progress are stopped and unwind their
    sandboxes) instead of leaving everything behind."""
    scratch.reap_leftovers(sandbox)
    temp = scratch.PrivateTemp()
    scratch.use_folder(temp.path)
    atexit.register(temp.close)
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_sigterm)
    return temp


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    sys.exit(128 + signal.SIGTERM)


# ---------------------------------------------------------------- worker processes

_grader: Grader | None = None


def _init_worker(course_root: str, assignment: str, sandbox: str, options: GradingOptions):
    global _grader
    from autograder.sandbox import get_sandbox

    logging.basicConfig(level=logging.WARNING)
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # a grade stopped unwinds its sandbox
    _grader = Grader(AssignmentCopy.existing(Path(course_root), assignment),
                     get_sandbox(sandbox, options.sandbox_settings), options)


def _grade_in_worker(submission: Submission, notebooks_dir: str) -> str:
    assert _grader is not None
    return _grader.grade(submission, Path(notebooks_dir)).to_json()


def internal_error(submission: Submission, detail: str) -> SubmissionResult:
    """A result for a submission the engine failed on: zero, marked for the staff, no trace."""
    log.error("grading %s failed: %s", submission.student, detail)
    report = NotebookReport("(all)", "error", "the grader failed on this submission; the "
                            "course staff will look at it")
    return SubmissionResult(submission.student, submission.digest, [report],
                            list(submission.problems))


# ---------------------------------------------------------------- the batch


def cached_result(out: Path, submission: Submission, seed_tag: str) -> SubmissionResult | None:
    path = out / "results" / f"{submission.student}.json"
    try:
        result = SubmissionResult.from_json(path.read_text())
    except (OSError, ValueError, TypeError, KeyError):
        return None
    if (result.digest, result.engine_version, result.seed_tag) == (
            submission.digest, ENGINE_VERSION, seed_tag):
        return result
    return None


def grade_batch(submissions_dir: Path, out: Path, *, course: AssignmentCopy, sandbox: str,
                options: GradingOptions, jobs: int = 2, force: bool = False,
                on_result: Callable[[SubmissionResult, bool], None] | None = None,
                deadline_settings: DeadlineSettings | None = None
                ) -> list[SubmissionResult]:
    """Grade every submission in submissions_dir with `jobs` worker processes.

    on_result(result, from_cache) is called as each result arrives (progress bars, reports),
    after the late policy of deadline_settings (default: no deadline) was applied to it.
    """
    entries, problems = discover(submissions_dir, course.assignment)
    for problem in problems:
        log.warning("%s", problem)
    (out / "results").mkdir(parents=True, exist_ok=True)
    results: dict[str, SubmissionResult] = {}
    todo: list[Submission] = []
    loaded: dict[str, Submission] = {}
    for entry in entries:
        submission = loaded[entry.student] = load(entry)
        submission.identify(course.identities)
        cached = None if force else cached_result(out, submission, options.seed_tag)
        if cached is not None:
            results[entry.student] = finish(cached, submission, out, course.assignment,
                                            deadline_settings)
            if on_result:
                on_result(cached, True)
        else:
            todo.append(submission)

    def finished(result: SubmissionResult, cached: bool) -> None:
        finish(result, loaded[result.student], out, course.assignment, deadline_settings)
        _save(out, result)
        if on_result:
            on_result(result, cached)

    pending = list(todo)
    while pending:  # a dead worker pool is replaced, and what it held is graded again
        pending = _run_pool(pending, out, course, sandbox, options, jobs, results, finished)
    return [results[e.student] for e in entries if e.student in results]


def finish(result: SubmissionResult, submission: Submission, out: Path, assignment: str,
           deadline_settings: DeadlineSettings | None) -> SubmissionResult:
    """What the batch adds to a graded result: the notes on files set aside or renamed, the
    artifacts kept beside the executed notebooks, and the late policy's verdict."""
    verdict = submission_lateness(submission, assignment, deadline_settings)
    result.notes = list(submission.notes)  # after the timestamp's own note, if any
    folder = out / "notebooks" / result.student
    kept = dict(submission.artifacts)
    if submission.secret:  # nbgrader's release_feedback names the feedback by it
        kept[SECRET_FILE] = submission.secret.encode()
    if kept:
        folder.mkdir(parents=True, exist_ok=True)
    for name, content in kept.items():
        write_atomic(folder / name, content)
    if submission.files:  # the student's own outputs, for the staff (report.autograded)
        keep_submitted(folder, submission.files)
    return apply_lateness(result, verdict)


def submission_lateness(submission: Submission, assignment: str,
                        settings: DeadlineSettings | None) -> deadlines.Lateness | None:
    """The late policy's verdict from the submission's timestamp.txt (None: no timestamp or
    no deadline settings; an unreadable timestamp is noted and counts as on time, as in
    nbgrader, which then keeps no timestamp)."""
    if settings is None or submission.timestamp is None:
        return None
    try:
        submitted = deadlines.parse_timestamp(submission.timestamp)
    except (ValueError, OverflowError):
        submission.notes.append("timestamp.txt: not a date and time, ignored")
        return None
    return deadlines.lateness(settings, submission.student, assignment, submitted)


def _run_pool(todo, out, course, sandbox, options, jobs, results, on_result) -> list[Submission]:
    left = {s.student: s for s in todo}
    with ProcessPoolExecutor(max_workers=max(1, jobs), initializer=_init_worker,
                             initargs=(str(course.root), course.assignment, sandbox,
                                       options)) as pool:
        futures = {pool.submit(_grade_in_worker, s, str(out / "notebooks" / s.student)): s
                   for s in todo}
        try:
            for future in as_completed(futures):
                submission = futures[future]
                try:
                    result = SubmissionResult.from_json(future.result())
                except BrokenProcessPool:
                    raise
                except Exception:
                    result = internal_error(submission, traceback.format_exc())
                results[submission.student] = result
                left.pop(submission.student, None)
                on_result(result, False)  # finishes and saves it
        except BaseException as exc:  # interrupted (SIGTERM, Ctrl-C): stop the grades
            if not isinstance(exc, BrokenProcessPool):
                _stop_workers(pool)
                raise
            log.error("a grading worker died; %d submissions are graded again", len(left))
            if len(left) == len(todo):  # nothing progressed: do not loop forever
                for submission in left.values():
                    result = internal_error(submission, "worker pool died")
                    results[submission.student] = result
                    on_result(result, False)
                return []
            return list(left.values())
    return []


def _stop_workers(pool: ProcessPoolExecutor) -> None:
    """Interrupt the grades in progress: each worker unwinds its sandbox and job folder
    (SIGTERM exits through clean-up in the workers too); nothing more is started."""
    log.warning("interrupted: stopping the grades in progress")
    for child in multiprocessing.active_children():
        if child.pid is not None:
            try:
                child.terminate()
            except (OSError, ValueError):
                pass
    pool.shutdown(wait=True, cancel_futures=True)


def _save(out: Path, result: SubmissionResult) -> None:
    path = out / "results" / f"{result.student}.json"
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(result.to_json())
    tmp.replace(path)
