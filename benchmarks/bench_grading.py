"""Grading throughput: plain `nbgrader autograde` against the sandboxed engine, in one run.

    .venv/bin/python benchmarks/bench_grading.py [--submissions 20] [--docker]

Grades the same N complete correct submissions (all four notebooks, the honest corpus answers)
three ways: `nbgrader autograde` (serial, the baseline), `autograder grade -j 2` with the
bubblewrap sandbox, and (with --docker and a running daemon) the Docker sandbox. Prints
submissions per minute and the ratios; also one submission alone through nbgrader (the course
target: <= 20 s), and the per-notebook overhead: a sandbox run of an empty notebook against a
bare Jupyter kernel start-and-shutdown (medians).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from autograder.engine.batch import grade_batch  # noqa: E402
from autograder.engine.course import AssignmentCopy  # noqa: E402
from autograder.engine.grade import RUNTIME_FILES, GradingOptions  # noqa: E402
from autograder.kernel import keeper, wire, zygote  # noqa: E402
from autograder.sandbox import Limits, SandboxUnavailable, get_sandbox  # noqa: E402
from tests.course.corpus import honest_submission  # noqa: E402
from tests.course.course import Course  # noqa: E402


def write_submissions(folder: Path, n: int) -> list[str]:
    notebooks = honest_submission()
    students = [f"student{i:03d}" for i in range(n)]
    for student in students:
        target = folder / student / "ps1"
        target.mkdir(parents=True)
        for name, nb in notebooks.items():
            nbformat.write(nb, target / f"{name}.ipynb")
    return students


def time_nbgrader(root: Path, n: int) -> tuple[float, float]:
    """(seconds for one submission, seconds for n) with `nbgrader autograde`."""
    course = Course.create(root / "nbgrader-course")
    students = write_submissions(course.root / "submitted", n)
    for s in students:
        course.nbgrader("db", "student", "add", s)
    started = time.perf_counter()
    course.nbgrader("autograde", "ps1", f"--student={students[0]}")
    one = time.perf_counter() - started
    started = time.perf_counter()
    course.nbgrader("autograde", "ps1", "--force")
    return one, time.perf_counter() - started


def time_engine(root: Path, n: int, sandbox: str, course: AssignmentCopy) -> float:
    submissions = root / f"engine-{sandbox}"
    write_submissions(submissions, n)
    started = time.perf_counter()
    results = grade_batch(submissions, root / f"out-{sandbox}", course=course, sandbox=sandbox,
                          options=GradingOptions(limits=Limits(wall_seconds=300)), jobs=2,
                          force=True)
    seconds = time.perf_counter() - started
    bad = [r.student for r in results if r.auto_score != r.auto_max]
    if len(results) != n or bad:
        raise SystemExit(f"{sandbox}: {len(results)} results, not full marks: {bad[:5]}")
    return seconds


def notebook_overhead(root: Path, sandbox_name: str, repeats: int = 5) -> float:
    """Median seconds to run an empty notebook through the sandbox and the runner."""
    sandbox = get_sandbox(sandbox_name)
    job = root / f"empty-{sandbox_name}"
    job.mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]),
                   job / "empty.ipynb")
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run = sandbox.run(job, ["python", "-m", "kernel.runner", "empty.ipynb", "--out", "_o",
                                "--cell-timeout", str(GradingOptions().cell_timeout)],
                          Limits(), runtime_files=RUNTIME_FILES)
        times.append(time.perf_counter() - started)
        assert run.exit_code == 0, run
    return statistics.median(times)


def zygote_overhead(root: Path, sandbox_name: str, notebooks: int = 4, repeats: int = 5
                    ) -> float:
    """Median seconds per notebook to run `notebooks` one-cell notebooks in one sandbox
    through kernel.zygote (the engine's path: one sandbox per submission)."""
    sandbox = get_sandbox(sandbox_name)
    names = [f"nb{i}" for i in range(notebooks)]
    times = []
    for r in range(repeats):
        job = root / f"zygote-{sandbox_name}-{r}"
        files = job / zygote.FILES_DIR
        files.mkdir(parents=True)
        (job / zygote.CALLS_DIR).mkdir()
        for name in names:
            nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 + 1")]),
                           files / f"{name}.ipynb")
            wire.write_calls(job / zygote.CALLS_DIR / f"{name}.json", [])
            keeper.write_key(job / zygote.CALLS_DIR / f"{name}.json")
        options = GradingOptions()
        started = time.perf_counter()
        run = sandbox.run(job, ["python", "-m", "kernel.zygote", *names,
                                "--cell-timeout", str(options.cell_timeout),
                                "--call-timeout", str(options.call_timeout),
                                "--wall", "60"], Limits(), runtime_files=RUNTIME_FILES)
        times.append((time.perf_counter() - started) / notebooks)
        assert run.exit_code == 0 and all(
            (job / zygote.RESULTS_DIR / n / "outcomes.json").is_file() for n in names), run
    return statistics.median(times)


def kernel_overhead(repeats: int = 5) -> float:
    """Median seconds for a bare Jupyter kernel: start, run `1 + 1`, shut down."""
    from jupyter_client.manager import start_new_kernel

    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        km, kc = start_new_kernel(kernel_name="python3")
        kc.execute_interactive("1 + 1", timeout=60)
        kc.stop_channels()
        km.shutdown_kernel(now=False)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=20)
    parser.add_argument("--docker", action="store_true", help="also the Docker sandbox")
    args = parser.parse_args()
    n = args.submissions
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-grading-") as tmp:
        root = Path(tmp)
        one, serial = time_nbgrader(root, n)
        rows.append(("nbgrader autograde (serial)", serial))
        print(f"nbgrader autograde: one submission {one:.1f} s, {n} in {serial:.1f} s",
              flush=True)
        course = AssignmentCopy(REPO, workdir=root / "assignment")
        rows.append(("autograder grade -j 2, bwrap", time_engine(root, n, "bwrap", course)))
        if args.docker:
            try:
                get_sandbox("docker").check()
                rows.append(("autograder grade -j 2, docker",
                             time_engine(root, n, "docker", course)))
            except SandboxUnavailable as exc:
                print(f"docker skipped: {exc}")
        bare = kernel_overhead()
        overhead = {"bwrap": notebook_overhead(root, "bwrap")}
        per_notebook = {"bwrap": zygote_overhead(root, "bwrap")}
        if args.docker and len(rows) == 3:
            overhead["docker"] = notebook_overhead(root, "docker")
            per_notebook["docker"] = zygote_overhead(root, "docker")

    load = Path("/proc/loadavg").read_text().split()[:3]
    print(f"{n} complete correct submissions (4 notebooks each); load average {' '.join(load)}")
    print(f"nbgrader autograde, one submission: {one:.1f} s (target <= 20 s)\n")
    print(f"{'path':34} {'seconds':>8} {'subs/min':>9} {'vs nbgrader':>12}")
    for name, seconds in rows:
        print(f"{name:34} {seconds:8.1f} {60 * n / seconds:9.1f} {serial / seconds:11.2f}x")
    print(f"\nper-notebook overhead (median of 5): bare kernel start+run+shutdown {bare:.2f} s")
    for name, seconds in overhead.items():
        print(f"  {name} sandbox + runner, empty notebook: {seconds:.2f} s "
              f"({seconds / bare:.2f}x the bare kernel; target <= 2x)")
    for name, seconds in per_notebook.items():
        print(f"  {name} sandbox + zygote, 4 one-cell notebooks in one sandbox: {seconds:.2f} s "
              f"per notebook ({seconds / bare:.2f}x the bare kernel)")
    if len(rows) == 3:
        docker_nb, bwrap_nb = (rows[2][1] / (4 * n), rows[1][1] / (4 * n))
        print(f"\nper notebook of the {n} submissions (wall, 2 workers): bwrap "
              f"{bwrap_nb:.2f} s, docker {docker_nb:.2f} s: docker / bwrap "
              f"{docker_nb / bwrap_nb:.2f}x (target <= 2x); empty notebooks: "
              f"{per_notebook['docker'] / per_notebook['bwrap']:.2f}x")
    engine = rows[1][1]
    print(f"\nengine (bwrap) / nbgrader throughput: {serial / engine:.2f}x (target >= 10x)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
