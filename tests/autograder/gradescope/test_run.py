"""run_autograder's Python entry point against a temporary /autograder-like root, on this host.

The package is built, unpacked into ROOT/source and prepared (setup.sh's last step) once; each
test lays out ROOT/submission as Gradescope would and runs the entry point
(``python -m autograder.gradescope.run grade``) in a process of its own, as run_autograder
does. On this host bwrap can isolate, so the honest and faulty submissions are graded in
bwrap; the container fallback is graded in tests/autograder/gradescope/test_docker.py.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from autograder.gradescope import run
from autograder.gradescope.package import build_package
from autograder.settings import GradingSettings
from tests.autograder.report.test_gradescope import assert_gradescope_shape

REPO = Path(__file__).resolve().parents[3]
RUNTIME = REPO / "build" / "sandbox-runtime"
SEED = 424242

pytestmark = pytest.mark.slow


class Layout:
    """A Gradescope-like root: source/ (the zip's contents), submission/, results/; and the
    grader's folder that setup.sh makes (home)."""

    def __init__(self, base: Path, package: Path):
        self.root, self.home = base / "autograder", base / "home"
        (self.root / "source").mkdir(parents=True)
        with zipfile.ZipFile(package) as archive:
            archive.extractall(self.root / "source")

    def submit(self, notebooks: dict[str, bytes]) -> None:
        sub = self.root / "submission"
        shutil.rmtree(sub, ignore_errors=True)
        shutil.rmtree(self.root / "results", ignore_errors=True)
        sub.mkdir()
        for name, data in notebooks.items():
            (sub / name).parent.mkdir(parents=True, exist_ok=True)
            (sub / name).write_bytes(data)

    def grade(self) -> tuple[int, dict, str]:
        proc = subprocess.run(
            [sys.executable, "-m", "autograder.gradescope.run", "grade", "--root",
             str(self.root), "--home", str(self.home), "--site", str(RUNTIME)],
            capture_output=True, text=True, cwd=self.root, timeout=900)
        doc = json.loads((self.root / "results" / "results.json").read_text())
        return proc.returncode, doc, proc.stdout + proc.stderr


@pytest.fixture(scope="module")
def layout(tmp_path_factory) -> Layout:
    base = tmp_path_factory.mktemp("gradescope")
    built = build_package(base / "autograder.zip", settings=GradingSettings(course_root=REPO),
                          seed=SEED, project_root=REPO)
    lay = Layout(base, built.path)
    prep = subprocess.run(
        [sys.executable, "-m", "autograder.gradescope.run", "prepare", "--source",
         str(lay.root / "source"), "--home", str(lay.home), "--site", str(RUNTIME)],
        capture_output=True, text=True, timeout=900)
    assert prep.returncode == 0, prep.stdout + prep.stderr
    return lay


def notebooks(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.glob("*.ipynb"))}


def test_honest_submission_full_marks_to_the_spec(layout, corpus_dir):
    layout.submit(notebooks(corpus_dir / "honest" / "ps1"))
    code, doc, log = layout.grade()
    assert code == 0, log
    assert doc["score"] == 43.0, doc["output"]
    assert_gradescope_shape(doc, 43.0)
    assert all(t["status"] == "passed" for t in doc["tests"])
    assert "sandbox: bwrap" in log
    for folder in (layout.root, layout.root / "source", layout.root / "results", layout.home):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_faulty_submission_in_a_folder_as_an_unpacked_zip(layout, corpus_dir):
    """softmax without the max shift, uploaded as a zip of the ps1 folder (Gradescope unpacks
    it, folders kept)."""
    nbs = notebooks(corpus_dir / "softmax_no_shift" / "ps1")
    layout.submit({f"ps1/{name}": data for name, data in nbs.items()})
    code, doc, log = layout.grade()
    assert code == 0, log
    assert_gradescope_shape(doc)
    failed = {t["name"] for t in doc["tests"] if t["status"] == "failed"}
    assert "q1_softmax / softmax_stability" in failed
    assert doc["score"] == 3.0 and "q1_softmax: 3 / 5" in doc["output"]


def test_the_package_seed_is_the_one_used(layout, monkeypatch, tmp_path):
    """The build's seed, whatever CS224N_CHECK_SEED says in the grading container."""
    seen = {}

    class Spy:
        def __init__(self, course, sandbox, options):
            seen["seed"] = options.seed
            raise RuntimeError("stop here")

    monkeypatch.setenv("CS224N_CHECK_SEED", "1")
    monkeypatch.setattr("autograder.engine.grade.Grader", Spy)
    monkeypatch.setattr("autograder.engine.scratch.use_folder", lambda folder: None)
    monkeypatch.setattr(run, "pick_sandbox", lambda *a: None)
    layout.submit({})
    assert run.grade(layout.root, layout.home, RUNTIME) == 1
    assert seen == {"seed": SEED}


def test_a_grader_failure_still_writes_results_and_says_whose_fault(layout, monkeypatch):
    layout.submit({})
    config = layout.root / "source" / "autograder.json"
    saved = config.read_text()
    config.write_text("{broken")
    try:
        assert run.grade(layout.root, layout.home, RUNTIME) == 1
    finally:
        config.write_text(saved)
    doc = json.loads((layout.root / "results" / "results.json").read_text())
    assert doc["score"] == 0 and doc["output"] == run.GRADER_FAILED
    assert_gradescope_shape(doc)


def test_no_sandbox_means_no_student_code_runs(layout, monkeypatch):
    from autograder.sandbox import SandboxUnavailable

    def nothing_isolates(*args):
        raise SandboxUnavailable("bwrap: no namespaces; container: not root")

    monkeypatch.setattr(run, "pick_sandbox", nothing_isolates)
    monkeypatch.setattr("autograder.engine.scratch.use_folder", lambda folder: None)
    monkeypatch.setattr("autograder.gradescope.collect.collect",
                        lambda *a: pytest.fail("the submission was read"))
    layout.submit({})
    assert run.grade(layout.root, layout.home, RUNTIME) == 3
    doc = json.loads((layout.root / "results" / "results.json").read_text())
    assert doc["output"] == run.NO_SANDBOX and doc["tests"] == []
