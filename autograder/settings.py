"""The grading settings, declared once: the course, limits, timeouts, the check seed and the
sandbox options.

Each value has one declaration here, with its default and its description; everything else
reads it from an instance of these classes:

* ``autograder grade`` builds a :class:`GradingSettings` from its flags (a flag given wins,
  then the environment, then the default declared here): :func:`autograder.cli.grading_settings`;
* the service's ``ServiceSettings`` *is* a :class:`GradingSettings` with the service's own
  knobs added (:mod:`autograder.service.settings`), so ``serve`` and ``worker`` read the same
  fields from the same variables;
* the engine turns them into ``GradingOptions.from_settings`` (limits via
  ``Limits.from_settings``); the sandbox backends take a :class:`SandboxSettings`, their part;
* ``nbgrader_config.py`` reads ``nbgrader_cell_timeout``, and the hidden cells that
  ``nbgrader autograde`` runs read ``check_seed`` (:func:`autograder.checks.check_seed`);
* the runner inside the sandbox (:mod:`autograder.kernel.runner`) never imports this module:
  the engine passes it the timeouts on its command line.

Every field is the environment variable ``AUTOGRADER_<FIELD>`` (e.g. ``cell_timeout`` is
``AUTOGRADER_CELL_TIMEOUT``, ``sandbox_runtime`` is ``AUTOGRADER_SANDBOX_RUNTIME``), except
``check_seed``, which is ``CS224N_CHECK_SEED`` (the name instructors know). An empty variable
counts as unset. Paths default to places relative to the working directory, never into the
installed package: a relative path is made absolute when the settings are read.

This module imports nothing from ``autograder``, so every package may depend on it.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Backend = Literal["bwrap", "docker"]
"""The sandbox backends (:func:`autograder.sandbox.get_sandbox`)."""

CGROUP_CONTROLLERS = ("pids", "memory", "cpu")
"""The cgroup controllers whose hierarchy can be set one by one (``sandbox_<name>_cgroup``)."""


class SandboxSettings(BaseSettings):
    """How the sandbox backends isolate (the operator's host); env ``AUTOGRADER_SANDBOX_*``."""

    model_config = SettingsConfigDict(env_prefix="AUTOGRADER_", extra="ignore",
                                      env_ignore_empty=True, populate_by_name=True)

    sandbox_runtime: Path = Field(
        Path("build/sandbox-runtime"),
        description="bwrap: the folder of the Python packages sandboxed code may import "
                    "(bound read-only at /opt/site; `bash scripts/sandbox-runtime.sh [DIR]` "
                    "builds it, by default at build/sandbox-runtime of the course folder). "
                    "Default: build/sandbox-runtime under the working directory")
    sandbox_uid: int = Field(65534, description="bwrap: the unprivileged uid sandboxed code "
                                                "runs as")
    sandbox_gid: int = Field(65534, description="bwrap: the gid sandboxed code runs as")
    sandbox_cpus: float | None = Field(
        None, gt=0, description="bwrap: cap each sandbox at this many CPUs (a CFS quota, e.g. "
                                "1.5); unset: a share of the CPU, no cap")
    sandbox_per_process_memory: bool = Field(
        False, description="bwrap: grade even where no memory cgroup can be made, the memory "
                           "limit then binding each process alone, not the notebook")
    sandbox_cgroup: Path | None = Field(
        None, description="bwrap: where every controller's cgroups go (a hierarchy, or on "
                          "cgroup v2 a delegated cgroup that holds no process); unset: found "
                          "under /sys/fs/cgroup")
    sandbox_pids_cgroup: Path | None = Field(
        None, description="bwrap: where the pids cgroups go (overrides sandbox_cgroup)")
    sandbox_memory_cgroup: Path | None = Field(
        None, description="bwrap: where the memory cgroups go (overrides sandbox_cgroup)")
    sandbox_cpu_cgroup: Path | None = Field(
        None, description="bwrap: where the cpu cgroups go (overrides sandbox_cgroup)")
    sandbox_image: str = Field(
        "cs224n/kernel:latest",
        description="docker: the kernel image each notebook runs in (docker/kernel.Dockerfile)")

    @field_validator("sandbox_runtime")
    @classmethod
    def _absolute(cls, path: Path) -> Path:
        """Relative to where the grader starts, fixed then (its processes may move)."""
        return path.absolute()

    @classmethod
    def env_name(cls, field: str) -> str:
        """The environment variable of ``field`` (e.g. AUTOGRADER_SANDBOX_RUNTIME)."""
        alias = cls.model_fields[field].validation_alias
        if isinstance(alias, str):
            return alias
        return f"{cls.model_config.get('env_prefix', '')}{field}".upper()

    def cgroup_root(self, controller: str) -> Path | None:
        """The hierarchy set for ``controller``'s cgroups (its own setting, else the common
        one), or None to find it under /sys/fs/cgroup."""
        return getattr(self, f"sandbox_{controller}_cgroup") or self.sandbox_cgroup

    def sandbox_settings(self) -> SandboxSettings:
        """Only the sandbox's part (what grading processes need to build their backend)."""
        return SandboxSettings.model_construct(
            **{name: getattr(self, name) for name in SandboxSettings.model_fields})


LatePolicy = Literal["refuse", "zero", "subtract_per_hour", "accept"]
"""What a late submission gets (:mod:`autograder.deadlines`)."""


class DeadlineSettings(BaseSettings):
    """Due dates, extensions and the late policy; env ``AUTOGRADER_*``.

    Read by :mod:`autograder.deadlines` (pure functions over an instance), so ``autograder
    grade``, the service and the nbgrader gradebook apply one policy. Datetimes must carry
    their offset (``2026-12-03T17:00:00-08:00``): a deadline without one is refused, not
    guessed.
    """

    model_config = SettingsConfigDict(env_prefix="AUTOGRADER_", extra="ignore",
                                      env_ignore_empty=True, populate_by_name=True)

    due_at: datetime | None = Field(
        None, description="the deadline of the assignment (ISO 8601 with its offset, e.g. "
                          "2026-12-03T17:00:00-08:00); unset: no deadline")
    due: dict[str, datetime] = Field(
        {}, description="deadlines per assignment, as JSON ({\"ps1\": "
                        "\"2026-12-03T17:00:00-08:00\"}); wins over due_at for the "
                        "assignments it names")
    timezone: str = Field(
        "America/Los_Angeles", description="the course's time zone: deadlines and "
                                           "submission times are shown in it")
    extensions_csv: Path | None = Field(
        None, description="per-student extensions, a CSV with the columns "
                          "student,assignment,extended_due (an ISO datetime with offset) or "
                          "student,hours[,assignment] (hours added to the deadline)")
    late_policy: LatePolicy = Field(
        "accept", description="what a late submission gets: refuse (not accepted: the "
                              "service refuses the upload, `autograder grade` scores it 0), "
                              "zero (graded, then scored 0, as nbgrader's LateSubmissionPlugin "
                              "'zero'), subtract_per_hour (penalty_per_hour points off each "
                              "notebook per started hour late, never below 0) or accept "
                              "(marked late, no penalty, as nbgrader's 'none')")
    penalty_per_hour: float = Field(
        1.0, ge=0, description="subtract_per_hour: points taken off each notebook per "
                               "started hour late")

    @field_validator("due_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.utcoffset() is None:
            raise ValueError(f"the deadline {value.isoformat()} has no UTC offset: write it "
                             "with one, e.g. 2026-12-03T17:00:00-08:00")
        return value

    @field_validator("due")
    @classmethod
    def _all_aware(cls, value: dict[str, datetime]) -> dict[str, datetime]:
        for due in value.values():
            cls._aware(due)
        return value

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise ValueError(f"unknown time zone {value!r} (e.g. America/Los_Angeles)") \
                from error
        return value

    @field_validator("extensions_csv")
    @classmethod
    def _absolute_csv(cls, path: Path | None) -> Path | None:
        return None if path is None else path.absolute()

    def deadline_settings(self) -> DeadlineSettings:
        """Only the deadlines' part (what :mod:`autograder.deadlines` reads)."""
        return DeadlineSettings.model_construct(
            **{name: getattr(self, name) for name in DeadlineSettings.model_fields})


class GradingSettings(SandboxSettings, DeadlineSettings):
    """Every grading setting: course, limits per notebook, timeouts, seed, sandbox options."""

    course_root: Path = Field(
        Path("."), description="the course folder: nbgrader_config.py and "
                               "source/<assignment>/. Default: the working directory")
    assignment: str = Field("ps1", description="the assignment id")
    sandbox: Backend = Field("bwrap", description="where student code runs: bwrap (no daemon) "
                                                  "or docker (a container per submission)")
    memory_mb: int = Field(
        2048, gt=0, description="memory of one notebook in MiB, all its processes together, "
                                "swap included (a memory cgroup for bwrap, the container's "
                                "limit for docker); bwrap also caps each process's address "
                                "space (RLIMIT_AS) at this size")
    pids: int = Field(64, gt=0, description="processes plus threads one notebook may have at "
                                            "once")
    notebook_timeout: float = Field(
        300.0, gt=0, description="wall-clock seconds for one notebook (a sandbox run); then "
                                 "everything in the sandbox is killed")
    cpu_seconds: int = Field(120, gt=0, description="CPU seconds per process of a notebook "
                                                    "(RLIMIT_CPU; SIGXCPU at the limit)")
    file_mb: int = Field(64, gt=0, description="largest file in MiB a notebook may write "
                                               "(RLIMIT_FSIZE), stdout and stderr included")
    scratch_mb: int = Field(256, gt=0, description="size in MiB of each writable scratch "
                                                   "tmpfs (/job and /tmp); bounds what is "
                                                   "copied back")
    open_files: int = Field(256, gt=0, description="open file descriptors per process "
                                                   "(RLIMIT_NOFILE)")
    cell_timeout: float = Field(
        60.0, gt=0, description="CPU seconds per cell, counted over the cell's processes, "
                                "with a wall-clock backstop of kernel.runner.WALL_BACKSTOP "
                                "times that (host load cannot time a cell out)")
    call_timeout: float = Field(20.0, gt=0, description="CPU seconds per call of a hidden "
                                                        "check (same backstop)")
    nbgrader_cell_timeout: int = Field(
        120, gt=0, description="`nbgrader autograde` (nbgrader_config.py): wall-clock seconds "
                               "per cell; nbgrader counts wall time, not CPU time, so it gets "
                               "more than cell_timeout")
    check_seed: int = Field(
        224_2017, validation_alias="CS224N_CHECK_SEED",
        description="the secret seed of the hidden checks' inputs (set one per term); read "
                    "by the engine and by the hidden cells under `nbgrader autograde`")

    @field_validator("course_root")
    @classmethod
    def _absolute_course(cls, path: Path) -> Path:
        return path.absolute()


def declared_default(field: str) -> Any:
    """The default declared for a :class:`GradingSettings` field (no environment read)."""
    return GradingSettings.model_fields[field].default


def describe(field: str) -> str:
    """A field's description with its default and its variable, for help texts."""
    info = GradingSettings.model_fields[field]
    default = "" if "Default:" in str(info.description) else f"default {info.default}; "
    return f"{info.description} ({default}env {GradingSettings.env_name(field)})"


__all__ = ["CGROUP_CONTROLLERS", "Backend", "DeadlineSettings", "GradingSettings",
           "LatePolicy", "SandboxSettings",
           "declared_default", "describe"]


def describe_errors(exc: ValidationError, settings: type[BaseSettings]) -> list[str]:
    """One line per invalid setting, named as the operator sets it (the environment variable),
    with what was given: for logs and the command line, never pydantic's own report (its
    error codes and documentation links mean nothing to an operator)."""
    env_name = getattr(settings, "env_name", None)
    lines = []
    for error in exc.errors():
        field = str(error["loc"][0]) if error["loc"] else ""
        name = field or "?"
        if env_name and field in settings.model_fields and env_name(field) != field:
            name = f"{field} ({env_name(field)})"
        given = error.get("input")
        shown = f" (got {given!r:.80})" if isinstance(given, (str, int, float)) else ""
        lines.append(f"setting {name}: {error['msg']}{shown}")
    return lines
