"""The package's grading configuration (``autograder.json``), fixed when the zip is built.

The check seed is the term's secret: it comes from the build (``--seed`` or
``CS224N_CHECK_SEED``), never silently from the public default. The limits and timeouts are
the build's grading settings (``AUTOGRADER_*``, :mod:`autograder.settings`), so the package
grades as ``autograder grade`` does with the same settings.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from autograder.settings import GradingSettings

SandboxChoice = Literal["auto", "bwrap", "container"]
FORMAT = 1
LIMIT_FIELDS = ("memory_mb", "pids", "notebook_timeout", "cpu_seconds", "file_mb", "scratch_mb",
                "open_files", "cell_timeout", "call_timeout")
"""The grading settings the package carries (the rest are the image's: paths, backend)."""


class ConfigError(ValueError):
    """The package's configuration is missing or invalid."""


@dataclass(frozen=True)
class PackageConfig:
    assignment: str
    check_seed: int
    sandbox: SandboxChoice = "auto"
    limits: dict[str, Any] = field(default_factory=dict)
    format: int = FORMAT

    @classmethod
    def from_settings(cls, settings: GradingSettings, seed: int,
                      sandbox: SandboxChoice = "auto") -> PackageConfig:
        return cls(settings.assignment, seed, sandbox,
                   {name: getattr(settings, name) for name in LIMIT_FIELDS})

    def grading_settings(self, course_root: Path, runtime: Path) -> GradingSettings:
        """The settings run_autograder grades with (nothing read from the environment that
        the package fixes)."""
        return GradingSettings(course_root=course_root, assignment=self.assignment,
                               sandbox_runtime=runtime, check_seed=self.check_seed,
                               **self.limits)

    def dumps(self) -> str:
        return json.dumps(asdict(self), indent=1, sort_keys=True) + "\n"

    @classmethod
    def load(cls, path: Path) -> PackageConfig:
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            if data.get("format") != FORMAT:
                raise ConfigError(f"{path}: format {data.get('format')!r}, expected {FORMAT}")
            unknown = set(data.get("limits", {})) - set(LIMIT_FIELDS)
            if unknown:
                raise ConfigError(f"{path}: unknown limits {sorted(unknown)}")
            config = cls(**data)
        except (OSError, ValueError, TypeError) as exc:
            raise ConfigError(f"cannot read the package configuration {path}: {exc}") from exc
        if not isinstance(config.check_seed, int) or config.sandbox not in (
                "auto", "bwrap", "container"):
            raise ConfigError(f"{path}: invalid check_seed or sandbox")
        return config
