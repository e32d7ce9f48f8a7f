"""Backup and restore of the compose stack, as docker/README.md tells operators to do it:
a running stack grades two submissions, `autograder backup -` (in the api container, as root)
saves it, a fresh stack (new project: new volumes, new database password) gets it with
`autograder restore -` before its api and workers start, and then serves every submission,
grade, grades.csv row and gradebook score of the old one to the old tokens, and grades new
uploads."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import time

import httpx
import pytest

from tests.compose import require_docker
from tests.course.course import REPO
from tests.test_compose_service import (
    INSTRUCTOR,
    Stack,
    _remove_orphaned_sandboxes,
    status,
    submit,
    wait_done,
    zip_submission,
)

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def compose_files() -> list[str]:
    require_docker("cs224n/grader:latest", "cs224n/kernel:latest")
    files = ["docker-compose.yml"]
    if os.environ.get("CS224N_COMPOSE_CI", "1" if os.environ.get("CI") else "") == "1":
        require_docker("cs224n/ci-postgres:latest", "cs224n/ci-redis:latest")
        files.append("docker/compose.ci.yml")
    return files


def up(stack: Stack) -> None:
    stack.run("up", "-d", "--scale", "worker=2", "api", "worker", "redis", "postgres")
    stack.wait_healthy(timeout=900)  # each worker prepares the assignment first: slow on a
    # loaded 2-core machine


def grades_csv(stack: Stack) -> list[dict[str, str]]:
    response = httpx.get(f"{stack.url}/api/grades.csv", timeout=30,
                         headers={"Authorization": f"Bearer {INSTRUCTOR}"})
    assert response.status_code == 200, response.text
    return sorted(csv.DictReader(io.StringIO(response.text)), key=lambda r: r["student"])


def exported(stack: Stack) -> dict[str, float]:
    out = stack.run("exec", "-T", "-w", "/course", "api", "sh", "-c",
                    'CS224N_GRADEBOOK_URL="$AUTOGRADER_GRADEBOOK_URL" nbgrader export '
                    "--to /tmp/grades.csv >/dev/null 2>&1 && cat /tmp/grades.csv").stdout
    return {row["student_id"]: float(row["raw_score"])
            for row in csv.DictReader(io.StringIO(out)) if row["assignment"] == "ps1"}


def compose(stack: Stack, *args: str, stdin=None, stdout=None) -> subprocess.CompletedProcess:
    proc = subprocess.run([*stack.base, *args], cwd=REPO, env=stack.env, stdin=stdin,
                          stdout=stdout if stdout is not None else subprocess.PIPE,
                          stderr=subprocess.PIPE, timeout=900)
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-3000:]
    return proc


def wait_postgres(stack: Stack, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if stack.run("exec", "-T", "postgres", "pg_isready", "-U", "cs224n", "-d",
                     "autograder", check=False).returncode == 0:
            return
        time.sleep(1)
    raise AssertionError(f"postgres not ready:\n{stack.logs()}")


def test_a_backup_restores_into_a_fresh_stack(corpus_dir, corpus_expected, tmp_path):
    files = compose_files()
    faulty = next(s for s in sorted(corpus_expected) if s != "honest")
    students = ["honest", faulty]
    old, new = Stack(files), Stack(files)
    try:
        up(old)
        made = old.run("exec", "-T", "api", "sh", "-c",
                       "cat > /tmp/roster.csv && autograder tokens /tmp/roster.csv "
                       "--out /tmp/tokens.csv >/dev/null && cat /tmp/tokens.csv",
                       input="student\n" + "\n".join(students) + "\n")
        old.tokens = dict(line.split(",", 1) for line in made.stdout.splitlines()[1:])
        ids = {s: submit(old, s, zip_submission(corpus_dir / s / "ps1")) for s in students}
        before = wait_done(old, ids)
        assert before["honest"]["score"] == pytest.approx(
            sum(corpus_expected["honest"].values()))
        old_grades, old_export = grades_csv(old), exported(old)

        archive = tmp_path / "backup.tar.gz"
        with open(archive, "wb") as out:  # as root: the workers' files are root's
            compose(old, "exec", "-T", "--user", "root", "api", "autograder", "backup", "-",
                    stdout=out)
        assert archive.stat().st_size > 1000
        old.run("down", "-v", "--remove-orphans")  # gone for good: only the archive is left

        new.run("up", "-d", "postgres", "redis")
        wait_postgres(new)
        with open(archive, "rb") as source:  # before the api and workers start
            restored = compose(new, "run", "--rm", "-T", "api", "restore", "-", stdin=source)
        assert b"restored" in restored.stderr, restored.stderr[-2000:]
        up(new)
        new.tokens = old.tokens
        for student, sid in ids.items():
            after = status(new, student, sid)
            assert after == before[student], student
        assert grades_csv(new) == old_grades
        assert exported(new) == old_export and set(old_export) == set(students)

        again = submit(new, "honest", zip_submission(corpus_dir / "honest" / "ps1"))
        assert again not in ids.values()
        body = wait_done(new, {"honest": again})["honest"]
        assert body["status"] == "done" and body["score"] == before["honest"]["score"]
    finally:
        for stack in (old, new):
            print(stack.logs())
            stack.run("down", "-v", "--remove-orphans", check=False)
        _remove_orphaned_sandboxes()
