"""`autograder gradescope-package`: what the zip holds, and what it must never hold."""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.gradescope.config import ConfigError, PackageConfig
from autograder.gradescope.package import (
    PackageError,
    build_package,
    choose_seed,
    forbidden_members,
)
from autograder.settings import GradingSettings, declared_default

REPO = Path(__file__).resolve().parents[3]
SEED = 424242


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """A copy of the course with what a working course folder also holds: a gradebook,
    submissions, downloaded data, checkpoints, caches and an instructor's plot."""
    root = tmp_path_factory.mktemp("course")
    shutil.copy(REPO / "nbgrader_config.py", root)
    shutil.copytree(REPO / "source", root / "source",
                    ignore=shutil.ignore_patterns("__pycache__"))
    ps1 = root / "source" / "ps1"
    (root / "gradebook.db").write_bytes(b"SQLite format 3\0students")
    (root / "submitted" / "alice" / "ps1").mkdir(parents=True)
    (root / "submitted" / "alice" / "ps1" / "q1_softmax.ipynb").write_text("{}")
    for junk in ("data/stanfordSentimentTreebank/dictionary.txt", ".ipynb_checkpoints/x.ipynb",
                 "checkpoints/saved_params_1000.npy", "q4_reg_v_acc.png", ".env"):
        (ps1 / junk).parent.mkdir(parents=True, exist_ok=True)
        (ps1 / junk).write_text("junk")
    return root


@pytest.fixture(scope="module")
def package(course, tmp_path_factory):
    wheels = tmp_path_factory.mktemp("wheels")
    (wheels / "numpy-9.9-cp311-none-any.whl").write_bytes(b"fake")
    (wheels / "cs224n_ps1-0.0.1-py3-none-any.whl").write_bytes(b"an old build")
    (wheels / "requirements.txt").write_text("numpy==9.9\ncs224n-ps1==0.0.1\n")
    out = tmp_path_factory.mktemp("out") / "autograder.zip"
    built = build_package(out, settings=GradingSettings(course_root=course, cell_timeout=30),
                          seed=SEED, wheels=wheels, project_root=REPO)
    return built, zipfile.ZipFile(out)


def test_the_scripts_are_at_the_root_and_executable(package):
    built, archive = package
    for name in ("setup.sh", "run_autograder"):
        info = archive.getinfo(name)  # at the root, not under a folder
        assert stat.S_IMODE(info.external_attr >> 16) == 0o755
    assert archive.read("run_autograder").startswith(b"#!/usr/bin/env bash\n")
    assert built.members == tuple(sorted(built.members))


def test_the_scripts_are_valid_bash(package, tmp_path):
    _, archive = package
    for name in ("setup.sh", "run_autograder"):
        (tmp_path / name).write_bytes(archive.read(name))
        check = subprocess.run(["bash", "-n", str(tmp_path / name)], capture_output=True,
                               text=True)
        assert check.returncode == 0, check.stderr


def test_the_seed_and_limits_come_from_the_build(package):
    _, archive = package
    config = json.loads(archive.read("autograder.json"))
    assert config["check_seed"] == SEED and config["assignment"] == "ps1"
    assert config["limits"]["cell_timeout"] == 30
    assert config["sandbox"] == "auto"


def test_only_the_hidden_parts_needed_and_nothing_of_the_working_tree(package):
    _, archive = package
    names = set(archive.namelist())
    notebooks = {n for n in names if n.endswith(".ipynb")}
    assert notebooks == {f"course/source/ps1/{nb}.ipynb" for nb in
                         ("q1_softmax", "q2_neural", "q3_word2vec", "q4_sentiment")}
    assert "course/nbgrader_config.py" in names
    assert "course/source/ps1/cs224n/sanity.py" in names
    assert not forbidden_members(sorted(names))
    for junk in ("gradebook", "submitted", "/data/", "checkpoints/", ".png", ".env", "release/",
                 "__pycache__", "tests/"):
        assert not any(junk in n for n in names), junk


def test_the_project_wheel_holds_the_engine_and_the_bundled_pins_not_an_old_build(package):
    _, archive = package
    wheels = sorted(n for n in archive.namelist() if n.endswith(".whl"))
    assert wheels == ["wheels/cs224n_ps1-0.1.0-py3-none-any.whl",
                      "wheels/numpy-9.9-cp311-none-any.whl"]
    assert archive.read("wheels/requirements.txt").decode().split() == ["numpy==9.9"]
    import io

    inner = zipfile.ZipFile(io.BytesIO(archive.read(wheels[0]))).namelist()
    for module in ("autograder/gradescope/run.py", "autograder/checks/q1_softmax.py",
                   "solutions/softmax.py", "autograder/kernel/runner.py"):
        assert module in inner, module


def test_the_seed_is_never_the_public_default_silently(monkeypatch):
    monkeypatch.delenv("CS224N_CHECK_SEED", raising=False)
    with pytest.raises(PackageError, match="no check seed"):
        choose_seed(None)
    monkeypatch.setenv("CS224N_CHECK_SEED", "987")
    assert choose_seed(None) == 987
    assert choose_seed(555) == 555
    public = declared_default("check_seed")
    with pytest.raises(PackageError, match="public default"):
        choose_seed(public)
    assert choose_seed(public, allow_public=True) == public
    monkeypatch.setenv("CS224N_CHECK_SEED", "not-a-number")
    with pytest.raises(PackageError, match="not an integer"):
        choose_seed(None)


def test_the_command_refuses_without_a_seed(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    proc = subprocess.run([sys.executable, "-m", "autograder.cli", "gradescope-package",
                           "--out", str(tmp_path / "x.zip")], cwd=REPO, env=env,
                          capture_output=True, text=True)
    assert proc.returncode == 2 and "no check seed" in proc.stderr
    assert not (tmp_path / "x.zip").exists()


def test_a_folder_that_is_not_a_course_is_refused(tmp_path):
    with pytest.raises(PackageError, match="not a course folder"):
        build_package(tmp_path / "x.zip", settings=GradingSettings(course_root=tmp_path),
                      seed=SEED)


def test_the_configuration_round_trips_and_refuses_garbage(tmp_path):
    config = PackageConfig.from_settings(GradingSettings(memory_mb=1024), 7, "container")
    (tmp_path / "c.json").write_text(config.dumps())
    loaded = PackageConfig.load(tmp_path / "c.json")
    assert loaded == config
    settings = loaded.grading_settings(tmp_path, tmp_path / "site")
    assert settings.check_seed == 7 and settings.memory_mb == 1024
    (tmp_path / "c.json").write_text(json.dumps({**json.loads(config.dumps()),
                                                 "limits": {"sandbox_uid": 0}}))
    with pytest.raises(ConfigError, match="unknown limits"):
        PackageConfig.load(tmp_path / "c.json")
