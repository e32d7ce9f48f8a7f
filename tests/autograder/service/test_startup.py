"""`serve` and `worker` refuse to start on the public check seed (a clear line, exit 2, no
traceback) unless AUTOGRADER_ALLOW_PUBLIC_SEED says so; invalid settings and an unreachable
database are one clear line too; AUTOGRADER_LOG_FILE sends the log to a rotating file."""

from __future__ import annotations

import logging
import subprocess

import pytest

from autograder.service.settings import ServiceSettings
from autograder.service.startup import log_to_file, seed_refusal
from tests.autograder.service.server import AUTOGRADER, Server, free_port, service_env


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([AUTOGRADER, *args], env=env, capture_output=True, text=True,
                          timeout=60)


@pytest.fixture
def env(tmp_path) -> dict[str, str]:
    env = service_env(tmp_path / "data")
    env.pop("AUTOGRADER_ALLOW_PUBLIC_SEED")
    env.pop("CS224N_CHECK_SEED", None)
    return env


@pytest.mark.parametrize("command", [["serve", "--port", "0"], ["worker", "--queue", "celery"]])
def test_no_seed_no_start(env, command):
    proc = run(command, env)
    assert proc.returncode == 2, proc.stderr
    assert "CS224N_CHECK_SEED is not set" in proc.stderr
    assert "AUTOGRADER_ALLOW_PUBLIC_SEED" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_the_public_seed_set_by_hand_is_refused_too(env):
    env["CS224N_CHECK_SEED"] = str(ServiceSettings.model_fields["check_seed"].default)
    proc = run(["serve", "--port", "0"], env)
    assert proc.returncode == 2 and "public default seed" in proc.stderr, proc.stderr


def test_seed_rules():
    public = ServiceSettings.model_fields["check_seed"].default
    assert seed_refusal(ServiceSettings()) is not None
    assert seed_refusal(ServiceSettings(check_seed=public)) is not None
    assert seed_refusal(ServiceSettings(check_seed=987654)) is None
    assert seed_refusal(ServiceSettings(allow_public_seed=True)) is None


@pytest.mark.slow
def test_a_secret_seed_starts_and_logs_to_a_file(env, tmp_path):
    env["CS224N_CHECK_SEED"] = "987654"
    log_file = tmp_path / "logs" / "service.log"
    server = Server(tmp_path / "data", workers=0, env=env, log_file=log_file)
    try:
        assert server.client().get("/health").status_code == 200
    finally:
        server.stop()
    assert "grader service ready" in log_file.read_text()


def test_invalid_settings_are_one_line(env):
    env["CS224N_CHECK_SEED"] = "987654"
    env["AUTOGRADER_WORKERS"] = "-1"
    proc = run(["worker"], env)
    assert proc.returncode == 2 and "AUTOGRADER_WORKERS" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.slow
def test_an_unreachable_database_is_one_line(env, tmp_path):
    env["CS224N_CHECK_SEED"] = "987654"
    proc = run(["serve", "--port", str(free_port()),
                "--db", f"postgresql+psycopg://u:hunter2@127.0.0.1:{free_port()}/x"], env)
    assert proc.returncode == 1, proc.stderr
    assert "does not answer" in proc.stderr and "hunter2" not in proc.stderr
    assert "Traceback" not in proc.stderr
    roster = tmp_path / "roster.csv"
    roster.write_text("student\nalice\n")
    proc = run(["tokens", str(roster), "--out", str(tmp_path / "t.csv"),
                "--db", f"postgresql+psycopg://u:hunter2@127.0.0.1:{free_port()}/x"], env)
    assert proc.returncode == 1 and "does not answer" in proc.stderr, proc.stderr
    assert "Traceback" not in proc.stderr and not (tmp_path / "t.csv").exists()


def test_the_log_file_rotates(tmp_path):
    settings = ServiceSettings(log_file=tmp_path / "service.log", log_max_mb=0.01,
                               log_backups=2)
    handler = log_to_file(settings)
    try:
        for i in range(2000):
            logging.getLogger("autograder.service.test").info("line %d %s", i, "x" * 40)
    finally:
        logging.getLogger().removeHandler(handler)
        handler.close()
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == ["service.log", "service.log.1", "service.log.2"]
    assert all((tmp_path / f).stat().st_size <= 0.01 * 1024**2 + 200 for f in files)
    assert "line 1999" in (tmp_path / "service.log").read_text()
