"""Where the CPU of grading one whole assignment goes, phase by phase, in one run.

    .venv/bin/python benchmarks/profile_assignment.py [--repeats 5] [--submission DIR]
                                                      [--notebooks NAME ...]

Grades the honest submission of the test corpus (default: out/submitted/honest/ps1, written by
``.venv/bin/python -m tests.course.corpus out/submitted``) with the engine and the embedded
bubblewrap sandbox, ``--repeats`` times, and prints the median CPU seconds of each phase:

* in the grading process: reading the submission, restoring the notebooks (nbgrader's
  preprocessors), writing each job folder, judging the answers, the kept notebooks, reports;
* per sandbox run, all processes counted (this process's own CPU plus its waited-for
  children's: bwrap, the runner, everything under it): the sandbox around the runner (mounts,
  cgroups, bwrap, setpriv, copying in and back, the keeper), the interpreter's start and the
  runner's imports, IPython's shell, the notebook's cells (the heaviest named one by one, from
  the runner's cells.json), and the grader's calls;
* once per grading process (not per submission): preparing the assignment copy.

``--notebooks q1_softmax`` grades a submission of only the named notebooks: what one
single-notebook upload costs (the `bench_service.py --kind notebooks` case).

Then, in the same sandbox, what each piece costs alone (medians of ``--repeats``): an empty
sandbox (``/bin/true``), ``python -c pass`` and each heavy import in a fresh interpreter.
CPU is user + system time; the wall clock is shown beside it (the machine may be shared).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
os.environ["PATH"] = f"{Path(sys.executable).parent}:{os.environ.get('PATH', '')}"

from autograder.engine import grade as grade_module  # noqa: E402
from autograder.engine.course import AssignmentCopy  # noqa: E402
from autograder.engine.grade import Grader, GradingOptions  # noqa: E402
from autograder.engine.submission import load_folder  # noqa: E402
from autograder.kernel import zygote  # noqa: E402
from autograder.report import write_feedback, write_grades_csv, write_results_json  # noqa: E402
from autograder.sandbox import Limits, get_sandbox  # noqa: E402

IMPORTS = {
    "numpy": "import numpy",
    "IPython shell": "from IPython.core.interactiveshell import InteractiveShell; "
                     "InteractiveShell.instance()",
    "sklearn.linear_model": "import sklearn.linear_model",
    "matplotlib.pyplot": "import matplotlib.pyplot",
    "tqdm": "import tqdm",
}
"""The heavy imports of the runner and the notebooks (each measured alone, numpy first)."""


CPUACCT = Path("/sys/fs/cgroup/cpuacct")
_group: Path | None = None


def join_cpuacct() -> bool:
    """Put this process in a cgroup-v1 cpuacct group of its own: its CPU and every
    descendant's, sandboxes included (bubblewrap's children are not in os.times()' children
    counts: the sandbox's init reaps them in another pid namespace)."""
    global _group
    try:
        path = CPUACCT / f"profile-assignment-{os.getpid()}"
        path.mkdir()
        (path / "cgroup.procs").write_text(str(os.getpid()))
    except OSError as exc:
        print(f"no cpuacct group ({exc}): sandboxes' CPU is not counted", file=sys.stderr)
        return False
    _group = path
    return True


def leave_cpuacct() -> None:
    if _group is not None:
        (CPUACCT / "cgroup.procs").write_text(str(os.getpid()))
        for _ in range(50):
            try:
                _group.rmdir()
                return
            except OSError:
                time.sleep(0.1)


def cpu_now() -> float:
    """CPU seconds of this process and of everything it started (the cpuacct group)."""
    if _group is not None:
        return int((_group / "cpuacct.usage").read_text()) / 1e9
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@contextmanager
def timed(sink: dict[str, float], key: str) -> Iterator[None]:
    start = cpu_now()
    try:
        yield
    finally:
        sink[key] += cpu_now() - start


class Profile:
    """CPU seconds per phase of one graded submission (keys in the order they happened)."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.wall = 0.0


def _cell_label(nb: dict, index: int) -> str:
    cell = nb["cells"][index]
    grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
    if grade_id:
        return str(grade_id)
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else source
    first = next((line for line in source.splitlines() if line.strip()), "")
    return f"cell {index}: {first[:40]}"


def profiled_grader(course: AssignmentCopy, options: GradingOptions,
                    profile_of: Callable[[], Profile],
                    heavy_cell: float) -> Grader:
    """A Grader whose phases add their CPU to the current Profile."""

    class ProfiledGrader(Grader):
        def _prepare_job(self, job: Path, restored: dict) -> None:
            with timed(profile_of().cpu, "grader: job folder (support files, notebooks, calls)"):
                super()._prepare_job(job, restored)

        def _run_sandbox(self, job: Path, names: list[str]):  # type: ignore[override]
            profile = profile_of()
            start = cpu_now()
            run = super()._run_sandbox(job, names)
            total = cpu_now() - start
            results = job / zygote.RESULTS_DIR
            inner = 0.0
            own = _read_json(results / zygote.PROFILE_FILE)
            for key, label in (("start", "interpreter start"),
                               ("setup", "zygote: take the calls, read the files"),
                               ("preload", "zygote: preload numpy, IPython, the course's "
                                           "imports")):
                profile.cpu[f"sandbox: {label}"] += own.get(key, 0.0)
                inner += own.get(key, 0.0)
            for name in names:
                runner = _read_json(results / name / "progress.json").get("cpu", {})
                records = _read_json(results / name / "cells.json") or []
                nb = json.loads((job / zygote.FILES_DIR / f"{name}.ipynb").read_text())
                profile.cpu[f"{name}: IPython shell"] += runner.get("shell", 0.0)
                inner += runner.get("shell", 0.0)
                for record in records:
                    seconds = float(record.get("cpu_seconds", 0.0))
                    inner += seconds
                    label = (f"{name}: cell {_cell_label(nb, record['index'])}"
                             if seconds >= heavy_cell else f"{name}: other cells")
                    profile.cpu[label] += seconds
                profile.cpu[f"{name}: calls"] += runner.get("calls", 0.0)
                inner += runner.get("calls", 0.0)
                status = _read_json(results / name / zygote.STATUS_FILE)
                child = status.get("child_cpu", 0.0) - runner.get("shell", 0.0) - sum(
                    float(r.get("cpu_seconds", 0.0)) for r in records) - runner.get("calls", 0.0)
                profile.cpu[f"{name}: the child's own (fork, keeper, files, exit)"] += child
                profile.cpu[f"{name}: the zygote's (clean, files, kill, results)"] += \
                    status.get("zygote_cpu", 0.0)
                inner += child + status.get("zygote_cpu", 0.0)
            profile.cpu["sandbox: the rest (bwrap, cgroups, copies, forks, keepers, clean-ups)"] \
                += total - inner
            return run

        def _judge(self, plan, student, failure):  # type: ignore[override]
            with timed(profile_of().cpu, "grader: judging"):
                return super()._judge(plan, student, failure)

        def _executed_notebook(self, out: Path, restored):  # type: ignore[override]
            with timed(profile_of().cpu, "grader: kept notebooks"):
                return super()._executed_notebook(out, restored)

    return ProfiledGrader(course, get_sandbox("bwrap", options.sandbox_settings), options)


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return {}


def grade_once(grader: Grader, folder: Path, out: Path, profile: Profile) -> float:
    started = time.perf_counter()
    with timed(profile.cpu, "grader: read the submission"):
        submission = load_folder("honest", folder)
    restore = grader.course.restore

    def timed_restore(*args, **kwargs):
        with timed(profile.cpu, "grader: restore (nbgrader preprocessors)"):
            return restore(*args, **kwargs)

    grader.course.restore = timed_restore  # type: ignore[method-assign]
    try:
        result = grader.grade(submission, out / "notebooks")
    finally:
        del grader.course.restore
    with timed(profile.cpu, "grader: reports (results.json, feedback, grades.csv)"):
        write_results_json(result, out / "results.json")
        write_feedback(result, out / "feedback.html")
        write_grades_csv([result], out / "grades.csv")
    profile.wall = time.perf_counter() - started
    submitted = {nb.name for nb in result.notebooks if nb.status != "missing"}
    cells = [c for nb in result.notebooks if nb.name in submitted for c in nb.cells if c.auto]
    score, best = sum(c.score or 0.0 for c in cells), sum(c.max_points for c in cells)
    if not cells or score != best:
        raise SystemExit(f"the honest submission got {score}/{best} on {sorted(submitted)}")
    return score


def measure_alone(options: GradingOptions, repeats: int) -> dict[str, float]:
    """Median CPU of an empty sandbox, a bare interpreter and each heavy import alone."""
    box = get_sandbox("bwrap", options.sandbox_settings)
    limits = Limits()
    commands = {"empty sandbox (/bin/true)": ["/bin/true"],
                "python -c pass": ["python", "-c", "pass"]}
    commands.update({f"python -c '{code}'": ["python", "-c", code]
                     for code in IMPORTS.values()})
    samples: dict[str, list[float]] = defaultdict(list)
    for _ in range(repeats):
        for label, argv in commands.items():
            with tempfile.TemporaryDirectory(prefix="profile-job-") as job:
                start = cpu_now()
                run = box.run(Path(job), argv, limits)
                samples[label].append(cpu_now() - start)
                if run.exit_code != 0:
                    raise SystemExit(f"{argv} failed in the sandbox: {run.stderr[-500:]}")
    return {label: statistics.median(values) for label, values in samples.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--submission", type=Path,
                        default=REPO / "out" / "submitted" / "honest" / "ps1")
    parser.add_argument("--heavy-cell", type=float, default=0.05,
                        help="cells using at least this many CPU seconds are listed alone")
    parser.add_argument("--notebooks", nargs="+", metavar="NAME",
                        help="grade only these notebooks of the submission (e.g. q1_softmax: "
                             "what one single-notebook upload costs); default: all of them")
    args = parser.parse_args(argv)
    if not args.submission.is_dir():
        print(f"{args.submission} is missing: run .venv/bin/python -m tests.course.corpus "
              "out/submitted first", file=sys.stderr)
        return 2
    if args.notebooks:
        missing = [n for n in args.notebooks if not (args.submission / f"{n}.ipynb").is_file()]
        if missing:
            print(f"not in {args.submission}: {', '.join(missing)}", file=sys.stderr)
            return 2
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    join_cpuacct()
    try:
        return _profile(args)
    finally:
        leave_cpuacct()


def _profile(args: argparse.Namespace) -> int:
    options = GradingOptions()
    start = cpu_now()
    with tempfile.TemporaryDirectory(prefix="profile-") as tmp:
        if args.notebooks:  # a submission of only these notebooks
            only = Path(tmp) / "submission"
            only.mkdir()
            for name in args.notebooks:
                shutil.copy(args.submission / f"{name}.ipynb", only)
            args.submission = only
        course = AssignmentCopy(REPO, workdir=Path(tmp) / "course")
        prepare = cpu_now() - start
        profiles: list[Profile] = []
        grader = profiled_grader(course, options, lambda: profiles[-1], args.heavy_cell)
        # one grade first, not counted: the first run of a process pays one-time costs
        profiles.append(Profile())
        grade_once(grader, args.submission, Path(tmp) / "warm", profiles[-1])
        profiles.clear()
        for i in range(args.repeats):
            profiles.append(Profile())
            grade_once(grader, args.submission, Path(tmp) / f"out{i}", profiles[-1])
        alone = measure_alone(options, args.repeats)
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    what = (f"{', '.join(args.notebooks)} alone" if args.notebooks
            else "One whole assignment (honest, 4 notebooks)")
    print_table(profiles, prepare, alone, what)
    return 0


def print_table(profiles: list[Profile], prepare: float, alone: dict[str, float],
                what: str) -> None:
    keys = list(dict.fromkeys(k for p in profiles for k in p.cpu))
    medians = {k: statistics.median(p.cpu.get(k, 0.0) for p in profiles) for k in keys}
    totals = [sum(p.cpu.values()) for p in profiles]
    total = statistics.median(totals)
    walls = [p.wall for p in profiles]
    print(f"\n{what}, median of {len(profiles)} "
          f"after one warm-up; CPU = user + system, all processes\n")
    print(f"{'phase':<70} {'CPU s':>7} {'share':>6}")
    for key in keys:
        print(f"{key:<70} {medians[key]:7.3f} {medians[key] / total:6.1%}")
    print(f"{'total CPU per submission (median of totals)':<70} {total:7.3f}   "
          f"[{', '.join(f'{t:.2f}' for t in totals)}]")
    print(f"{'wall clock per submission':<70} {statistics.median(walls):7.3f}")
    print(f"{'once per grading process: the assignment copy (nbgrader generate)':<70} "
          f"{prepare:7.3f}")
    print("\nAlone in the same sandbox (fresh sandbox each), median CPU s:")
    empty, bare = alone["empty sandbox (/bin/true)"], alone["python -c pass"]
    for label, value in alone.items():
        extra = ""
        if label.startswith("python -c '"):
            extra = f"   (import alone: {value - bare:.3f})"
        elif label == "python -c pass":
            extra = f"   (interpreter alone: {value - empty:.3f})"
        print(f"  {label:<96} {value:6.3f}{extra}")


if __name__ == "__main__":
    grade_module.log.setLevel("WARNING")
    sys.exit(main())
