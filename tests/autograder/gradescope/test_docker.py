"""The package in a container laid out as Gradescope's, offline.

As Gradescope builds an autograder: a container of the base image (cs224n/base:bookworm, the
debootstrapped Debian; Gradescope's is Ubuntu) gets the zip's contents in /autograder/source
and run_autograder in /autograder, runs setup.sh once (no network: the wheels are bundled,
downloaded on the host by docker/wheels.sh) and becomes the image. Each submission then runs
in a fresh, unprivileged container of that image (Docker's defaults, as Gradescope's: no
CAP_SYS_ADMIN, read-only cgroups, so bwrap cannot isolate and the container sandbox grades),
with the files in /autograder/submission and /autograder/run_autograder as the command.

Prints the figures (setup.sh once, run_autograder per submission): run with -s to see them.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
import zipfile
from pathlib import Path

import pytest

from autograder.gradescope.package import build_package
from autograder.settings import GradingSettings
from tests.autograder.gradescope.hostile import write_hostile
from tests.autograder.report.test_gradescope import assert_gradescope_shape
from tests.compose import require_docker

REPO = Path(__file__).resolve().parents[3]
BASE = os.environ.get("CS224N_BASE_IMAGE", "cs224n/base:bookworm")
WHEELS = REPO / "build" / "gradescope-wheels"
SEED = 990017
MEMORY = "1g"  # Gradescope's default is 384 MB: the honest run peaks near 230 MB

pytestmark = [pytest.mark.docker, pytest.mark.slow]


def docker(*args: str, timeout: float = 1800, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(["docker", *args], capture_output=True, text=True, timeout=timeout)
    if check and proc.returncode != 0:
        raise AssertionError(f"docker {args[0]} failed: {proc.stdout[-3000:]}"
                             f"{proc.stderr[-3000:]}")
    return proc


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    """The autograder image, built as Gradescope builds it; removed afterwards."""
    require_docker(BASE)
    base = tmp_path_factory.mktemp("gradescope-docker")
    fetch = subprocess.run(
        ["bash", str(REPO / "docker" / "wheels.sh"), "--project-out", str(base / "project"),
         str(WHEELS)], capture_output=True, text=True, timeout=1800,
        env={**os.environ, "CS224N_WHEEL_EXTRAS": "course"})
    assert fetch.returncode == 0, fetch.stderr[-3000:]
    built = build_package(base / "autograder.zip", settings=GradingSettings(course_root=REPO),
                          seed=SEED, wheels=WHEELS, project_root=REPO)
    debs = base / "debs"  # bubblewrap, as Gradescope's apt-get would install it
    debs.mkdir()
    subprocess.run(["apt-get", "download", "-q", "bubblewrap"], cwd=debs, capture_output=True,
                   timeout=120, check=False)
    src = base / "src"
    with zipfile.ZipFile(built.path) as archive:
        archive.extractall(src)
    for script in ("setup.sh", "run_autograder"):  # zipfile does not restore modes
        os.chmod(src / script, 0o755)
    name = f"cs224n-gradescope-build-{uuid.uuid4().hex[:8]}"
    tag = f"cs224n/gradescope-test:{name[-8:]}"
    start = time.monotonic()
    try:
        build = docker("run", "--name", name, "--network", "none", "-v", f"{src}:/pkg:ro",
                       "-v", f"{debs}:/debs:ro", BASE, "bash", "-c",
                       "{ ! ls /debs/*.deb >/dev/null 2>&1 || dpkg -i /debs/*.deb >/dev/null; }"
                       " && mkdir -p /autograder/source /autograder/results /autograder/submission"
                       " && cp -a /pkg/. /autograder/source/"
                       " && cp /autograder/source/run_autograder /autograder/run_autograder"
                       " && cd /autograder/source && ./setup.sh")
        setup_seconds = time.monotonic() - start
        docker("commit", name, tag)
    finally:
        docker("rm", "-f", name, check=False)
    print(f"\nsetup.sh: {setup_seconds:.1f} s (zip {built.bytes / 1e6:.1f} MB, "
          f"{built.bundled_wheels} wheels)\n{build.stdout[-1500:]}")
    yield tag
    docker("rmi", "-f", tag, check=False)


def run_autograder(image: str, submission: Path, results: Path, memory: str = MEMORY
                   ) -> tuple[dict, str, float]:
    results.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    proc = docker("run", "--rm", "--network", "none", "--memory", memory, "--memory-swap",
                  memory, "-v", f"{submission}:/autograder/submission",
                  "-v", f"{results}:/autograder/results", "-w", "/autograder", image,
                  "/autograder/run_autograder")
    seconds = time.monotonic() - start
    doc = json.loads((results / "results.json").read_text())
    return doc, proc.stdout + proc.stderr, seconds


def copy_notebooks(src: Path, dst: Path) -> Path:
    dst.mkdir(parents=True)
    for path in src.glob("*.ipynb"):
        shutil.copy(path, dst / path.name)
    return dst


def test_honest_submission(image, corpus_dir, tmp_path):
    doc, log, seconds = run_autograder(
        image, copy_notebooks(corpus_dir / "honest" / "ps1", tmp_path / "sub"), tmp_path / "res")
    print(f"\nrun_autograder (honest): {seconds:.1f} s\n{json.dumps(doc)[:1500]}")
    assert doc["score"] == 43.0, doc["output"] + log[-3000:]
    assert_gradescope_shape(doc, 43.0)
    assert "sandbox: container" in log  # bwrap cannot isolate in an unprivileged container
    assert "bwrap cannot isolate" in log
    print([line for line in log.splitlines() if "bwrap cannot isolate" in line][0][:400])


def test_faulty_submission(image, corpus_dir, tmp_path):
    """Sentence features summed instead of averaged: q4's features check fails, the rest
    stands (all four notebooks submitted)."""
    doc, log, seconds = run_autograder(
        image, copy_notebooks(corpus_dir / "features_summed" / "ps1", tmp_path / "sub"),
        tmp_path / "res")
    print(f"\nrun_autograder (features_summed): {seconds:.1f} s\n{json.dumps(doc)[:1500]}")
    assert_gradescope_shape(doc)
    failed = {t["name"] for t in doc["tests"] if t["status"] == "failed"}
    assert "q4_sentiment / sentence_features_mean" in failed, doc["output"]
    assert 0 < doc["score"] < 43.0


def test_student_code_cannot_reach_the_hidden_parts(image, corpus_dir, tmp_path):
    """The probe cell (tests/autograder/gradescope/hostile.py) reports what it could do: it
    reads neither the seed nor the instructor notebooks nor the grader, cannot write
    results.json, opens no Internet socket; its grade is untouched."""
    write_hostile(corpus_dir / "honest" / "ps1", tmp_path / "sub")
    doc, log, _ = run_autograder(image, tmp_path / "sub", tmp_path / "res")
    assert ("PROBE seed=PermissionError notebooks=PermissionError grader=PermissionError "
            "autograder=PermissionError results=PermissionError net=PermissionError"
            ) in doc["output"], doc["output"]
    assert str(SEED) not in json.dumps(doc)
    assert doc["score"] == 43.0


def test_a_notebook_over_the_container_memory_costs_only_itself(image, corpus_dir, tmp_path):
    """A cell that fills more memory than the container has (but less than the notebook's
    address-space limit): the OOM killer takes the student's process (oom_score_adj 1000),
    never the grader; the other notebooks keep their points and results.json is written."""
    import nbformat

    sub = copy_notebooks(corpus_dir / "honest" / "ps1", tmp_path / "sub")
    nb = nbformat.read(sub / "q2_neural.ipynb", as_version=4)
    nb.cells.insert(3, nbformat.v4.new_code_cell(
        "import numpy as np\nhog = np.ones(900 * 2**20 // 8)\n"))
    (sub / "q2_neural.ipynb").write_text(json.dumps(nb))
    doc, log, _ = run_autograder(image, sub, tmp_path / "res", memory="600m")
    assert_gradescope_shape(doc)
    assert "q1_softmax: 5 / 5" in doc["output"] and "q3_word2vec: 18 / 18" in doc["output"]
    assert "q2_neural: 16 / 16" not in doc["output"], doc["output"]
