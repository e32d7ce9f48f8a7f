"""Put graded submissions where formgrader looks: ``<course>/autograded/<student>/<assignment>/``.

Whatever graded a submission (``autograder grade``, the service), the staff grade its written
parts in nbgrader's formgrader, which opens ``autograded/<student>/<assignment>/<nb>.ipynb``
and the gradebook's rows for it. This module writes that folder as ``nbgrader autograde``
would: the executed notebooks (built by the engine from the restored source, never the
sandbox's file), ``timestamp.txt`` in nbgrader's format, and the artifacts of the student's own
run (the plots and predictions the written parts ask about), both as files and as cells after
the cell that makes each one, labelled "as submitted, not re-run", so the TA sees the
student's run beside the grader's short rerun.

Artifacts were checked when the submission was read (engine.submission.check_artifact: a
PNG by signature and declared size, UTF-8 text); here they become notebook outputs that
nbconvert renders safely (a PNG as a base64 image, text as escaped plain text), never markdown
or HTML.
"""

from __future__ import annotations

import base64
import logging
import re
import secrets
import shutil
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path

import nbformat

from autograder.engine import notebook_io
from autograder.engine.results import SubmissionResult
from autograder.engine.submission import ARTIFACTS, SECRET_FILE, check_artifact
from autograder.kernel.atomic import write_atomic, write_text
from autograder.report.gradebook import GradebookError, check_student_id

log = logging.getLogger(__name__)
AS_SUBMITTED = "as submitted, not re-run"
MAX_TEXT_LINES = 200  # lines of a text artifact shown in the notebook (the file is whole)
TIMESTAMP_FORMAT = "%Y-%m-%d %H:%M:%S.%f %Z"  # nbgrader's CourseDirectory.timestamp_format
MAX_NOTEBOOK_BYTES = 32 * 2**20


def artifact_question(name: str) -> str:
    """The question an artifact belongs to, by its prefix: q3_word_vectors.png is q3's."""
    return name.split("_", 1)[0]


def autograded_folder(root: Path, student: str, assignment: str) -> Path:
    """root/<student>/<assignment> (root: the course's autograded/), for an id nbgrader takes
    (else GradebookError)."""
    return Path(root) / check_student_id(student) / assignment


def nbgrader_timestamp(moment: datetime) -> str:
    """A moment as nbgrader writes timestamp.txt (UTC)."""
    return moment.astimezone(UTC).strftime(TIMESTAMP_FORMAT)


def write_autograded(root: Path, assignment: str, result: SubmissionResult,
                     executed: Mapping[str, Path], artifacts: Mapping[str, bytes] | None = None,
                     submitted_at: datetime | None = None, secret: str | None = None,
                     submitted: Mapping[str, Path] | None = None) -> Path:
    """Write one student's folder under root (the course's autograded/); returns it.

    executed: notebook name -> the engine's executed notebook of it (notebooks not listed
    are removed from the folder: a standing grade replaces them); artifacts: ARTIFACTS
    name -> bytes (checked again here); submitted_at: the submission time for timestamp.txt;
    secret: nbgrader submit's submission_secret.txt (``nbgrader release_feedback`` names the
    released feedback by it); when None, the folder's own is kept, or a new one made;
    submitted: notebook name -> the notebook as the student submitted it, whose outputs of
    the cells the grading mode runs differently are shown after them (SUBMITTED_OUTPUTS).
    """
    folder = autograded_folder(root, result.student, assignment)
    folder.mkdir(parents=True, exist_ok=True)
    secret_file = folder / SECRET_FILE
    if secret:
        write_text(secret_file, secret)
    elif not secret_file.is_file():
        write_text(secret_file, secrets.token_hex(64))  # as `nbgrader submit` makes one
    kept = {name: content for name, content in (artifacts or {}).items()
            if name in ARTIFACTS and check_artifact(name, content) is None}
    for report in result.notebooks:
        target = folder / f"{report.name}.ipynb"
        source = executed.get(report.name)
        if source is None or not source.is_file():
            target.unlink(missing_ok=True)
            continue
        nb = notebook_io.read_notebook_file(source, max_bytes=MAX_NOTEBOOK_BYTES)
        own = (submitted or {}).get(report.name)
        if own is not None:
            add_submitted_outputs(nb, own)
        mine = {n: c for n, c in kept.items()
                if artifact_question(n) == artifact_question(report.name)}
        add_artifact_cells(nb, mine)
        notebook_io.write_notebook(target, nb)
    for name in ARTIFACTS:
        if name in kept:
            write_atomic(folder / name, kept[name])
        else:
            (folder / name).unlink(missing_ok=True)
    if submitted_at is not None:
        write_text(folder / "timestamp.txt", nbgrader_timestamp(submitted_at))
    else:
        (folder / "timestamp.txt").unlink(missing_ok=True)
    return folder


def remove_autograded(root: Path, student: str, assignment: str) -> None:
    """Remove a student's autograded folder (nothing left to grade by hand)."""
    shutil.rmtree(autograded_folder(root, student, assignment), ignore_errors=True)


def read_artifacts(folder: Path) -> dict[str, bytes]:
    """The artifacts kept in an executed-notebooks folder (engine layout)."""
    found = {}
    for name in ARTIFACTS:
        path = Path(folder) / name
        if path.is_file() and not path.is_symlink() and path.stat().st_size <= 2 * 2**20:
            found[name] = path.read_bytes()
    return found


def read_secret(folder: Path) -> str | None:
    """The submission_secret.txt kept in an executed-notebooks folder, if it looks like one."""
    path = Path(folder) / SECRET_FILE
    try:
        text = path.read_text(encoding="ascii").strip() if path.is_file() else ""
    except (OSError, UnicodeDecodeError):
        return None
    return text if re.fullmatch(r"[0-9a-f]{16,160}", text) else None


def write_staff_copies(results: Iterable[SubmissionResult], root: Path, assignment: str,
                       notebooks_root: Path) -> list[str]:
    """``autograder grade``'s results into root/<student>/<assignment>/ from the engine's
    notebooks_root/<student>/ folders; returns the students written (an id nbgrader cannot
    take is left to the gradebook sync, which says why)."""
    written = []
    for result in results:
        folder = Path(notebooks_root) / result.student
        executed = {nb.name: folder / f"{nb.name}.ipynb" for nb in result.notebooks}
        submitted = (datetime.fromisoformat(result.submitted_at) if result.submitted_at
                     else None)
        try:
            write_autograded(root, assignment, result, executed, read_artifacts(folder),
                             submitted, read_secret(folder), submitted_copies(folder))
        except GradebookError:
            continue
        except (OSError, ValueError) as exc:
            log.error("%s: the autograded folder could not be written: %s", result.student,
                      str(exc)[:200])
            continue
        written.append(result.student)
    return written


def add_artifact_cells(nb: nbformat.NotebookNode, artifacts: Mapping[str, bytes]) -> None:
    """After the last code cell whose source names each artifact (the cell that saves or
    shows it), a markdown label and a code cell holding the student's file as its output;
    at the end when no cell names it. The cells carry no nbgrader metadata: not graded."""
    for name in sorted(artifacts):
        at = len(nb.cells)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and name in str(cell.source):
                at = index + 1
        label = nbformat.v4.new_markdown_cell(
            f"**The student's `{name}`, {AS_SUBMITTED}** (from their own run; the outputs "
            "above are the grader's short rerun).")
        holder = nbformat.v4.new_code_cell(f"# {name}: {AS_SUBMITTED}")
        holder.outputs = [_output(name, artifacts[name])]
        holder.metadata["autograder"] = {"artifact": name}
        nb.cells[at:at] = [label, holder]


SUBMITTED_DIR = "submitted"
"""Under the engine's executed-notebooks folder: the notebooks as the student submitted them."""
GRADING_MODE = re.compile(r"\bGRADING\b|grading_mode\(")
"""A code cell that runs differently when graded (the short training, no plots): its outputs
in the student's own run are what the written parts are about."""
MAX_OUTPUT_CHARS = 20_000  # text kept per submitted output
MAX_OUTPUTS = 20  # outputs kept per cell
MAX_SUBMITTED_IMAGE = 2 * 2**20


def keep_submitted(folder: Path, files: Mapping[str, bytes]) -> None:
    """Keep the submitted notebooks (name.ipynb -> bytes) under folder/submitted/."""
    target = Path(folder) / SUBMITTED_DIR
    target.mkdir(parents=True, exist_ok=True)
    for name, content in files.items():
        if name.endswith(".ipynb") and "/" not in name and not name.startswith("."):
            write_atomic(target / name, content)


def submitted_copies(folder: Path) -> dict[str, Path]:
    """notebook name -> its submitted copy kept under folder/submitted/."""
    target = Path(folder) / SUBMITTED_DIR
    if not target.is_dir():
        return {}
    return {p.stem: p for p in target.glob("*.ipynb") if p.is_file() and not p.is_symlink()}


def add_submitted_outputs(nb: nbformat.NotebookNode, submitted: Path) -> None:
    """After each code cell that runs differently when graded, the student's own outputs of
    it, from their submitted notebook (matched by nbgrader grade id), labelled as submitted:
    text as plain text, images only as PNGs that pass the artifact checks. Nothing else of
    the submitted notebook is taken (no HTML, no scripts, no metadata)."""
    try:
        theirs = notebook_io.read_notebook_file(submitted, max_bytes=MAX_NOTEBOOK_BYTES)
    except (OSError, notebook_io.NotebookFormatError):
        return
    outputs = {}
    for cell in theirs.cells:
        grade_id = _grade_id(cell)
        if cell.get("cell_type") == "code" and grade_id and isinstance(cell.get("outputs"), list):
            outputs.setdefault(grade_id, cell["outputs"])
    for index in range(len(nb.cells) - 1, -1, -1):
        cell = nb.cells[index]
        grade_id = _grade_id(cell)
        if cell.cell_type != "code" or not GRADING_MODE.search(str(cell.source)) \
                or grade_id not in outputs:
            continue
        kept = [o for o in map(_safe_output, outputs[grade_id][:MAX_OUTPUTS]) if o is not None]
        if not kept:
            continue
        label = nbformat.v4.new_markdown_cell(
            f"**The student's own output of the cell above, {AS_SUBMITTED}** (the grader ran "
            "it in grading mode).")
        holder = nbformat.v4.new_code_cell(f"# the outputs of {grade_id}: {AS_SUBMITTED}")
        holder.outputs = kept
        holder.metadata["autograder"] = {"submitted_outputs": grade_id}
        nb.cells[index + 1:index + 1] = [label, holder]


def _grade_id(cell: object) -> str | None:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbgrader = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = nbgrader.get("grade_id") if isinstance(nbgrader, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def _text(value: object) -> str | None:
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = "".join(value)
    if not isinstance(value, str):
        return None
    if len(value) > MAX_OUTPUT_CHARS:
        value = value[:MAX_OUTPUT_CHARS] + f"\n[... {len(value) - MAX_OUTPUT_CHARS} more]"
    return value


def _safe_output(output: object) -> nbformat.NotebookNode | None:
    """A submitted output as a plain stream or a checked PNG, or None."""
    if not isinstance(output, dict):
        return None
    kind = output.get("output_type")
    if kind == "stream":
        text = _text(output.get("text"))
        return None if text is None else nbformat.v4.new_output("stream", name="stdout",
                                                                 text=text)
    if kind == "error":
        text = _text(f"{output.get('ename', 'Error')}: {output.get('evalue', '')}"[:2000])
        return nbformat.v4.new_output("stream", name="stderr", text=text or "")
    data = output.get("data") if kind in ("display_data", "execute_result") else None
    if not isinstance(data, dict):
        return None
    image = _text(data.get("image/png"))
    if image is not None and len(image) <= MAX_SUBMITTED_IMAGE * 4 // 3 + 4:
        try:
            content = base64.b64decode(image.replace("\n", ""), validate=True)
        except ValueError:
            content = b""
        if content and check_artifact("q3_word_vectors.png", content) is None:
            return nbformat.v4.new_output("display_data", data={
                "image/png": base64.b64encode(content).decode("ascii"),
                "text/plain": "<image, as submitted>"})
    text = _text(data.get("text/plain"))
    return None if text is None else nbformat.v4.new_output("stream", name="stdout", text=text)


def _output(name: str, content: bytes) -> nbformat.NotebookNode:
    if ARTIFACTS[name] == "png":
        return nbformat.v4.new_output(
            "display_data", data={"image/png": base64.b64encode(content).decode("ascii"),
                                  "text/plain": f"<{name}>"})
    lines = content.decode("utf-8").splitlines()
    shown = "\n".join(lines[:MAX_TEXT_LINES])
    if len(lines) > MAX_TEXT_LINES:
        shown += f"\n[... {len(lines) - MAX_TEXT_LINES} more lines in {name}]"
    return nbformat.v4.new_output("stream", name="stdout", text=shown + "\n")


__all__ = ["AS_SUBMITTED", "add_artifact_cells", "artifact_question", "autograded_folder",
           "add_submitted_outputs", "keep_submitted", "nbgrader_timestamp", "read_artifacts",
           "read_secret", "remove_autograded", "submitted_copies", "write_autograded",
           "write_staff_copies"]
