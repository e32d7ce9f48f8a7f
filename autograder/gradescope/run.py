"""What Gradescope runs: ``prepare`` (from setup.sh, once) and ``grade`` (run_autograder).

    python -m autograder.gradescope.run prepare --source /autograder/source
    python -m autograder.gradescope.run grade [--root /autograder]

``grade`` always leaves a ``results.json``: the grade, or, when the grader itself fails (not
the student's notebook), a zero that says so and asks the student to tell the staff; the
details go to stdout, which Gradescope shows to instructors only.

Trust model. Gradescope gives each submission a fresh container of the image, so no other
student's files or processes are ever beside this one; the grader runs as root in it. Student
code runs only in a sandbox: bubblewrap when the container lets it make namespaces and cgroups
(a privileged container), else :class:`~autograder.gradescope.sandbox.ContainerSandbox` (a
uid of its own per notebook, rlimits, seccomp, no Internet sockets), never in this process.
Before any student code runs, ``/autograder`` (with ``source``: the seed and the instructor
notebooks; ``results``; Gradescope's ``submission_metadata.json``) and the grader's own folder
are made root-only, and every file of the submission is read without following links.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import time
import traceback
from pathlib import Path

from autograder.gradescope import layout
from autograder.gradescope.config import PackageConfig
from autograder.sandbox import Sandbox, SandboxUnavailable

log = logging.getLogger("autograder.gradescope")

GRADER_FAILED = ("The autograder failed on this submission: this is a fault of the grader, "
                 "not of your work. Please tell the course staff; they can see what happened.")
NO_SANDBOX = ("The autograder cannot run notebooks safely on this machine, so it did not run "
              "yours. This is not about your work: the course staff have been told.")


def pick_sandbox(choice: str, runtime: Path, settings) -> Sandbox:
    """The sandbox for this container: bwrap if it can isolate here, else the container
    fallback (``auto``); a backend named explicitly is used or refused, never replaced."""
    from autograder.gradescope.sandbox import ContainerSandbox
    from autograder.sandbox.bwrap import BwrapSandbox

    reasons = []
    if choice in ("auto", "bwrap"):
        box = BwrapSandbox(settings=settings.sandbox_settings())
        try:
            box.check()
            log.info("sandbox: bwrap (namespaces, cgroups, seccomp)")
            return box
        except SandboxUnavailable as exc:
            reasons.append(f"bwrap: {exc}")
            if choice == "bwrap":
                raise
            log.info("bwrap cannot isolate in this container (%s); using the container "
                     "sandbox", exc)
    container = ContainerSandbox(runtime)
    try:
        container.check()
    except SandboxUnavailable as exc:
        reasons.append(f"container: {exc}")
        raise SandboxUnavailable("; ".join(reasons)) from exc
    log.info("sandbox: container (a uid of its own, rlimits, seccomp; Gradescope's "
             "container isolates submissions)")
    return container


def lock_down(*folders: Path) -> None:
    """Root-only folders (what the sandbox uid must neither read nor write)."""
    for folder in folders:
        folder.mkdir(parents=True, exist_ok=True)
        os.chown(folder, 0, 0)
        os.chmod(folder, 0o700)


def prepare(source: Path, home: Path = layout.GRADER_HOME, site: Path = layout.SITE) -> int:
    """setup.sh's last step: check the configuration, generate the assignment copy the
    grader restores cells from, and report which sandbox this image will use."""
    from autograder.engine.course import AssignmentCopy

    config = PackageConfig.load(source / layout.CONFIG)
    lock_down(home, source)
    copy = home / layout.ASSIGNMENT_COPY
    AssignmentCopy(source / layout.COURSE, config.assignment, workdir=copy)
    settings = config.grading_settings(source / layout.COURSE, site)
    try:
        pick_sandbox(config.sandbox, site, settings)
    except SandboxUnavailable as exc:
        # the build container may differ from the grading ones: report, decide per submission
        log.warning("no sandbox works in the build container: %s", exc)
    log.info("prepared %s in %s", config.assignment, copy)
    return 0


def grade(root: Path = layout.ROOT, home: Path = layout.GRADER_HOME,
          site: Path = layout.SITE) -> int:
    """Grade root/submission into root/results/results.json (home: the grader's folder made
    by prepare; site: the sandbox runtime)."""
    from autograder.engine import scratch
    from autograder.engine.course import AssignmentCopy
    from autograder.engine.grade import Grader, GradingOptions
    from autograder.gradescope.collect import collect
    from autograder.report.gradescope import write_results_json

    results = root / layout.RESULTS
    # all of /autograder: the package, the results, Gradescope's submission_metadata.json
    # (the sandbox gets the notebooks in its own job folder, never from here)
    lock_down(root, results, root / layout.SOURCE, home)
    started = time.monotonic()
    try:
        config = PackageConfig.load(root / layout.SOURCE / layout.CONFIG)
        settings = config.grading_settings(root / layout.SOURCE / layout.COURSE, site)
        settings = _within_container_memory(settings)
        temp = home / layout.TEMP
        lock_down(temp)
        scratch.use_folder(temp)
        try:
            sandbox = pick_sandbox(config.sandbox, site, settings)
        except SandboxUnavailable as exc:
            log.error("no sandbox can isolate student code here: %s", exc)
            _write_failure(results, NO_SANDBOX)
            return 3
        course = AssignmentCopy.existing(home / layout.ASSIGNMENT_COPY, config.assignment)
        submission = collect(root / layout.SUBMISSION)
        submission.identify(course.identities)  # "q1_softmax (1).ipynb" from a browser
        log.info("submission: %s; %d problems", sorted(submission.files),
                 len(submission.problems))
        grader = Grader(course, sandbox, GradingOptions.from_settings(settings))
        result = grader.grade(submission)
        write_results_json(result, results / layout.RESULTS_FILE)
    except Exception:
        log.error("the grader failed:\n%s", traceback.format_exc())
        _write_failure(results, GRADER_FAILED)
        return 1
    log.info("graded: %g / %g automatic points in %.1f s", result.auto_score, result.auto_max,
             time.monotonic() - started)
    return 0


def _within_container_memory(settings):
    """Warn the staff (stdout) when the container has less memory than a notebook may use.

    The notebook's limit is an address-space rlimit per process (virtual memory: the grading
    run reserves more than it touches), the container's is resident memory: capping one at
    the other would stop honest notebooks. Above the container's limit the OOM killer stops
    the student's processes first, reported as running out of memory.
    """
    from autograder.gradescope.sandbox import container_memory_mb

    limit = container_memory_mb()
    if limit is not None and limit < settings.memory_mb:
        log.warning("the container has %d MiB of memory, less than a notebook may use (%d "
                    "MiB, the package's memory_mb): a notebook that needs more is stopped by "
                    "the container's OOM killer; raise the memory in Gradescope's settings "
                    "or build the package with AUTOGRADER_MEMORY_MB", limit, settings.memory_mb)
    return settings


def _write_failure(results: Path, message: str) -> None:
    doc = {"score": 0.0, "output": message, "output_format": "text", "visibility": "visible",
           "stdout_visibility": "hidden", "tests": []}
    (results / layout.RESULTS_FILE).write_text(json.dumps(doc, indent=1) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.gradescope.run",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare", help="setup.sh's last step")
    p.add_argument("--source", type=Path, default=layout.ROOT / layout.SOURCE)
    g = sub.add_parser("grade", help="grade the submission (run_autograder)")
    g.add_argument("--root", type=Path, default=layout.ROOT)
    for command in (p, g):  # for tests outside Gradescope's layout
        command.add_argument("--home", type=Path, default=layout.GRADER_HOME,
                             help=argparse.SUPPRESS)
        command.add_argument("--site", type=Path, default=layout.SITE, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("autograder.sandbox").setLevel(logging.WARNING)
    if args.command == "prepare":
        return prepare(args.source, args.home, args.site)
    return grade(args.root, args.home, args.site)


if __name__ == "__main__":
    sys.exit(main())
