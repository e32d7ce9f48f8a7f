"""Intake: what the service accepts. Directly, each refusal is a domain error with the
student's message (no HTTP); through the API, a damaged zip is 400 with the reason (never a
500), and a single notebook meets the per-notebook limits a zip's notebook meets (refused
before parsing)."""

from __future__ import annotations

import json
import time

import httpx
import pytest

from autograder.engine.submission import MAX_CELLS
from autograder.service import intake
from autograder.service.context import ServiceContext
from autograder.service.settings import ServiceSettings
from tests.autograder.engine.zips import DAMAGED
from tests.autograder.service.inprocess import running, settings_for, student_token
from tests.autograder.service.notebooks import honest_q1, zip_of


@pytest.fixture
def ctx(tmp_path):
    context = ServiceContext.build(ServiceSettings(data_dir=tmp_path, submissions_per_minute=2,
                                                   max_upload_bytes=4096 * 1024))
    yield context
    context.db.close()


@pytest.mark.parametrize("name, data, error, words", [
    ("q1_softmax.ipynb", b"", intake.BadUploadError, "no file was chosen, or it is empty"),
    ("q1_softmax.ipynb", b"x" * (4096 * 1024 + 1), intake.TooLargeError, "too large"),
    ("notes.txt", b"{}", intake.BadUploadError,
     r"notes.txt is not part of this assignment's hand-in; upload the notebooks "
     r"\(q1_softmax.ipynb"),
    ("q1_softmax.ipynb", b"nope", intake.BadUploadError, "not JSON"),
    ("q1_softmax.ipynb", b"[]", intake.BadUploadError, "no cells"),
    ("ps1.zip", zip_of({"evil.ipynb": b"{}"}), intake.BadUploadError,
     "ps1.zip: evil.ipynb is not a notebook"),
    ("ps1.zip", zip_of({"notes.md": b"x"}), intake.BadUploadError,
     "ps1.zip holds no notebook of the assignment"),
])
def test_a_refused_upload_is_a_domain_error_with_the_reason(ctx, name, data, error, words):
    with pytest.raises(error, match=words):
        intake.accept(ctx, "alice", name, data)
    assert ctx.queue.counts() == {}  # nothing recorded, nothing queued


def test_an_accepted_upload_is_recorded_with_its_job_until_the_rate_limit(ctx):
    rows = [intake.accept(ctx, "alice", "q1_softmax.ipynb", honest_q1()) for _ in range(2)]
    assert [r.kind for r in rows] == ["notebook", "notebook"]
    assert rows[0].notebook == "q1_softmax" and rows[0].id != rows[1].id
    assert ctx.queue.counts() == {"queued": 2}
    with pytest.raises(intake.RateLimitError, match="at most 2 uploads") as refused:
        intake.accept(ctx, "alice", "q1_softmax.ipynb", honest_q1())
    assert refused.value.retry_after == 60
    assert intake.accept(ctx, "bob", "q1_softmax.ipynb", honest_q1()).student == "bob"


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("uploads"), submissions_per_minute=1000)
    token = student_token(settings, "mallory")
    with running(settings) as url, httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=60) as client:
        yield client


def post(client: httpx.Client, name: str, data: bytes) -> httpx.Response:
    return client.post("/api/submissions", files={"file": (name, data)})


@pytest.mark.parametrize("damage", sorted(DAMAGED))
def test_a_damaged_zip_is_400_with_the_reason(api, damage):
    r = post(api, "ps1.zip", DAMAGED[damage](honest_q1()))
    assert r.status_code == 400, r.text
    assert "the zip is damaged" in r.json()["error"]
    assert api.get("/health").status_code == 200


def big_notebook(cells: int, cell_bytes: int = 26) -> bytes:
    """The honest q1 plus `cells` small markdown cells (the 17.7 MiB, 190,000-cell kind)."""
    nb = json.loads(honest_q1())
    filler = {"cell_type": "markdown", "metadata": {}, "source": "x" * cell_bytes}
    nb["cells"] += [filler] * cells
    return json.dumps(nb, indent=1).encode()


def test_a_huge_single_notebook_is_refused_at_once(api):
    data = big_notebook(190_000)
    assert 17.5 * 2**20 < len(data) < 18 * 2**20
    start = time.monotonic()
    r = post(api, "q1_softmax.ipynb", data)
    took = time.monotonic() - start
    assert r.status_code == 413 and "larger than 8 MiB" in r.json()["error"], r.text
    assert took < 5.0


def test_a_notebook_with_too_many_cells_is_refused(api):
    data = big_notebook(MAX_CELLS, cell_bytes=1)
    assert len(data) < 2**20
    r = post(api, "q1_softmax.ipynb", data)
    assert r.status_code == 413 and "cells" in r.json()["error"], r.text
    r = post(api, "ps1.zip", zip_of({"ps1/q1_softmax.ipynb": data}))  # the same in a zip
    assert r.status_code == 400 and "cells" in r.json()["error"], r.text


def test_a_normal_notebook_is_still_accepted(api):
    assert post(api, "q1_softmax.ipynb", honest_q1()).status_code == 202


def test_a_notebook_is_known_by_its_name_in_a_zip_too_whatever_its_cells(ctx):
    from tests.autograder.service.files import notebook_with_outputs

    stripped = notebook_with_outputs([])  # no nbgrader metadata: only the name says which
    row = intake.accept(ctx, "alice", "ps1.zip", zip_of({"ps1/q2_neural (1).ipynb": stripped,
                                                         "q1_softmax.ipynb": stripped}))
    assert json.loads(row.manifest_json)["notebooks"] == ["q1_softmax", "q2_neural"]


def test_a_renamed_notebook_is_known_by_its_cells(ctx):
    row = intake.accept(ctx, "alice", "Untitled (3).ipynb", honest_q1())
    assert (row.kind, row.notebook) == ("notebook", "q1_softmax")
    with pytest.raises(intake.BadUploadError, match="Untitled.ipynb is not one of this "
                                                    "assignment's notebooks"):
        intake.accept(ctx, "alice", "Untitled.ipynb", b'{"cells": []}')
