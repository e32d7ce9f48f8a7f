"""`autograder`: grade submissions in sandboxes.

    autograder grade SUBMISSIONS_DIR --assignment ps1 --out DIR -j N [--sandbox bwrap|docker]
    autograder audit [--seeds 200]          test the hidden checks against the mutants
    autograder serve [--port 8000]          the grader service (autograder.service)
    autograder gradescope-package --seed N  the autograder zip for Gradescope

The grading flags are settings of autograder.settings.GradingSettings (which declares their
defaults): a flag given wins, then its AUTOGRADER_* variable, then the declared default.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import textwrap
from pathlib import Path
from typing import Any, get_args

from pydantic import ValidationError
from tqdm import tqdm

from autograder.settings import Backend, GradingSettings, describe, describe_errors

log = logging.getLogger("autograder")

GRADE_FLAGS: dict[str, str] = {
    "--course": "course_root",
    "--assignment": "assignment",
    "--sandbox": "sandbox",
    "--memory-mb": "memory_mb",
    "--notebook-timeout": "notebook_timeout",
    "--cell-timeout": "cell_timeout",
    "--call-timeout": "call_timeout",
    "--allow-per-process-memory": "sandbox_per_process_memory",
}
"""The flags of `autograder grade` that set a GradingSettings field (flag -> field)."""


def grading_settings(args: argparse.Namespace) -> GradingSettings:
    """The settings of a `grade` command: its flags over the environment over the defaults."""
    given = {field: getattr(args, field) for field in GRADE_FLAGS.values()
             if getattr(args, field, None) is not None}
    return GradingSettings(**given)


def _setting_flag(parser: argparse.ArgumentParser, flag: str, **kwargs: Any) -> None:
    """A flag for a setting: help text and default from its declaration (left unset here, so
    the environment still counts when the flag is not given)."""
    field = GRADE_FLAGS[flag]
    if "type" in kwargs and "choices" not in kwargs:
        kwargs.setdefault("metavar", flag.lstrip("-").replace("-", "_").upper())
    parser.add_argument(flag, dest=field, default=None, help=describe(field).replace("%", "%%"),
                        **kwargs)


SEED_WARNING = """\
WARNING: CS224N_CHECK_SEED is not set, so the hidden checks use the public default seed
{default}, which anyone can read in this repository: a student can compute the hidden
inputs and fit answers to them. Set a secret seed, a new one each term (e.g.
`export CS224N_CHECK_SEED=$(python -c "import secrets; print(secrets.randbelow(2**31))")`),
keep it with the course's secrets, and export the same value where `nbgrader autograde`
runs (its kernels inherit the environment and the hidden cells read it there), so both
grading paths use the same inputs. Grading continues with the default seed."""


def seed_is_set(environ: dict[str, str] | os._Environ[str] = os.environ) -> bool:
    """Whether the check seed was given (an empty variable counts as unset, as in settings)."""
    return bool(environ.get("CS224N_CHECK_SEED", "").strip())


def warn_unset_seed(default: int, stream: Any = None) -> None:
    """One clear paragraph on stderr: the seed is the secret of the hidden inputs."""
    stream = stream or sys.stderr
    text = SEED_WARNING.format(default=default)
    rule = "=" * 88
    print(f"{rule}\n{textwrap.dedent(text)}\n{rule}", file=stream, flush=True)


def _grade(args: argparse.Namespace) -> int:
    from autograder.engine.batch import grade_batch, start_workspace
    from autograder.engine.course import AssignmentCopy
    from autograder.engine.grade import GradingOptions
    from autograder.report import write_feedback, write_grades_csv, write_results_json
    from autograder.sandbox import SandboxUnavailable, get_sandbox

    try:
        settings = grading_settings(args)
    except ValidationError as exc:
        for line in describe_errors(exc, GradingSettings):
            log.error("%s", line)
        return 2
    if not seed_is_set():
        warn_unset_seed(settings.check_seed)
    try:
        get_sandbox(settings.sandbox, settings).check()
    except SandboxUnavailable as exc:
        log.error("sandbox %r cannot isolate student code here: %s", settings.sandbox, exc)
        return 3
    if not args.submissions.is_dir():
        log.error("%s is not a folder of submissions", args.submissions)
        return 2
    options = GradingOptions.from_settings(settings)  # the workers build their sandbox with it
    start_workspace(settings.sandbox)  # reaps dead graders' leftovers; this run's temp files
    course = AssignmentCopy(settings.course_root, settings.assignment)
    out: Path = args.out
    bar = tqdm(desc="grading", unit="submission", disable=args.quiet)

    def on_result(result, cached: bool) -> None:
        write_results_json(result, out / "results" / result.student / "results.json")
        write_feedback(result, out / "feedback" / f"{result.student}.html")
        bar.update(1)
        bar.set_postfix_str(f"{result.student}: {result.auto_score:g}/{result.auto_max:g}"
                            + (" (unchanged)" if cached else ""))

    results = grade_batch(args.submissions, out, course=course, sandbox=settings.sandbox,
                          options=options, jobs=args.jobs, force=args.force,
                          on_result=on_result, deadline_settings=settings.deadline_settings())
    bar.close()
    write_grades_csv(results, out / "grades.csv")
    if args.gradebook:
        code = _write_gradebook(args, settings, results, out)
        if code:
            return code
    log.info("graded %d submissions; grades in %s", len(results), out / "grades.csv")
    return 0


def _write_gradebook(args: argparse.Namespace, settings: GradingSettings, results: list,
                     out: Path) -> int:
    """The autograded folders formgrader opens, then the gradebook's rows for them."""
    from autograder.report import GradebookError, sync_gradebook
    from autograder.report.autograded import write_staff_copies

    autograded = args.autograded or settings.course_root / "autograded"
    write_staff_copies(results, autograded, settings.assignment, out / "notebooks")
    try:
        summary = sync_gradebook(results, args.gradebook, settings.assignment, autograded,
                                 deadline_settings=settings.deadline_settings())
    except GradebookError as exc:
        log.error("could not write the gradebook: %s", exc)
        return 4
    for student, reason in summary.refused.items():
        log.warning("%s not written to the gradebook: %s", student, reason)
    log.info("formgrader's copies in %s", autograded)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="autograder", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    grade = sub.add_parser("grade", help="grade a folder of submissions")
    grade.add_argument("submissions", type=Path,
                       help="folder of submissions: <student>/<assignment>/*.ipynb or "
                            "<student>.zip (nbgrader's submitted/ folder)")
    _setting_flag(grade, "--assignment")
    grade.add_argument("--out", type=Path, default=Path("graded"),
                       help="output folder (default ./graded)")
    grade.add_argument("-j", "--jobs", type=int, default=2, help="parallel workers (default 2)")
    _setting_flag(grade, "--sandbox", choices=get_args(Backend))
    _setting_flag(grade, "--course", type=Path)
    grade.add_argument("--force", action="store_true", help="re-grade unchanged submissions")
    grade.add_argument("--gradebook", metavar="DB_URL",
                       help="also write the scores into this nbgrader gradebook "
                            "(e.g. sqlite:///gradebook.db) and the executed notebooks into "
                            "nbgrader's autograded/<student>/<assignment>/ folders, for "
                            "manual grading in formgrader")
    grade.add_argument("--autograded", type=Path, metavar="DIR",
                       help="with --gradebook: where the autograded folders go (default: "
                            "autograded/ in the course folder, where formgrader looks)")
    _setting_flag(grade, "--memory-mb", type=int)
    _setting_flag(grade, "--allow-per-process-memory", action="store_const", const=True)
    _setting_flag(grade, "--notebook-timeout", type=float)
    _setting_flag(grade, "--cell-timeout", type=float)
    _setting_flag(grade, "--call-timeout", type=float)
    grade.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    grade.set_defaults(func=_grade)

    from autograder.audit.cli import add_command as add_audit
    from autograder.service.cli import add_commands

    add_audit(sub)
    add_commands(sub)
    # --- gradescope-package (autograder/gradescope/cli.py) ---
    from autograder.gradescope.cli import add_command as add_gradescope

    add_gradescope(sub)
    # --- end gradescope-package ---
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO,
                        format="%(levelname)s %(name)s: %(message)s")
    if not args.verbose:  # one line per sandbox run is for debugging
        logging.getLogger("autograder.sandbox").setLevel(logging.WARNING)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
