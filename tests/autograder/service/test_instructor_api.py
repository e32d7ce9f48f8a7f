"""The instructor's API: the roster (non-submitters included), submissions with filters, one
student, regrade all with its progress, statistics, and the OpenAPI document; students and
strangers are refused."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tests.autograder.service.classroom import Upload, seed
from tests.autograder.service.inprocess import running, settings_for
from tests.autograder.service.server import INSTRUCTOR

ROSTER = ["alice", "bob", "carol", "dave"]
T0 = 1_780_000_000.0  # uploads made around then
UPLOADS = [
    Upload("alice", T0, (True, False)),
    Upload("alice", T0 + 100, (True, True)),
    Upload("bob", T0 + 200, (False, False)),
    Upload("carol", T0 + 300, (True, False), state="failed"),
    Upload("carol", T0 + 400, state="queued"),
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    settings = settings_for(tmp_path_factory.mktemp("instructor"))
    tokens, ids = seed(settings.db_url, ROSTER, UPLOADS)
    with running(settings) as url:
        yield url, tokens, ids


def staff(url: str) -> httpx.Client:
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {INSTRUCTOR}"},
                        timeout=30)


def test_the_roster_lists_every_student_with_standing_and_last_upload(site):
    url, _tokens, _ids = site
    with staff(url) as api:
        body = api.get("/api/instructor/students").json()
    found = {s["student"]: s for s in body["students"]}
    assert list(found) == ROSTER  # dave never submitted, still listed
    assert found["alice"]["score"] == 5.0 and found["alice"]["submissions"] == 2
    assert found["alice"]["last_submission_at"] == T0 + 100
    assert found["bob"]["score"] == 0.0 and found["bob"]["last_status"] == "done"
    assert found["carol"]["score"] is None and found["carol"]["last_status"] == "queued"
    assert found["dave"] == {**found["dave"], "score": None, "submissions": 0,
                             "last_submission_at": None}


@pytest.mark.parametrize(("query", "expected"), [
    ({}, [4, 3, 2, 1, 0]),
    ({"student": "alice"}, [1, 0]),
    ({"status": "done"}, [2, 1, 0]),
    ({"status": "failed"}, [3]),
    ({"student": "carol", "status": "queued"}, [4]),
    ({"since": str(T0 + 200)}, [4, 3, 2]),
    ({"since": datetime.fromtimestamp(T0 + 250, UTC).isoformat()}, [4, 3]),
    ({"student": "nobody"}, []),
    ({"limit": "2"}, [4, 3]),
])
def test_submissions_filter_by_student_status_and_time(site, query, expected):
    url, _tokens, ids = site
    with staff(url) as api:
        r = api.get("/api/instructor/submissions", params=query)
    assert r.status_code == 200, r.text
    assert [s["id"] for s in r.json()["submissions"]] == [ids[i] for i in expected]


@pytest.mark.parametrize(("path", "query"), [
    ("submissions", {"status": "lost"}), ("submissions", {"since": "yesterday"}),
    ("submissions", {"limit": "0"}), ("submissions", {"limit": "100000"}),
    ("regrade", {"since": "nan"}), ("regrade", {"since": "-1"}), ("regrade", {})])
def test_a_malformed_filter_is_a_400(site, path, query):
    url, _tokens, _ids = site
    with staff(url) as api:
        r = api.get(f"/api/instructor/{path}", params=query)
    assert r.status_code == 400 and "error" in r.json()


def test_one_student_and_an_unknown_one(site):
    url, _tokens, ids = site
    with staff(url) as api:
        alice = api.get("/api/instructor/students/alice").json()
        assert [h["id"] for h in alice["history"]] == [ids[1], ids[0]]
        assert alice["notebooks"][0]["submission"] == ids[1]
        assert api.get("/api/instructor/students/dave").json()["history"] == []
        for unknown in ("zed", "..%2F..%2Fetc", "a b"):
            assert api.get(f"/api/instructor/students/{unknown}").status_code == 404


def test_stats_pass_rates_and_histogram(site):
    url, _tokens, _ids = site
    with staff(url) as api:
        body = api.get("/api/instructor/stats").json()
    assert (body["students"], body["graded"], body["max_score"]) == (4, 2, 5.0)
    rates = {c["check"]: (c["passed"], c["attempted"]) for c in body["checks"]}
    assert rates == {"softmax_rows": (1, 2), "softmax_stability": (1, 2)}
    counts = [b["students"] for b in body["histogram"]]
    assert sum(counts) == 2 and counts[0] == 1 and counts[-1] == 1


def test_students_and_strangers_are_refused(site):
    url, tokens, ids = site
    paths = [("GET", "/api/instructor/students"), ("GET", "/api/instructor/students/alice"),
             ("GET", "/api/instructor/submissions"), ("GET", "/api/instructor/stats"),
             ("POST", "/api/instructor/regrade"), ("GET", "/api/instructor/regrade?since=1"),
             ("GET", "/openapi.json")]
    for method, path in paths:
        r = httpx.request(method, url + path,
                          headers={"Authorization": f"Bearer {tokens['alice']}"})
        assert r.status_code == 403 and r.json() == {"error": "instructor only"}, path
        assert httpx.request(method, url + path).status_code == 401, path


def test_the_openapi_document_is_the_instructor_s(site):
    url, _tokens, _ids = site
    with staff(url) as api:
        spec = api.get("/openapi.json")
    assert spec.status_code == 200
    paths = spec.json()["paths"]
    assert "/api/instructor/submissions" in paths and "/api/submissions" in paths
    assert not any(p.startswith("/instructor") for p in paths)  # pages are not the API
    assert "/login" not in paths and "/" not in paths and "/docs" not in paths
    assert httpx.get(url + "/redoc").status_code == 404


def test_regrade_all_and_its_progress(tmp_path):
    """Every finished upload is queued again; the progress counts them back as they end."""
    settings = settings_for(tmp_path)
    _tokens, ids = seed(settings.db_url, ROSTER, UPLOADS)
    with running(settings) as url, staff(url) as api:
        sent = api.post("/api/instructor/regrade")
        assert sent.status_code == 202
        body = sent.json()
        assert body["requeued"] == 4  # done and failed; carol's waiting one stays as it is
        progress = api.get(body["progress"]).json()
        assert (progress["done"], progress["total"], progress["finished"]) == (0, 5, False)
        listed = api.get("/api/instructor/submissions", params={"status": "queued"}).json()
        assert {s["id"] for s in listed["submissions"]} == set(ids)


def test_the_openapi_document_lists_the_errors_the_api_gives(site):
    """No 422 (never sent: a malformed request is a 400 with {"error": ...}); each error a
    request below really gets is documented for its operation, with the error body."""
    url, tokens, ids = site
    with staff(url) as api:
        spec = api.get("/openapi.json").json()
    operations = {(m.upper(), p): op for p, ops in spec["paths"].items() for m, op in ops.items()}
    assert not [k for k, op in operations.items() if "422" in op["responses"]]
    assert spec["components"]["schemas"]["ErrorBody"]["required"] == ["error"]
    alice = {"Authorization": f"Bearer {tokens['alice']}"}
    bob = {"Authorization": f"Bearer {tokens['bob']}"}
    boss = {"Authorization": f"Bearer {INSTRUCTOR}"}
    tries = [
        ("GET", "/api/submissions/{submission_id}", f"/api/submissions/{ids[0]}", {}),
        ("GET", "/api/submissions/{submission_id}", f"/api/submissions/{ids[0]}", bob),
        ("GET", "/api/submissions/{submission_id}", "/api/submissions/nope", alice),
        ("GET", "/api/submissions/{submission_id}/results.json",
         f"/api/submissions/{ids[0]}/results.json", alice),
        ("POST", "/api/submissions", "/api/submissions", boss),
        ("POST", "/api/submissions", "/api/submissions", alice),  # no file: malformed
        ("GET", "/api/instructor/submissions", "/api/instructor/submissions?limit=0", boss),
        ("GET", "/api/instructor/regrade", "/api/instructor/regrade", boss),  # no since
        ("GET", "/api/instructor/students/{student}", "/api/instructor/students/n..o", boss),
    ]
    for method, operation, path, headers in tries:
        answer = httpx.request(method, url + path, headers=headers)
        assert answer.status_code >= 400 and "error" in answer.json(), (path, answer.text)
        documented = operations[(method, operation)]["responses"]
        assert str(answer.status_code) in documented, (path, answer.status_code, documented)
        schema = documented[str(answer.status_code)]["content"]["application/json"]["schema"]
        assert schema == {"$ref": "#/components/schemas/ErrorBody"}, schema
