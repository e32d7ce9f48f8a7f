"""The grading settings are declared once (autograder/settings.py): the CLI's flags, the
service's settings, the engine's options, the sandbox's limits and backends, the runner's
command line and nbgrader_config.py all take their values from that one declaration, the
variables people already set keep working, and the defaults hold in an installed package."""

from __future__ import annotations

import argparse
import json
import logging
import os
import pickle
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest
from traitlets.config import Config

from autograder import cli
from autograder.checks import check_seed
from autograder.engine.grade import GradingOptions
from autograder.kernel import runner
from autograder.sandbox import Limits, cgroup, get_sandbox
from autograder.sandbox.bwrap import BwrapSandbox
from autograder.sandbox.docker import DockerSandbox
from autograder.service.settings import ServiceSettings
from autograder.settings import GradingSettings, SandboxSettings, declared_default
from tests.course.course import REPO

GRADING_FIELDS = tuple(GradingSettings.model_fields)


@pytest.fixture
def clean_env(monkeypatch) -> pytest.MonkeyPatch:
    """No grading variable of the caller's environment counts."""
    for name in list(os.environ):
        if name.startswith("AUTOGRADER_") or name == "CS224N_CHECK_SEED":
            monkeypatch.delenv(name)
    return monkeypatch


def _declared(field: str) -> object:
    """The declared default as an instance holds it (paths made absolute)."""
    value = declared_default(field)
    return value.absolute() if isinstance(value, Path) else value


def test_the_cli_defaults_are_the_declared_defaults(clean_env):
    parser = cli.build_parser()
    args = parser.parse_args(["grade", "submitted"])
    for field in cli.GRADE_FLAGS.values():  # no default of its own: unset unless given
        assert getattr(args, field) is None, field
    settings = cli.grading_settings(args)
    assert settings == GradingSettings()
    for field in GRADING_FIELDS:
        assert getattr(settings, field) == _declared(field), field
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    helps = {a.dest: a.help for a in commands.choices["grade"]._actions}
    for field in cli.GRADE_FLAGS.values():  # the help shows the declared default and variable
        assert GradingSettings.env_name(field) in helps[field]
        assert ("Default:" in helps[field] or f"default {declared_default(field)};"
                in helps[field]), helps[field]


def test_the_service_settings_include_the_grading_settings(clean_env):
    assert issubclass(ServiceSettings, GradingSettings)
    own = set(ServiceSettings.__annotations__)  # what service/settings.py declares itself
    assert not own & set(GRADING_FIELDS), own & set(GRADING_FIELDS)
    service, grading = ServiceSettings(), GradingSettings()
    for field in GRADING_FIELDS:
        assert getattr(service, field) == getattr(grading, field) == _declared(field), field
        theirs, ours = ServiceSettings.model_fields[field], GradingSettings.model_fields[field]
        assert (theirs.default, theirs.description) == (ours.default, ours.description)


def test_limits_options_and_the_runner_take_their_values_from_the_settings(clean_env):
    settings = GradingSettings()
    assert Limits() == Limits.from_settings(settings)
    assert Limits().wall_seconds == settings.notebook_timeout  # was 120 here, 300 elsewhere
    assert Limits().memory_bytes == settings.memory_mb * 2**20
    built = GradingOptions.from_settings(settings)
    assert GradingOptions() == built
    assert (built.cell_timeout, built.call_timeout, built.seed) == (
        settings.cell_timeout, settings.call_timeout, settings.check_seed)
    # the runner inside the sandbox has no defaults of its own: the grader passes them
    with pytest.raises(SystemExit):
        runner.main(["nb.ipynb", "--out", "out"])
    with pytest.raises(SystemExit):
        runner.main(["nb.ipynb", "--out", "out", "--cell-timeout", "5", "--calls", "c.json"])


def test_a_flag_wins_over_the_environment_which_wins_over_the_default(clean_env, tmp_path):
    clean_env.setenv("AUTOGRADER_CELL_TIMEOUT", "7")
    clean_env.setenv("AUTOGRADER_MEMORY_MB", "512")
    args = cli.build_parser().parse_args(
        ["grade", "submitted", "--memory-mb", "1024", "--allow-per-process-memory",
         "--course", str(tmp_path), "--sandbox", "docker"])
    settings = cli.grading_settings(args)
    assert (settings.cell_timeout, settings.memory_mb) == (7.0, 1024)
    assert settings.course_root == tmp_path and settings.sandbox == "docker"
    options = GradingOptions.from_settings(settings)
    assert options.limits.memory_bytes == 1024 * 2**20 and options.cell_timeout == 7.0
    # the opt-in reaches the backend the worker processes build, without touching os.environ
    options = pickle.loads(pickle.dumps(options))
    assert options.sandbox_settings.sandbox_per_process_memory
    assert get_sandbox("bwrap", options.sandbox_settings).per_process_memory_only
    assert "AUTOGRADER_SANDBOX_PER_PROCESS_MEMORY" not in os.environ
    assert not BwrapSandbox().per_process_memory_only


def test_the_cli_refuses_an_invalid_setting_before_grading(clean_env, tmp_path, caplog):
    sandbox_log = logging.getLogger("autograder.sandbox")
    level = sandbox_log.level  # main() quiets the sandbox's log
    try:
        assert cli.main(["grade", str(tmp_path), "--cell-timeout", "-1"]) == 2
        clean_env.setenv("AUTOGRADER_PIDS", "many")
        assert cli.main(["grade", str(tmp_path)]) == 2
    finally:
        sandbox_log.setLevel(level)
    assert "setting cell_timeout (AUTOGRADER_CELL_TIMEOUT): Input should be greater than 0 " \
           "(got -1.0)" in caplog.text
    assert "setting pids (AUTOGRADER_PIDS): " in caplog.text and "(got 'many')" in caplog.text
    assert "pydantic" not in caplog.text  # its report, codes and links mean nothing here


def test_an_invalid_seed_is_named_as_the_operator_sets_it(clean_env, tmp_path, caplog):
    clean_env.setenv("CS224N_CHECK_SEED", "x")
    assert cli.main(["grade", str(tmp_path)]) == 2
    assert "setting CS224N_CHECK_SEED: Input should be a valid integer" in caplog.text
    assert "(got 'x')" in caplog.text and "pydantic" not in caplog.text


def test_the_variables_people_set_keep_working(clean_env, tmp_path):
    env = {
        "AUTOGRADER_SANDBOX_RUNTIME": str(tmp_path / "runtime"),
        "AUTOGRADER_SANDBOX_UID": "1234", "AUTOGRADER_SANDBOX_GID": "4321",
        "AUTOGRADER_SANDBOX_CPUS": "1.5", "AUTOGRADER_SANDBOX_PER_PROCESS_MEMORY": "1",
        "AUTOGRADER_SANDBOX_IMAGE": "my/kernel:1", "AUTOGRADER_SANDBOX_CGROUP": "/cg/all",
        "AUTOGRADER_SANDBOX_MEMORY_CGROUP": "/cg/memory", "CS224N_CHECK_SEED": " 17 ",
        "AUTOGRADER_COURSE_ROOT": str(tmp_path / "course"), "AUTOGRADER_SANDBOX": "docker",
        "AUTOGRADER_CELL_TIMEOUT": "30", "AUTOGRADER_NOTEBOOK_TIMEOUT": "90",
        "AUTOGRADER_MEMORY_MB": "1024", "AUTOGRADER_CALL_TIMEOUT": "9",
    }
    for name, value in env.items():
        clean_env.setenv(name, value)
    box = BwrapSandbox()
    assert box.runtime == tmp_path / "runtime" and (box.uid, box.gid) == (1234, 4321)
    assert box.cpus == 1.5 and box.per_process_memory_only
    assert DockerSandbox().image == "my/kernel:1"
    assert cgroup.controller_root("memory") == Path("/cg/memory")
    assert cgroup.controller_root("cpu") == Path("/cg/all")
    assert check_seed() == 17 and GradingOptions().seed == 17
    service = ServiceSettings()
    assert service.course_root == tmp_path / "course" and service.sandbox == "docker"
    assert service.check_seed == 17
    options = GradingOptions.from_settings(service)
    assert options.limits == Limits(memory_bytes=1024 * 2**20, wall_seconds=90.0)
    assert (options.cell_timeout, options.call_timeout, options.seed) == (30.0, 9.0, 17)
    assert options.sandbox_settings == SandboxSettings()


def test_an_empty_variable_counts_as_unset(clean_env):
    """docker-compose passes CS224N_CHECK_SEED="" when the instructor set none."""
    clean_env.setenv("CS224N_CHECK_SEED", "")
    clean_env.setenv("AUTOGRADER_SANDBOX_CPUS", "")
    assert check_seed() == declared_default("check_seed")
    assert BwrapSandbox().cpus is None


def test_an_explicit_argument_wins_over_the_settings(clean_env, tmp_path):
    clean_env.setenv("AUTOGRADER_SANDBOX_RUNTIME", str(tmp_path / "from-env"))
    settings = SandboxSettings(sandbox_runtime=tmp_path / "given", sandbox_uid=2000)
    assert BwrapSandbox(settings=settings).runtime == tmp_path / "given"
    assert BwrapSandbox(runtime=tmp_path / "arg", settings=settings).runtime == tmp_path / "arg"
    assert BwrapSandbox(settings=settings).uid == 2000
    assert GradingSettings(check_seed=5).check_seed == 5


def test_nbgrader_config_reads_its_cell_timeout_from_the_settings(clean_env):
    clean_env.setenv("CS224N_GRADING", "1")  # the config sets it; restored after the test

    def load() -> Config:
        config = Config()
        path = REPO / "nbgrader_config.py"
        exec(compile(path.read_text(), str(path), "exec"),
             {"get_config": lambda: config, "__file__": str(path)})
        return config

    assert load().Execute.timeout == declared_default("nbgrader_cell_timeout")
    clean_env.setenv("AUTOGRADER_NBGRADER_CELL_TIMEOUT", "300")
    assert load().Execute.timeout == 300


# ---------------------------------------------------------------- an installed package

_PROBE = """
import json, sys
from pathlib import Path
import autograder
from autograder.settings import GradingSettings
from autograder.service.settings import ServiceSettings
from autograder.sandbox.bwrap import BwrapSandbox
from autograder.engine.grade import RUNTIME_FILES
from autograder.cli import build_parser, grading_settings

grading = grading_settings(build_parser().parse_args(["grade", "submitted"]))
print(json.dumps({
    "package": autograder.__file__,
    "modules": sorted(m.__file__ for m in list(sys.modules.values())
                      if m.__name__.split(".")[0] in ("autograder", "solutions", "cs224n")
                      and getattr(m, "__file__", None)),
    "course_root": str(GradingSettings().course_root),
    "runtime": str(GradingSettings().sandbox_runtime),
    "bwrap_runtime": str(BwrapSandbox().runtime),
    "service_course_root": str(ServiceSettings().course_root),
    "cli_course_root": str(grading.course_root),
    "kernel_files": sorted(RUNTIME_FILES),
}))
"""


def _copy_sources(dest: Path) -> None:
    """What the wheel is built from (a copy: the build leaves nothing in the shared tree)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, dest / name)
    for name in ("autograder", "solutions", "source/ps1/cs224n"):
        shutil.copytree(REPO / name, dest / name, ignore=ignore)


def _probe(target: Path, cwd: Path, **env: str) -> dict:
    # -S: the venv's site is not run, so its editable install of this project (a finder that
    # would fill in any module the wheel lacks) stays out; its site-packages come after the
    # installed package, for the dependencies only
    clean = {k: v for k, v in os.environ.items()
             if not k.startswith("AUTOGRADER_") and k != "CS224N_CHECK_SEED"}
    path = os.pathsep.join([str(target), *site.getsitepackages()])
    proc = subprocess.run([sys.executable, "-S", "-c", _PROBE], cwd=cwd,
                          env={**clean, **env, "PYTHONPATH": path}, capture_output=True,
                          text=True, timeout=300, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


@pytest.mark.slow
def test_the_defaults_hold_in_a_non_editable_install(tmp_path):
    src, dist, target, course = (tmp_path / n for n in ("src", "dist", "target", "course"))
    for folder in (src, course):
        folder.mkdir()
    _copy_sources(src)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"]

    def run_pip(*args: str) -> None:
        proc = subprocess.run([*pip, *args], env={**os.environ, "PIP_NO_INDEX": "1"},
                              capture_output=True, text=True, timeout=600, check=False)
        assert proc.returncode == 0, proc.stderr[-3000:]

    run_pip("wheel", "--no-deps", "--no-build-isolation", "-w", str(dist), str(src))
    (wheel,) = dist.glob("*.whl")
    run_pip("install", "--no-deps", "--target", str(target), str(wheel))

    seen = _probe(target, course)
    assert Path(seen["package"]).is_relative_to(target)
    assert all(Path(m).is_relative_to(target) for m in seen["modules"]), seen["modules"]
    for key in ("course_root", "service_course_root", "cli_course_root"):
        assert Path(seen[key]) == course, key  # the working directory, not site-packages
    for key in ("runtime", "bwrap_runtime"):
        assert Path(seen[key]) == course / "build" / "sandbox-runtime", key
    for key in ("course_root", "runtime"):
        assert not Path(seen[key]).is_relative_to(target)
    assert "/opt/grader/kernel/runner.py" in seen["kernel_files"]

    explicit = _probe(target, course, AUTOGRADER_COURSE_ROOT=str(tmp_path / "elsewhere"),
                      AUTOGRADER_SANDBOX_RUNTIME=str(tmp_path / "runtime"))
    assert Path(explicit["course_root"]) == tmp_path / "elsewhere"
    assert Path(explicit["service_course_root"]) == tmp_path / "elsewhere"
    assert Path(explicit["bwrap_runtime"]) == tmp_path / "runtime"
