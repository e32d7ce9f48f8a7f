"""The setup scripts: README's first command tells a short story (pip's output goes to a log),
and the sandbox runtime holds the same versions as the grader's environment (the sandbox
computes what the grader compares with its own numpy; no pip conflict with celery's pins)."""

from __future__ import annotations

import re
import sys
from importlib import metadata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
RUNTIME = REPO / "build" / "sandbox-runtime"


def runtime_versions() -> dict[str, str]:
    found = {}
    for info in RUNTIME.glob("*.dist-info"):
        meta = (info / "METADATA").read_text(errors="replace")
        name = re.search(r"^Name: (.+)$", meta, re.M)
        version = re.search(r"^Version: (.+)$", meta, re.M)
        if name and version:
            found[name.group(1).strip().lower().replace("_", "-")] = version.group(1).strip()
    return found


def test_the_sandbox_runtime_has_the_grader_s_versions():
    if not (RUNTIME / ".stamp").is_file():
        pytest.skip("no sandbox runtime (bash scripts/sandbox-runtime.sh)")
    if "versions:" not in (RUNTIME / ".stamp").read_text():
        pytest.skip("a runtime built before the version constraints: rerun scripts/setup.sh")
    # setuptools appends its own _vendor folder (older platformdirs, ...) to sys.path once a
    # test imports it: those are setuptools' private copies, not the grader's environment
    path = [p for p in sys.path if "_vendor" not in Path(p).parts]
    ours = {d.metadata["Name"].lower().replace("_", "-"): d.version
            for d in metadata.distributions(path=path)}
    theirs = runtime_versions()
    shared = sorted(set(ours) & set(theirs))
    assert "numpy" in shared and "python-dateutil" in shared
    assert {n: theirs[n] for n in shared} == {n: ours[n] for n in shared}


def test_setup_prints_steps_and_keeps_pip_s_output_in_a_log():
    setup = (REPO / "scripts" / "setup.sh").read_text()
    runtime = (REPO / "scripts" / "sandbox-runtime.sh").read_text()
    pip_lines = [line for line in setup.splitlines() if "pip install" in line]
    assert pip_lines and all(line.strip().startswith("quiet ") for line in pip_lines)
    assert '>"$pip_log" 2>&1' in runtime and "--constraint" in runtime
