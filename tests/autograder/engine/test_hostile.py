"""Hostile submissions end with the right score or a clear error, and never disturb the
other submissions of the batch. Student code runs only inside the bwrap sandbox."""

from __future__ import annotations

import io
import os
import socket
import threading
import zipfile

import nbformat
import pytest

from autograder.engine.batch import grade_batch
from autograder.engine.grade import GradingOptions
from autograder.sandbox import Limits
from tests.autograder.engine.hostile import HOSTILE, q1
from tests.course.corpus import honest_notebook, honest_submission
from tests.course.course import REPO

pytestmark = pytest.mark.slow
FULL_Q1, FAULTY_Q1 = 5.0, 3.0


@pytest.fixture(scope="module")
def proven(bwrap, tmp_path_factory):
    """Small probes first: if a limit does not hold, stop before any hostile notebook runs."""
    job = tmp_path_factory.mktemp("probe")
    small = Limits(memory_bytes=256 * 2**20, pids=16, wall_seconds=3.0, cpu_seconds=5)
    probes = {
        "memory": "x = bytearray(512 * 1024**2)",
        "pids": "import os\nfor _ in range(40):\n    os.fork() == 0 and __import__('time')"
                ".sleep(5)",
        "wall": "while True: pass",
    }
    for name, code in probes.items():
        run = bwrap.run(job, ["python", "-c", code], small)
        if run.exit_code == 0 and not run.timed_out:
            pytest.fail(f"the sandbox's {name} limit did not hold; not running hostile code")
    return bwrap


class Listener:
    """A TCP server on the host's loopback that records any connection."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.5)
        self.port = self.server.getsockname()[1]
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self):
        while not self.stop.is_set():
            try:
                conn, _ = self.server.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self):
        self.stop.set()
        self.thread.join(2)
        self.server.close()


def _write(folder, notebooks):
    folder.mkdir(parents=True, exist_ok=True)
    for name, nb in notebooks.items():
        nbformat.write(nb, folder / f"{name}.ipynb")


def _zip_with_traps(path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("ps1/q1_softmax.ipynb", nbformat.writes(honest_notebook("q1_softmax")))
        z.writestr("../../evil.ipynb", "{}")
        link = zipfile.ZipInfo("ps1/q2_neural.ipynb")
        link.external_attr = 0o120777 << 16  # a symbolic link to a secret
        z.writestr(link, str(REPO / "solutions" / "neural.py"))
    path.write_bytes(buf.getvalue())


@pytest.fixture(scope="module")
def results(proven, assignment, tmp_path_factory):
    listener = Listener()
    root = tmp_path_factory.mktemp("hostile")
    subs = root / "submitted"
    for student, (notebooks, _) in HOSTILE.items():
        _write(subs / student / "ps1", notebooks)
    _write(subs / "honest" / "ps1", honest_submission())
    _write(subs / "network" / "ps1", q1(f"""
        import socket
        leaked = []
        for host in ("127.0.0.1", "1.1.1.1", "localhost"):
            try:
                socket.create_connection((host, {listener.port}), timeout=2).close()
                leaked.append(host)
            except OSError:
                pass
        if leaked:
            softmax = lambda x: x
        """))
    notjson = subs / "not_json" / "ps1"
    _write(notjson, {"q2_neural": honest_notebook("q2_neural")})
    (notjson / "q1_softmax.ipynb").write_text("this is { not a notebook")
    dup = honest_notebook("q1_softmax")
    solution = next(c for c in dup.cells
                    if c.metadata.get("nbgrader", {}).get("grade_id") == "q1_softmax")
    dup.cells.append(nbformat.from_dict(solution))
    _write(subs / "duplicate_ids" / "ps1", {"q1_softmax": dup})
    bare = honest_notebook("q1_softmax")
    for cell in bare.cells:
        cell.metadata.pop("nbgrader", None)
    _write(subs / "missing_ids" / "ps1", {"q1_softmax": bare})
    _zip_with_traps(subs / "zipped.zip")

    options = GradingOptions(limits=Limits(wall_seconds=20.0, memory_bytes=1024**3, pids=64),
                             cell_timeout=4.0, call_timeout=10.0)
    try:
        graded = grade_batch(subs, root / "out", course=assignment, sandbox="bwrap",
                             options=options, jobs=2)
    finally:
        listener.close()
    return {r.student: r for r in graded}, listener


def q1_score(result) -> float:
    return sum(c.score for c in result.cells if c.grade_id == "q1_softmax_hidden")


def q1_report(result):
    return next(nb for nb in result.notebooks if nb.name == "q1_softmax")


@pytest.mark.parametrize("student", sorted(HOSTILE))
def test_hostile_notebook(results, student):
    result = results[0][student]
    expected = HOSTILE[student][1]
    report = q1_report(result)
    if expected == "honest":
        assert q1_score(result) == FULL_Q1, report
    elif expected == "faulty":
        assert q1_score(result) == FAULTY_Q1, report
    else:
        assert report.status == "stopped" and q1_score(result) == 0.0
        assert report.message and "Traceback" not in report.message


def test_honest_submission_in_the_same_batch_gets_full_marks(results):
    honest = results[0]["honest"]
    assert honest.auto_score == honest.auto_max > 0


def test_no_network_from_the_sandbox(results):
    graded, listener = results
    assert listener.connections == 0
    assert q1_score(graded["network"]) == FULL_Q1


def test_nothing_written_outside_the_scratch_folder(results):
    assert not (REPO / "PWNED").exists()
    assert not os.path.exists("/etc/cs224n-pwned")
    assert not os.path.exists("/root/cs224n-pwned")


def test_not_json_is_a_clear_error_and_the_rest_is_graded(results):
    result = results[0]["not_json"]
    assert q1_report(result).status == "invalid"
    assert "not a valid notebook" in q1_report(result).message
    q2 = sum(c.score for c in result.cells if c.notebook == "q2_neural" and c.auto)
    assert q2 == 16.0


def test_duplicate_and_missing_grade_ids(results):
    assert q1_score(results[0]["duplicate_ids"]) == FULL_Q1
    report = q1_report(results[0]["missing_ids"])
    assert report.status in ("graded", "invalid")
    if report.status == "invalid":
        assert "metadata" in report.message


def test_zip_traps_are_refused_and_the_rest_is_graded(results):
    result = results[0]["zipped"]
    problems = " ".join(result.problems)
    assert "evil.ipynb" in problems and "symbolic link" in problems
    assert q1_score(result) == FULL_Q1
