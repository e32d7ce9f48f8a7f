"""A course graded by every path for the staff's tests: `autograder grade --gradebook` and the
service writing into the same course folder and gradebook (the formgrader layout)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat

from tests.autograder.engine.test_intake import png
from tests.autograder.service.server import Server, issue_tokens, wait_for
from tests.course.corpus import honest_notebook
from tests.course.course import ASSIGNMENT, NOTEBOOKS, Course, nbgrader_env

AUTOGRADER = str(Path(sys.executable).parent / "autograder")
DUE = "2026-12-03T17:00:00-08:00"  # Thu 3 Dec 2026 17:00 PST = 4 Dec 01:00 UTC
ON_TIME = "2026-12-04 00:30:00.000000 UTC"
LATE = "2026-12-04 03:05:00.000000 UTC"  # 2 h 5 min late: 3 started hours
PER_HOUR = 2.0
OWN_RUN = {
    "q3_train": "iter 40000: 9.871234\nsanity check: cost at convergence should be around "
                "or below 10\ntraining took 1843 seconds\n",
    "q4_sweep": "reg=1e-05 train=0.301 dev=0.296\nreg=0.0003 train=0.298 dev=0.301\n"
                "best dev accuracy 0.301 (own vectors, my full run)\n",
}
PRED_TXT = b"3\t3\tA gorgeous film\n1\t0\t<script>alert(1)</script>\n"


def make_course(root: Path) -> Course:
    """A generated course whose nbgrader exchange is inside it (release_feedback writes
    there, not in /usr/local/share)."""
    course = Course.create(root)
    with open(course.root / "nbgrader_config.py", "a") as fh:
        fh.write(f"\nc.Exchange.root = {str(course.root / 'exchange')!r}\n")
    (course.root / "exchange").mkdir()
    return course


def answered(name: str) -> nbformat.NotebookNode:
    """The honest notebook with every written answer filled in (the corpus leaves them as
    released, which nbgrader scores 0 with "No response." and nothing to grade by hand)."""
    nb = honest_notebook(name)
    for cell in nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if cell.cell_type == "markdown" and meta.get("solution"):
            cell.source = f"My answer to {meta.get('grade_id')}: because the shift cancels."
        if meta.get("grade_id") in OWN_RUN:  # what the student's full run printed
            cell.outputs = [nbformat.v4.new_output("stream", name="stdout",
                                                   text=OWN_RUN[meta["grade_id"]])]
    return nb


def submit(course: Course, student: str, timestamp: str, artifacts: bool = True) -> Path:
    """An honest student's submission as `nbgrader collect` leaves it (timestamp.txt,
    submission_secret.txt), written answers filled in, with the run's artifacts."""
    folder = course.submit(student, {n: answered(n) for n in NOTEBOOKS})
    (folder / "timestamp.txt").write_text(timestamp)
    (folder / "submission_secret.txt").write_text(os.urandom(64).hex())
    if artifacts:
        (folder / "q3_word_vectors.png").write_bytes(png(60, 40))
        (folder / "q4_dev_pred.txt").write_bytes(PRED_TXT)
    return folder


def deadline_env() -> dict[str, str]:
    return {"AUTOGRADER_DUE": f'{{"{ASSIGNMENT}": "{DUE}"}}',
            "AUTOGRADER_LATE_POLICY": "subtract_per_hour",
            "AUTOGRADER_PENALTY_PER_HOUR": str(PER_HOUR)}


def grade_with_cli(course: Course, out: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in nbgrader_env().items() if not k.startswith("AUTOGRADER_")}
    env.update(deadline_env(), AUTOGRADER_SANDBOX_RUNTIME=str(
        Path(__file__).resolve().parents[2] / "build" / "sandbox-runtime"))
    proc = subprocess.run(
        [AUTOGRADER, "grade", "submitted", "--out", str(out), "-q",
         "--gradebook", f"sqlite:///{course.root / 'gradebook.db'}"],
        cwd=course.root, env=env, capture_output=True, text=True, timeout=1200)
    if proc.returncode != 0:
        raise RuntimeError(f"autograder grade failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def zip_of_folder(folder: Path) -> bytes:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.iterdir()):
            if path.is_file() and (path.suffix in (".ipynb", ".png", ".txt")):
                archive.write(path, f"{ASSIGNMENT}/{path.name}")
    return buffer.getvalue()


@contextmanager
def service(course: Course, students: list[str], **settings: object
            ) -> Iterator[tuple[Server, dict[str, str]]]:
    """A real service (one worker) whose course folder and gradebook are the course's."""
    data = course.root / "service-data"
    data.mkdir(exist_ok=True)
    tokens = issue_tokens(data, students)
    extra = {k.removeprefix("AUTOGRADER_").lower(): v for k, v in deadline_env().items()}
    server = Server(data, workers=1, course_root=course.root,
                    gradebook_url=f"sqlite:///{course.root / 'gradebook.db'}",
                    **{**extra, **settings})
    try:
        yield server, tokens
    finally:
        server.stop()


def grade_with_service(course: Course, student: str, upload: bytes, **settings: object
                       ) -> dict:
    """Upload a zip to a real service whose course folder and gradebook are the course's;
    returns the graded submission's JSON once the autograded folder is written (the
    gradebook is written after the job is done)."""
    with service(course, [student], **settings) as (server, tokens):
        with server.client(tokens[student]) as client:
            answer = client.post("/api/submissions",
                                 files={"file": (f"{ASSIGNMENT}.zip", upload)})
            assert answer.status_code == 202, answer.text
            body = wait_for(client, answer.json()["id"])
        folder = course.root / "autograded" / student / ASSIGNMENT
        deadline = time.monotonic() + 60
        while not (folder / "timestamp.txt").exists() and time.monotonic() < deadline:
            time.sleep(0.1)
    return body


def release_notebook(course: Course, name: str) -> nbformat.NotebookNode:
    return nbformat.read(course.release / f"{name}.ipynb", 4)
