"""`autograder audit`: run every check against every mutant and realistic student."""

from __future__ import annotations

import argparse
import time
from concurrent.futures import ProcessPoolExecutor


def _subjects(names: set[str] | None, students: bool):
    from autograder.audit.subjects import mutant_subjects, student_subjects

    return mutant_subjects(names) + (student_subjects() if students else [])


def _run_chunk(args: tuple[list[int], set[str] | None, bool]):
    """One process's seeds; returns plain data (namespaces do not cross processes)."""
    from autograder.audit import run

    seeds, names, students = args
    return [(t.lost, t.misses, t.killed_by, t.verdicts, t.wrong_verdicts)
            for t in run(_subjects(names, students), seeds)]


def _audit(args: argparse.Namespace) -> int:
    from autograder.audit import Tally
    from autograder.audit.table import checks_table, subjects_table, summary

    seeds = list(range(args.first_seed, args.first_seed + args.seeds))
    names = set(args.mutant) if args.mutant else None
    students = not args.no_students
    chunks = [seeds[i :: args.jobs] for i in range(args.jobs) if seeds[i :: args.jobs]]
    started = time.perf_counter()
    if len(chunks) == 1:
        parts = [_run_chunk((chunks[0], names, students))]
    else:
        with ProcessPoolExecutor(len(chunks)) as pool:
            parts = list(pool.map(_run_chunk, [(c, names, students) for c in chunks]))
    tallies = [Tally(subject) for subject in _subjects(names, students)]
    for part in parts:
        for tally, (lost, misses, killed_by, given, wrong) in zip(tallies, part, strict=True):
            tally.lost += lost
            tally.misses += misses
            tally.killed_by |= killed_by
            tally.verdicts += given
            tally.wrong_verdicts += wrong
    seconds = time.perf_counter() - started
    if not args.summary_only:
        print(subjects_table(tallies), end="\n\n")
        print(checks_table(tallies), end="\n\n")
    print(summary(tallies, seconds, len(seeds)))
    return 1 if any(not t.ok for t in tallies) else 0


def add_command(sub) -> None:
    audit = sub.add_parser(
        "audit", help="test the hidden checks: every check against every mutant and realistic "
                      "student, over many seeds (exit 1 on any miss)")
    audit.add_argument("--seeds", type=int, default=200, help="how many seeds (default 200)")
    audit.add_argument("--first-seed", type=int, default=1, help="the first seed (default 1)")
    audit.add_argument("--mutant", action="append", metavar="NAME",
                       help="audit only this mutant (repeatable)")
    audit.add_argument("--no-students", action="store_true",
                       help="leave out the corpus of realistic students")
    audit.add_argument("-j", "--jobs", type=int, default=2, help="processes (default 2)")
    audit.add_argument("--summary-only", action="store_true", help="print the summary only")
    audit.set_defaults(func=_audit)
