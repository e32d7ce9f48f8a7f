"""Build the autograder zip Gradescope expects (``autograder gradescope-package``).

The zip's root holds ``setup.sh`` and ``run_autograder`` (:mod:`autograder.gradescope.scripts`),
``autograder.json`` (the build's seed and limits, :mod:`autograder.gradescope.config`),
``course/`` (``nbgrader_config.py`` and the instructor notebooks of the assignment with the
public support package, the same files ``nbgrader generate_assignment`` reads) and ``wheels/``
(the project's own wheel: the engine, the checks, the reference solutions; optionally every
dependency's wheel with ``requirements.txt``, for a build with no network).

What the zip holds is for instructors only: Gradescope shows it to no student, and inside the
image ``setup.sh`` makes ``/autograder/source`` root-only. It never holds the course's
gradebook, submissions, graded output, data downloads, caches or anything else of the working
tree: the files are chosen one by one, not copied as a tree.
"""

from __future__ import annotations

import fnmatch
import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from autograder.gradescope import layout, scripts
from autograder.gradescope.config import PackageConfig, SandboxChoice
from autograder.settings import GradingSettings, declared_default

log = logging.getLogger(__name__)

SEED_ENV = "CS224N_CHECK_SEED"
COURSE_IGNORE = (".*", "__pycache__", "*.pyc", "feedback", "data", "checkpoints", "*.npy",
                 "*.npz", "*.png", "q4_dev_pred.txt", "*.egg-info")
"""Never packaged from the assignment's source folder (nbgrader's release ignore list and
hidden files)."""
PROJECT_FILES = ("pyproject.toml", "README.md")
PROJECT_TREES = ("autograder", "solutions")
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


class PackageError(ValueError):
    """The package cannot be built as asked (the message says what to change)."""


@dataclass(frozen=True)
class BuiltPackage:
    path: Path
    bytes: int
    members: tuple[str, ...]
    sha256: str
    bundled_wheels: int


def choose_seed(seed: int | None, allow_public: bool = False) -> int:
    """The build's check seed: ``seed``, else ``CS224N_CHECK_SEED``; refused when neither is
    given, or when it is the public default and ``allow_public`` is not set."""
    if seed is None:
        raw = os.environ.get(SEED_ENV, "").strip()
        if not raw:
            raise PackageError(f"no check seed: pass --seed N or set {SEED_ENV} (the term's "
                               "secret seed; the public default would let students compute "
                               "the hidden inputs)")
        try:
            seed = int(raw)
        except ValueError:
            raise PackageError(f"{SEED_ENV}={raw!r} is not an integer") from None
    if seed == declared_default("check_seed") and not allow_public:
        raise PackageError(f"{seed} is the public default seed: choose a secret one (or pass "
                           "--allow-public-seed for a test package)")
    return seed


def build_package(out: Path, *, settings: GradingSettings, seed: int,
                  sandbox: SandboxChoice = "auto", wheels: Path | None = None,
                  project_root: Path | None = None) -> BuiltPackage:
    """Write the zip to ``out``. ``settings``: the course folder, assignment and limits;
    ``wheels``: a folder of dependency wheels with requirements.txt (docker/wheels.sh) to
    bundle; ``project_root``: where pyproject.toml is (default: the course folder)."""
    course = Path(settings.course_root)
    project = Path(project_root or course)
    source = course / "source" / settings.assignment
    if not (course / "nbgrader_config.py").is_file() or not source.is_dir():
        raise PackageError(f"{course} is not a course folder (nbgrader_config.py and "
                           f"source/{settings.assignment}/ are needed)")
    if not (project / "pyproject.toml").is_file():
        raise PackageError(f"no pyproject.toml in {project} (set the project folder)")
    if wheels is not None and not (Path(wheels) / "requirements.txt").is_file():
        raise PackageError(f"{wheels} has no requirements.txt: make it with "
                           "CS224N_WHEEL_EXTRAS=course bash docker/wheels.sh DIR")
    config = PackageConfig.from_settings(settings, seed, sandbox)
    with tempfile.TemporaryDirectory(prefix="gradescope-package-") as tmp:
        stage = Path(tmp) / "stage"
        (stage / layout.COURSE).mkdir(parents=True)
        _write(stage / layout.SETUP, scripts.setup_sh(), 0o755)
        _write(stage / layout.RUN, scripts.run_autograder(), 0o755)
        _write(stage / layout.CONFIG, config.dumps(), 0o600)
        shutil.copy(course / "nbgrader_config.py", stage / layout.COURSE / "nbgrader_config.py")
        shutil.copytree(source, stage / layout.COURSE / "source" / settings.assignment,
                        ignore=shutil.ignore_patterns(*COURSE_IGNORE), symlinks=False)
        wheel_dir = stage / layout.WHEELS
        wheel_dir.mkdir()
        bundled = _copy_wheels(Path(wheels), wheel_dir) if wheels is not None else 0
        _project_wheel(project, wheel_dir, Path(tmp) / "project")
        members = _zip(stage, Path(out))
    data = Path(out).read_bytes()
    return BuiltPackage(Path(out), len(data), tuple(members),
                        hashlib.sha256(data).hexdigest(), bundled)


def _write(path: Path, text: str, mode: int) -> None:
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)


def _copy_wheels(src: Path, dst: Path) -> int:
    """The dependency wheels and their pins; never an older build of this project."""
    count = 0
    for path in sorted(src.iterdir()):
        if path.suffix == ".whl" and not path.name.startswith("cs224n_ps1-"):
            shutil.copy(path, dst / path.name)
            count += 1
    pins = [line for line in (src / "requirements.txt").read_text().splitlines()
            if not line.lower().startswith("cs224n-ps1")]
    (dst / "requirements.txt").write_text("\n".join(pins) + "\n")
    return count


def _project_wheel(project: Path, dst: Path, tmp: Path) -> Path:
    """The project's wheel, built from a clean copy of only what it packages (an in-tree
    build folder could bring back deleted modules)."""
    src = tmp / "src"
    src.mkdir(parents=True)
    for name in PROJECT_FILES:
        shutil.copy(project / name, src / name)
    for name in PROJECT_TREES:
        shutil.copytree(project / name, src / name,
                        ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
    shutil.copytree(project / "source" / "ps1" / "cs224n", src / "source" / "ps1" / "cs224n",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", ".*"))
    env = {**os.environ, "SOURCE_DATE_EPOCH": "315532800", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps",
                           "--no-build-isolation", "-q", "-w", str(tmp / "out"), str(src)],
                          capture_output=True, text=True, env=env, timeout=600)
    built = sorted((tmp / "out").glob("cs224n_ps1-*.whl"))
    if proc.returncode != 0 or not built:
        raise PackageError(f"could not build the project's wheel:\n{proc.stderr[-2000:]}")
    shutil.copy(built[0], dst / built[0].name)
    return dst / built[0].name


def _zip(stage: Path, out: Path) -> list[str]:
    """The staged files at the zip's root (not inside a folder), sorted, with their modes
    and a fixed date: the same inputs give the same bytes."""
    out.parent.mkdir(parents=True, exist_ok=True)
    members = []
    tmp = out.with_name(out.name + ".tmp")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(stage.rglob("*")):
            if path.is_dir() or path.is_symlink():
                continue
            name = path.relative_to(stage).as_posix()
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.external_attr = (0o100000 | (path.stat().st_mode & 0o777)) << 16
            info.compress_type = (zipfile.ZIP_STORED if name.endswith(".whl")
                                  else zipfile.ZIP_DEFLATED)
            with open(path, "rb") as fh:
                archive.writestr(info, fh.read())
            members.append(name)
    tmp.replace(out)
    return members


def forbidden_members(members: tuple[str, ...] | list[str]) -> list[str]:
    """Members that must never be in a package (a check of the build, used by the tests)."""
    patterns = ("*gradebook*.db", "*submitted/*", "*autograded/*", "*feedback/*", "*.env",
                "*service-data*", "*instructor.token*", "*/.ipynb_checkpoints/*", "*/data/*",
                "*.git/*", "*/tests/*")
    return [m for m in members if any(fnmatch.fnmatch(m, p) for p in patterns)]
