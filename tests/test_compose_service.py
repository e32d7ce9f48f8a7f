"""The grader service's compose stack for real: api, 2 worker containers, redis, postgres.

The corpus goes in through the HTTP API; every per-cell score must equal the corpus's
expectation, `nbgrader export` against the PostgreSQL gradebook must show every grade, a
restart of the API with jobs queued loses none, and a worker container killed mid-grade
leads to its job being graded again by the other. The staff's side: the worker writes the
graded submission into the course volume, where the formgrader service (profile staff) opens
it, and the feedback it releases reaches the api. Outside CI the stack uses the official
postgres and redis images; CI (no registry) adds docker/compose.ci.yml for its stand-ins.
"""

from __future__ import annotations

import csv
import io
import os
import secrets
import socket
import subprocess
import time
import uuid
import zipfile
from pathlib import Path

import httpx
import nbformat
import pytest

from tests.compose import compose_command, compose_env, require_docker
from tests.course.course import REPO

pytestmark = [pytest.mark.docker, pytest.mark.slow]
INSTRUCTOR = "compose-instructor-" + uuid.uuid4().hex
KILLED = "zz_killed_worker"
FORMGRADED = "zz_formgraded"
WAIT = 900.0


class Stack:
    """`docker-compose -p <unique project>` with this test's environment."""

    def __init__(self, files: list[str]):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.project = f"cs224ntest{uuid.uuid4().hex[:8]}"
        self.base = [*compose_command(), "-p", self.project,
                     *[arg for f in files for arg in ("-f", f)]]
        self.env = compose_env(AUTOGRADER_INSTRUCTOR_TOKEN=INSTRUCTOR,
                               AUTOGRADER_PORT=str(self.port), AUTOGRADER_LEASE_SECONDS="30",
                               AUTOGRADER_SWEEP_SECONDS="5",
                               AUTOGRADER_SUBMISSIONS_PER_MINUTE="30")

    def run(self, *args: str, input: str | None = None, check: bool = True,
            timeout: float = 600) -> subprocess.CompletedProcess:
        proc = subprocess.run([*self.base, *args], cwd=REPO, env=self.env, input=input,
                              capture_output=True, text=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError(f"docker-compose {' '.join(args)} failed:\n"
                                 f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
        return proc

    def logs(self) -> str:
        return self.run("logs", "--no-color", "--tail", "60", check=False).stdout

    def containers(self, service: str) -> list[str]:
        return self.run("ps", "-q", service).stdout.split()

    def wait_healthy(self, timeout: float = 300) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            ids = self.containers("api") + self.containers("worker")
            states = [subprocess.run(["docker", "inspect", "-f", "{{.State.Health.Status}}",
                                      cid], capture_output=True, text=True).stdout.strip()
                      for cid in ids]
            if len(ids) == 3 and all(s == "healthy" for s in states):
                return
            time.sleep(2)
        raise AssertionError(f"the stack is not healthy after {timeout} s:\n{self.logs()}")

    def sql(self, query: str) -> str:
        return self.run("exec", "-T", "postgres", "psql", "-U", "cs224n", "-d", "autograder",
                        "-tAc", query).stdout.strip()


@pytest.fixture(scope="module")
def stack(corpus_expected):
    require_docker("cs224n/grader:latest", "cs224n/kernel:latest")
    files = ["docker-compose.yml"]
    if os.environ.get("CS224N_COMPOSE_CI", "1" if os.environ.get("CI") else "") == "1":
        require_docker("cs224n/ci-postgres:latest", "cs224n/ci-redis:latest")
        files.append("docker/compose.ci.yml")
    stack = Stack(files)
    try:
        stack.run("up", "-d", "--scale", "worker=2", "api", "worker", "redis", "postgres")
        stack.wait_healthy()
        roster = "student\n" + "\n".join([*corpus_expected, KILLED, FORMGRADED]) + "\n"
        made = stack.run("exec", "-T", "api", "sh", "-c",
                         "cat > /tmp/roster.csv && autograder tokens /tmp/roster.csv "
                         "--out /tmp/tokens.csv >/dev/null && cat /tmp/tokens.csv", input=roster)
        stack.tokens = dict(line.split(",", 1) for line in made.stdout.splitlines()[1:])
        yield stack
    finally:
        print(stack.logs())
        stack.run("--profile", "staff", "down", "-v", "--remove-orphans", check=False)
        _remove_orphaned_sandboxes()


def _remove_orphaned_sandboxes() -> None:
    """Sandbox containers of a killed worker outlive it; remove what this test left."""
    import docker
    from autograder.sandbox.docker import LABEL

    client = docker.from_env()
    live = {c.id[:12] for c in client.containers.list()}
    for container in client.containers.list(all=True, sparse=True, filters={"label": LABEL}):
        owner = (container.attrs.get("Labels") or {}).get(f"{LABEL}.owner", "")
        if owner.split(":")[0] not in live:
            try:
                container.remove(force=True)
            except docker.errors.APIError:
                pass
    for volume in client.volumes.list(filters={"label": LABEL}):
        if volume.attrs.get("Labels", {}).get(f"{LABEL}.owner", "").split(":")[0] not in live:
            try:
                volume.remove(force=True)
            except docker.errors.APIError:
                pass


def zip_submission(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.glob("*.ipynb")):
            archive.write(path, f"ps1/{path.name}")
    return buffer.getvalue()


def slow_zip_submission(folder: Path, seconds: float) -> bytes:
    """The submission in folder, its q1 ending with a cell of the student's that waits
    ``seconds`` (no CPU, no effect on the grade): a grade that is surely still running when
    the test kills its worker (a whole assignment grades in about a second otherwise)."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(folder.glob("*.ipynb")):
            nb = nbformat.read(path, as_version=4)
            if path.stem == "q1_softmax":
                nb.cells.append(nbformat.v4.new_code_cell(f"import time\ntime.sleep({seconds})"))
            archive.writestr(f"ps1/{path.name}", nbformat.writes(nb))
    return buffer.getvalue()


def submit(stack: Stack, student: str, data: bytes) -> str:
    response = httpx.post(f"{stack.url}/api/submissions", files={"file": ("ps1.zip", data)},
                          headers={"Authorization": f"Bearer {stack.tokens[student]}"},
                          timeout=60)
    assert response.status_code == 202, response.text
    return response.json()["id"]


def status(stack: Stack, student: str, sid: str) -> dict:
    response = httpx.get(f"{stack.url}/api/submissions/{sid}", timeout=30,
                         headers={"Authorization": f"Bearer {stack.tokens[student]}"})
    response.raise_for_status()
    return response.json()


def wait_done(stack: Stack, pending: dict[str, str]) -> dict[str, dict]:
    done: dict[str, dict] = {}
    deadline = time.monotonic() + WAIT
    while len(done) < len(pending) and time.monotonic() < deadline:
        for student, sid in pending.items():
            if student not in done:
                try:
                    body = status(stack, student, sid)
                except httpx.HTTPError:  # the API is restarting
                    continue
                if body["status"] in ("done", "failed"):
                    done[student] = body
        time.sleep(2)
    missing = sorted(set(pending) - set(done))
    assert not missing, f"not graded in {WAIT} s: {missing}\n{stack.logs()}"
    return done


def test_the_corpus_through_the_api_survives_an_api_restart(stack, corpus_dir,
                                                            corpus_expected):
    pending = {student: submit(stack, student, zip_submission(corpus_dir / student / "ps1"))
               for student in corpus_expected}
    stack.run("restart", "api")  # with jobs queued: none may be lost
    results = wait_done(stack, pending)
    for student, expected in corpus_expected.items():
        body = results[student]
        assert body["status"] == "done", (student, body)
        got = {f"{nb['name']}/{cell['grade_id']}": cell["score"]
               for nb in body["notebooks"] for cell in nb["cells"] if cell["auto"]}
        assert {k: got.get(k) for k in expected} == pytest.approx(expected), student
        assert body["score"] == pytest.approx(sum(expected.values())), student

    stack.wait_healthy()
    grades = httpx.get(f"{stack.url}/api/grades.csv", timeout=30,
                       headers={"Authorization": f"Bearer {INSTRUCTOR}"})
    assert grades.status_code == 200
    assert {row["student"] for row in csv.DictReader(io.StringIO(grades.text))} \
        == set(corpus_expected)


def test_nbgrader_export_reads_every_grade_from_postgres(stack, corpus_expected):
    # the grades of the test above are in the gradebook database (it runs first)
    exported = stack.run(
        "exec", "-T", "-w", "/course", "api", "sh", "-c",
        'CS224N_GRADEBOOK_URL="$AUTOGRADER_GRADEBOOK_URL" nbgrader export '
        "--to /tmp/grades.csv >/dev/null 2>&1 && cat /tmp/grades.csv")
    rows = list(csv.DictReader(io.StringIO(exported.stdout)))
    scores = {row["student_id"]: float(row["raw_score"]) for row in rows
              if row["assignment"] == "ps1"}
    for student, expected in corpus_expected.items():
        assert scores.get(student) == pytest.approx(sum(expected.values())), student


def test_a_worker_killed_mid_grade_leaves_its_job_to_the_other(stack, corpus_dir,
                                                              corpus_expected):
    honest = slow_zip_submission(corpus_dir / "honest" / "ps1", 20)
    sid = submit(stack, KILLED, honest)
    deadline = time.monotonic() + 300
    holder = ""
    while time.monotonic() < deadline and not holder:
        holder = stack.sql(f"SELECT worker FROM jobs WHERE submission_id = '{sid}' "
                           "AND state = 'running'")
        time.sleep(0.2)
    assert holder, "the job was never claimed"
    container = holder.split(":")[0]  # worker names are <hostname = container id>:<pid>:...
    assert container in {c[:12] for c in stack.containers("worker")}
    subprocess.run(["docker", "kill", container], check=True, capture_output=True)

    body = wait_done(stack, {KILLED: sid})[KILLED]
    assert body["status"] == "done" and body["attempts"] == 2, body
    assert body["score"] == pytest.approx(sum(corpus_expected["honest"].values()))
    regraded_by = stack.sql(f"SELECT worker FROM jobs WHERE submission_id = '{sid}'")
    assert regraded_by.split(":")[0] != container


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_formgrader_opens_what_the_worker_wrote_and_releases_feedback(stack, corpus_dir):
    sid = submit(stack, FORMGRADED, zip_submission(corpus_dir / "honest" / "ps1"))
    assert wait_done(stack, {FORMGRADED: sid})[FORMGRADED]["status"] == "done"
    token, port = secrets.token_hex(16), free_port()
    stack.env.update(JUPYTER_TOKEN=token, FORMGRADER_PORT=str(port))

    # the worker (root) wrote the folder into the course volume; formgrader's user reads it
    folder = f"/course/autograded/{FORMGRADED}/ps1"
    listed = stack.run("--profile", "staff", "run", "--rm", "-T", "--user", "grader",
                       "--entrypoint", "sh", "formgrader", "-c",
                       f"cd {folder} && ls && cat *.ipynb submission_secret.txt >/dev/null")
    notebooks = sorted(n[:-6] for n in listed.stdout.split() if n.endswith(".ipynb"))
    assert notebooks == ["q1_softmax", "q2_neural", "q3_word2vec", "q4_sentiment"], listed.stdout

    # formgrader itself, with the token, on the gradebook: the submission and its notebook
    stack.run("--profile", "staff", "up", "-d", "formgrader")
    url, headers = f"http://127.0.0.1:{port}/formgrader", {"Authorization": f"token {token}"}
    deadline, listing = time.monotonic() + 120, None
    while time.monotonic() < deadline and listing is None:
        try:
            answer = httpx.get(f"{url}/api/submitted_notebooks/ps1/q3_word2vec",
                               headers=headers, timeout=10)
            listing = answer.json() if answer.status_code == 200 else None
        except httpx.HTTPError:
            pass
        time.sleep(2)
    assert listing is not None, stack.run("logs", "--tail", "40", "formgrader").stdout
    mine = [nb for nb in listing if nb["student"] == FORMGRADED]
    assert len(mine) == 1, listing
    page = httpx.get(f"{url}/submissions/{mine[0]['id']}/", headers=headers, timeout=60)
    assert page.status_code == 200 and "q3_word2vec" in page.text, page.text[-2000:]
    assert httpx.get(f"{url}/api/submitted_notebooks/ps1/q3_word2vec",
                     timeout=10).status_code != 200  # not without the token

    # feedback generated and released in formgrader's container reaches the api
    for step in ("generate_feedback", "release_feedback"):
        stack.run("exec", "-T", "--user", "grader", "formgrader", "nbgrader", step, "ps1",
                  "--student", FORMGRADED)
    released = stack.run("exec", "-T", "api", "python", "-c",
                         "from autograder.service.gradebook import released_notebooks as r; "
                         "from autograder.service.settings import ServiceSettings as S; "
                         f"print(' '.join(sorted(r(S(), {FORMGRADED!r}))))")
    assert released.stdout.split() == notebooks, released.stdout + released.stderr
