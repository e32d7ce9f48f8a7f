"""The JSON views of a submission and of a standing grade, as the API returns them and the
pages render them (plain dicts of the stored records; no HTTP here)."""

from __future__ import annotations

import json
import logging
from datetime import UTC
from typing import Any

from autograder.deadlines import DeadlineError, due_for, extension_for
from autograder.report.standing import MISSING, Standing
from autograder.report.summary import notebook_auto_max, notebook_auto_score
from autograder.service.artifacts import ARTIFACTS
from autograder.service.db import Job, SubmissionRow
from autograder.service.records import result_of
from autograder.settings import GradingSettings

log = logging.getLogger(__name__)
ARTIFACT_NAMES = tuple(ARTIFACTS)
POLICIES = {
    "accept": "late uploads are accepted and marked late, with no points taken off",
    "zero": "a late upload is marked late and its automatic checks score 0",
    "subtract_per_hour": "a late upload loses {pph:g} point{s} per notebook for each started "
                         "hour late (never below 0)",
    "refuse": "late uploads are not accepted",
}


def describe(row: SubmissionRow, job: Job, detail: bool = True) -> dict[str, Any]:
    """The JSON view of a submission: status, scores per notebook, cell and check."""
    view: dict[str, Any] = {
        "id": row.id, "student": row.student, "kind": row.kind, "notebook": row.notebook,
        "created_at": row.created_at, "status": job.state, "attempts": job.attempts,
        "error": job.error, "score": row.score, "max_score": row.max_score,
        **held(row), **late(row),
    }
    result = result_of(row)  # the history's rows too: their own score, not "5 / 43"
    if result is not None:
        view.update(this_upload(result))
        if not view["held"]["notebooks"]:  # an upload from before manifests were kept
            view["held"]["notebooks"] = [nb.name for nb in result.notebooks
                                         if nb.status != MISSING]
    if result is not None and detail:
        view["problems"] = result.problems
        view["notebooks"] = [{
            "name": nb.name, "status": nb.status, "message": nb.message,
            "score": notebook_auto_score(nb), "max_score": notebook_auto_max(nb),
            "cell_errors": nb.cell_errors,
            "late_penalty": getattr(nb, "late_penalty", 0.0),
            "late_note": getattr(nb, "late_note", ""),
            "cells": [{"grade_id": c.grade_id, "auto": c.auto, "score": c.score,
                       "max_score": c.max_points,
                       "checks": [{"name": k.name, "score": k.score, "max_score": k.points,
                                   "passed": k.passed, "description": k.description,
                                   "message": k.message, "note": k.note}
                                  for k in c.checks]}
                      for c in nb.cells],
        } for nb in result.notebooks]
    return view


def describe_standing(current: Standing[str] | None) -> dict[str, Any]:
    """The JSON view of a standing grade: total and, per notebook, its score and source."""
    if current is None:
        return {"score": None, "max_score": None, "notebooks": [], "missing": [],
                "submitted_max": None}
    result = current.result
    return {"score": result.auto_score, "max_score": result.auto_max, "notebooks": [{
        "name": nb.name, "status": nb.status, "score": notebook_auto_score(nb),
        "max_score": notebook_auto_max(nb), "submission": current.sources.get(nb.name),
        "late_penalty": getattr(nb, "late_penalty", 0.0),
    } for nb in result.notebooks], "missing": [
        nb.name for nb in result.notebooks if nb.name not in current.sources],
        "submitted_max": round(sum(notebook_auto_max(nb) for nb in result.notebooks
                                   if nb.name in current.sources), 6)}


# --- H3: what an upload held, its own score, and the deadline it met ----------------------
def held(row: SubmissionRow) -> dict[str, Any]:
    """The notebooks and artifacts the upload held and the notes on files set aside (from
    the manifest intake recorded; older uploads have none)."""
    try:
        manifest = json.loads(row.manifest_json) if row.manifest_json else {}
    except ValueError:
        manifest = {}
    notebooks = manifest.get("notebooks") or ([row.notebook] if row.notebook else [])
    return {"held": {"notebooks": list(notebooks),
                     "artifacts": list(manifest.get("artifacts") or []),
                     "notes": list(manifest.get("notes") or [])}}


def this_upload(result: Any) -> dict[str, Any]:
    """The score of the notebooks this upload held, not counting the ones it did not hold
    as failed (a q1 alone is "5 / 5", not "5 / 43"): the standing grade says the rest."""
    submitted = [nb for nb in result.notebooks if nb.status != MISSING]
    return {"upload_score": round(sum(notebook_auto_score(nb) for nb in submitted), 6),
            "upload_max": round(sum(notebook_auto_max(nb) for nb in submitted), 6),
            "late_penalty": round(sum(getattr(nb, "late_penalty", 0.0) for nb in submitted),
                                  6)}


def late(row: SubmissionRow) -> dict[str, Any]:
    """The deadline the upload met, as intake recorded it (None: no deadline was set)."""
    return {"due_at": row.due_at, "late": bool(row.late_seconds),
            "late_seconds": row.late_seconds, "late_policy": row.late_policy,
            "late_note": row.late_note}
def deadline(settings: GradingSettings, student: str, now: float) -> dict[str, Any] | None:
    """The student's deadline (extensions included), the time left and the late policy in
    words; None when the course set no deadline."""
    try:
        due = due_for(settings, student, settings.assignment)
        extended = extension_for(settings, student, settings.assignment) is not None
    except (DeadlineError, OSError) as exc:
        log.error("no deadline for %s: %s", student, exc)
        return None
    if due is None:
        return None
    pph = settings.penalty_per_hour
    policy = POLICIES[settings.late_policy].format(pph=pph, s="" if pph == 1 else "s")
    left = due.astimezone(UTC).timestamp() - now
    return {"due_at": due.astimezone(UTC).timestamp(), "extended": extended,
            "left": left, "passed": left <= 0, "policy": settings.late_policy,
            "policy_text": policy}

# --- end H3
