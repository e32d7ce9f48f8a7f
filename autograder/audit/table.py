"""The audit's printed report: per subject, points lost over the seeds; per check, its kills."""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from autograder.audit import Tally
from autograder.checks import CATALOGUE


def _row(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()


def subjects_table(tallies: Sequence[Tally]) -> str:
    head = ["subject", "kind", "lost min/median/max", "seeds ok", "blame / expected"]
    rows = []
    for t in tallies:
        s = t.subject
        lost = f"{min(t.lost):g} / {statistics.median(t.lost):g} / {max(t.lost):g}"
        ok = f"{len(t.lost) - len(t.misses)}/{len(t.lost)}"
        target = (",".join(sorted(s.blame)) if s.expected is None
                  else ",".join(sorted(s.expected)) or "full marks")
        rows.append([s.name, s.kind, lost, ok, target])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]
    return "\n".join(_row(r, widths) for r in [head, *rows])


def checks_table(tallies: Sequence[Tally]) -> str:
    lines = ["check                               points  killed (on some seed)"]
    for check in CATALOGUE:
        kills = sorted(t.subject.name for t in tallies
                       if check.name in t.killed_by and t.subject.kind == "error")
        lines.append(f"{check.name:<36}{check.points:>6g}  {len(kills):>3}: {', '.join(kills)}")
    return "\n".join(lines)


def summary(tallies: Sequence[Tally], seconds: float, seeds: int) -> str:
    lines = []
    for kind in ("error", "equivalent", "student"):
        group = [t for t in tallies if t.subject.kind == kind]
        if not group:
            continue
        runs = sum(len(t.lost) for t in group)
        good = runs - sum(len(t.misses) for t in group)
        what = {"error": "killed (points lost, only in the blamed functions)",
                "equivalent": "kept full marks",
                "student": "got exactly their expected verdicts"}[kind]
        lines.append(f"{kind:<10} {len(group):>3} subjects: {what} on {good}/{runs} "
                     f"subject-seeds ({100 * good / max(runs, 1):.1f}%)")
        if kind == "student":
            given = sum(t.verdicts for t in group)
            wrong = sum(t.wrong_verdicts for t in group)
            lines.append(f"{'':<10} function verdicts: {wrong} wrong of {given} "
                         f"({given // max(runs, 1)} per student and seed)")
    lines.append(classes_line(tallies))
    lines.append(f"{seeds} seeds in {seconds:.1f} s")
    misses = [f"  {t.subject.name}: {m}" for t in tallies for m in t.misses[:3]]
    if misses:
        lines.append("MISSES (first 3 per subject):")
        lines.extend(misses)
    return "\n".join(lines)


def classes_line(tallies: Sequence[Tally]) -> str:
    """Kill rate of the ERROR mutants per class (the function they blame)."""
    classes: dict[str, list[Tally]] = {}
    for t in tallies:
        if t.subject.kind == "error":
            classes.setdefault("+".join(sorted(t.subject.blame)), []).append(t)
    parts = []
    for name, group in sorted(classes.items()):
        runs = sum(len(t.lost) for t in group)
        good = runs - sum(len(t.misses) for t in group)
        parts.append(f"{name} {len(group)} ({100 * good / max(runs, 1):.0f}%)")
    return "error mutants per class (killed): " + ", ".join(parts)
