"""The Python packages sandboxed code may import, and where the bwrap backend finds them.

``scripts/sandbox-runtime.sh`` installs :data:`RUNTIME_PACKAGES` into a folder of their own
(default ``build/sandbox-runtime`` in the repo); ``docker/kernel.Dockerfile`` installs the same
list into the kernel image's /opt/venv. A test keeps the three lists equal.
"""

from __future__ import annotations

import os
from pathlib import Path

RUNTIME_PACKAGES = (
    "numpy",
    "scipy",
    "scikit-learn",
    "matplotlib",
    "tqdm",
    "ipython",
    "nbformat",
)
"""What student notebooks and the in-sandbox runner need; not nbgrader, not this project."""

RUNTIME_ENV = "AUTOGRADER_SANDBOX_RUNTIME"
"""Environment variable naming the runtime folder (the bwrap backend's ``/opt/site``)."""

REPO_ROOT = Path(__file__).resolve().parents[2]


def runtime_dir() -> Path:
    """The runtime site-packages folder: ``$AUTOGRADER_SANDBOX_RUNTIME`` or the repo's default."""
    setting = os.environ.get(RUNTIME_ENV)
    return Path(setting) if setting else REPO_ROOT / "build" / "sandbox-runtime"
