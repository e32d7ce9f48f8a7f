"""The JSON views of a submission and of a standing grade, as the API returns them and the
pages render them (plain dicts of the stored records; no HTTP here)."""

from __future__ import annotations

from typing import Any

from autograder.report.standing import Standing
from autograder.report.summary import notebook_auto_max, notebook_auto_score
from autograder.service.db import Job, SubmissionRow
from autograder.service.records import result_of


def describe(row: SubmissionRow, job: Job, detail: bool = True) -> dict[str, Any]:
    """The JSON view of a submission: status, scores per notebook, cell and check."""
    view: dict[str, Any] = {
        "id": row.id, "student": row.student, "kind": row.kind, "notebook": row.notebook,
        "created_at": row.created_at, "status": job.state, "attempts": job.attempts,
        "error": job.error, "score": row.score, "max_score": row.max_score,
    }
    result = result_of(row) if detail else None
    if result is not None:
        view["problems"] = result.problems
        view["notebooks"] = [{
            "name": nb.name, "status": nb.status, "message": nb.message,
            "score": notebook_auto_score(nb), "max_score": notebook_auto_max(nb),
            "cell_errors": nb.cell_errors,
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
        return {"score": None, "max_score": None, "notebooks": []}
    result = current.result
    return {"score": result.auto_score, "max_score": result.auto_max, "notebooks": [{
        "name": nb.name, "status": nb.status, "score": notebook_auto_score(nb),
        "max_score": notebook_auto_max(nb), "submission": current.sources.get(nb.name),
    } for nb in result.notebooks]}
