"""A throwaway nbgrader course in a temporary folder, driven by the real nbgrader commands."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

REPO = Path(__file__).resolve().parents[2]
ASSIGNMENT = "ps1"
NOTEBOOKS = ("q1_softmax", "q2_neural", "q3_word2vec", "q4_sentiment")


def nbgrader_env() -> dict[str, str]:
    """nbgrader calls `alembic` through PATH: put this interpreter's bin/ first."""
    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    env.pop("CS224N_GRADEBOOK_URL", None)  # each course keeps its own SQLite gradebook
    env.pop("CS224N_GRADING", None)  # nbgrader_config.py sets it for nbgrader's kernels
    return env


class Course:
    """An nbgrader course directory: config, source, release, submitted, autograded."""

    def __init__(self, root: Path):
        self.root = Path(root)

    @classmethod
    def create(cls, root: Path, generate: bool = True) -> Course:
        root.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / "nbgrader_config.py", root / "nbgrader_config.py")
        shutil.copytree(REPO / "source", root / "source",
                        ignore=shutil.ignore_patterns("__pycache__", ".ipynb_checkpoints"))
        course = cls(root)
        if generate:
            course.nbgrader("generate_assignment", ASSIGNMENT, "--force")
        return course

    def nbgrader(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        proc = subprocess.run(
            [str(Path(sys.executable).parent / "nbgrader"), *args],
            cwd=self.root, env=nbgrader_env(), capture_output=True, text=True, timeout=1800,
        )
        if check and proc.returncode != 0:
            raise RuntimeError(f"nbgrader {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
        return proc

    @property
    def release(self) -> Path:
        return self.root / "release" / ASSIGNMENT

    def source_notebook(self, name: str) -> nbformat.NotebookNode:
        return nbformat.read(self.root / "source" / ASSIGNMENT / f"{name}.ipynb", as_version=4)

    def release_notebook(self, name: str) -> nbformat.NotebookNode:
        return nbformat.read(self.release / f"{name}.ipynb", as_version=4)

    def submit(self, student: str, notebooks: dict[str, nbformat.NotebookNode]) -> Path:
        """Lay out submitted/<student>/ps1/ as a student's release folder plus notebooks."""
        folder = self.root / "submitted" / student / ASSIGNMENT
        if folder.exists():
            shutil.rmtree(folder)
        shutil.copytree(self.release, folder, ignore=shutil.ignore_patterns("*.ipynb"))
        for name, nb in notebooks.items():
            nbformat.write(nb, folder / f"{name}.ipynb")
        return folder

    def autograde(self, *students: str) -> subprocess.CompletedProcess:
        for student in students:
            self.nbgrader("db", "student", "add", student, check=False)
        extra = [f"--student={students[0]}"] if len(students) == 1 else []
        return self.nbgrader("autograde", ASSIGNMENT, "--force", *extra)

    def cell_scores(self, student: str) -> dict[tuple[str, str], float | None]:
        """(notebook, grade_id) -> score from the gradebook, for every graded cell."""
        from nbgrader.api import Gradebook

        with Gradebook(f"sqlite:///{self.root / 'gradebook.db'}") as gb:
            submission = gb.find_submission(ASSIGNMENT, student)
            return {(nb.name, grade.name): grade.score
                    for nb in submission.notebooks for grade in nb.grades}
