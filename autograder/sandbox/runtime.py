"""The Python packages sandboxed code may import.

``scripts/sandbox-runtime.sh`` installs :data:`RUNTIME_PACKAGES` into a folder of their own
(default ``build/sandbox-runtime`` in the repo); ``docker/kernel.Dockerfile`` installs the same
list into the kernel image's /opt/venv. A test keeps the three lists equal. Where the bwrap
backend finds the folder is the setting ``sandbox_runtime``
(:class:`autograder.settings.SandboxSettings`, ``AUTOGRADER_SANDBOX_RUNTIME``).
"""

from __future__ import annotations

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
