"""`autograder`: grade submissions in sandboxes.

    autograder grade SUBMISSIONS_DIR --assignment ps1 --out DIR -j N [--sandbox bwrap|docker]
    autograder audit [--seeds 200]          test the hidden checks against the mutants
    autograder serve [--port 8000]          the grader service (autograder.service)
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from pathlib import Path

from tqdm import tqdm

log = logging.getLogger("autograder")


def _grade(args: argparse.Namespace) -> int:
    from autograder.engine.batch import grade_batch, start_workspace
    from autograder.engine.course import AssignmentCopy
    from autograder.engine.grade import GradingOptions
    from autograder.report import write_feedback, write_grades_csv, write_results_json
    from autograder.sandbox import Limits, SandboxUnavailable, get_sandbox

    if args.allow_per_process_memory:  # read by the bwrap backend, here and in the workers
        from autograder.sandbox.bwrap import PER_PROCESS_MEMORY_ENV

        os.environ[PER_PROCESS_MEMORY_ENV] = "1"
    try:
        get_sandbox(args.sandbox).check()
    except SandboxUnavailable as exc:
        log.error("sandbox %r cannot isolate student code here: %s", args.sandbox, exc)
        return 3
    if not args.submissions.is_dir():
        log.error("%s is not a folder of submissions", args.submissions)
        return 2
    limits = Limits(memory_bytes=args.memory_mb * 2**20, wall_seconds=args.notebook_timeout)
    options = GradingOptions(limits=limits, cell_timeout=args.cell_timeout)
    start_workspace(args.sandbox)  # reaps dead graders' leftovers; this run's temp files
    course = AssignmentCopy(args.course, args.assignment)
    out: Path = args.out
    bar = tqdm(desc="grading", unit="submission", disable=args.quiet)

    def on_result(result, cached: bool) -> None:
        write_results_json(result, out / "results" / result.student / "results.json")
        write_feedback(result, out / "feedback" / f"{result.student}.html")
        bar.update(1)
        bar.set_postfix_str(f"{result.student}: {result.auto_score:g}/{result.auto_max:g}"
                            + (" (unchanged)" if cached else ""))

    results = grade_batch(args.submissions, out, course=course, sandbox=args.sandbox,
                          options=options, jobs=args.jobs, force=args.force,
                          on_result=on_result)
    bar.close()
    write_grades_csv(results, out / "grades.csv")
    if args.gradebook:
        from autograder.report import GradebookError, sync_gradebook

        try:
            summary = sync_gradebook(results, args.gradebook, args.assignment, out / "notebooks")
        except GradebookError as exc:
            log.error("could not write the gradebook: %s", exc)
            return 4
        for student, reason in summary.refused.items():
            log.warning("%s not written to the gradebook: %s", student, reason)
    log.info("graded %d submissions; grades in %s", len(results), out / "grades.csv")
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
    grade.add_argument("--assignment", default="ps1", help="assignment id (default ps1)")
    grade.add_argument("--out", type=Path, default=Path("graded"),
                       help="output folder (default ./graded)")
    grade.add_argument("-j", "--jobs", type=int, default=2, help="parallel workers (default 2)")
    grade.add_argument("--sandbox", default="bwrap", choices=["bwrap", "docker"],
                       help="where student code runs (default bwrap: no daemon needed)")
    grade.add_argument("--course", type=Path, default=Path("."),
                       help="course folder with nbgrader_config.py and source/ (default .)")
    grade.add_argument("--force", action="store_true", help="re-grade unchanged submissions")
    grade.add_argument("--gradebook", metavar="DB_URL",
                       help="also write the scores into this nbgrader gradebook "
                            "(e.g. sqlite:///gradebook.db)")
    grade.add_argument("--memory-mb", type=int, default=2048,
                       help="memory limit per notebook in MiB (default 2048)")
    grade.add_argument("--allow-per-process-memory", action="store_true",
                       help="bwrap only: grade even where no memory cgroup can be made, the "
                            "memory limit then binding each process alone")
    grade.add_argument("--notebook-timeout", type=float, default=300.0,
                       help="wall-clock limit per notebook in seconds (default 300)")
    grade.add_argument("--cell-timeout", type=float, default=60.0,
                       help="CPU seconds per cell, with a wall-clock backstop of 4 times "
                            "that (default 60)")
    grade.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    grade.set_defaults(func=_grade)

    from autograder.audit.cli import add_command as add_audit
    from autograder.service.cli import add_commands

    add_audit(sub)
    add_commands(sub)
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
