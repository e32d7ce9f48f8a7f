"""Uploads the service refuses: too large, not a notebook, unsafe zips and file names."""

import os

import pytest

from tests.autograder.service.notebooks import honest_q1, zip_of

pytestmark = pytest.mark.slow


def post(server, token, name, data):
    with server.client(token) as client:
        return client.post("/api/submissions", files={"file": (name, data)})


def test_oversized_upload_is_413(service):
    server, tokens = service
    r = post(server, tokens["bob"], "q1_softmax.ipynb", b"{" + b" " * 400_000 + b"}")
    assert r.status_code == 413 and "too large" in r.json()["error"]


@pytest.mark.parametrize("name, data, words", [
    ("q1_softmax.ipynb", b"this is not json", "not JSON"),
    ("q1_softmax.ipynb", b'["a list"]', "not a notebook"),
    ("q1_softmax.ipynb", b"", "empty"),
    ("notes.txt", b"{}", "notes.txt is not part of this assignment's hand-in; upload the"),
    ("q9_unknown.ipynb", b"{}", "q9_unknown.ipynb is not a notebook (no cells)"),
    ("ps1.zip", b"PK\x03\x04 broken", "zip"),
    ("ps1.zip", zip_of({"../q1_softmax.ipynb": b"{}"}), "unsafe"),
    ("ps1.zip", zip_of({"/abs/q1_softmax.ipynb": b"{}"}), "unsafe"),
    ("ps1.zip", zip_of({"evil.ipynb": b"{}"}), "evil.ipynb is not a notebook"),
])
def test_malformed_uploads_are_400(service, name, data, words):
    server, tokens = service
    r = post(server, tokens["bob"], name, data)
    assert r.status_code == 400, r.text
    assert words in r.json()["error"]


@pytest.mark.parametrize("name", ["../q1_softmax.ipynb", "../../../tmp/q1_softmax.ipynb",
                                  "/etc/q1_softmax.ipynb", "..\\q1_softmax.ipynb",
                                  "sub/q1_softmax.ipynb", "q1_softmax.ipynb\x00.zip"])
def test_path_traversal_file_names_never_reach_the_disk(service, name):
    server, tokens = service
    r = post(server, tokens["bob"], name, honest_q1())
    assert r.status_code == 400, r.text


def test_uploads_are_stored_under_server_ids_only(service):
    server, tokens = service
    r = post(server, tokens["bob"], "q1_softmax.ipynb", honest_q1())
    assert r.status_code == 202
    uploads = server.log.parent / "data" / "uploads"
    names = os.listdir(uploads)
    assert f"{r.json()['id']}.ipynb" in names
    assert all(len(n.split(".")[0]) == 32 for n in names if not n.startswith("."))


def test_non_multipart_body_is_400(service):
    server, tokens = service
    with server.client(tokens["bob"]) as client:
        r = client.post("/api/submissions", content=b"{}",
                        headers={"Content-Type": "application/json"})
    assert r.status_code == 400 and "error" in r.json()
