"""Who may see what: tokens, other students' submissions, instructor endpoints."""

import httpx
import pytest

from tests.autograder.service.notebooks import honest_q1
from tests.autograder.service.server import INSTRUCTOR

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def alices(service) -> str:
    server, tokens = service
    with server.client(tokens["alice"]) as alice:
        sent = alice.post("/api/submissions", files={"file": ("q1_softmax.ipynb", honest_q1())})
    assert sent.status_code == 202
    return sent.json()["id"]


def test_no_token_and_wrong_token_are_401(service, alices):
    server, tokens = service
    key_id = tokens["alice"].split(".")[0]
    for headers in ({}, {"Authorization": "Bearer nonsense"},
                    {"Authorization": f"Bearer {key_id}.wrong-secret"},
                    {"Authorization": "Basic YWxpY2U6eA=="}):
        for method, path in (("GET", "/api/submissions"), ("GET", f"/api/submissions/{alices}"),
                             ("POST", "/api/submissions"), ("GET", "/api/grades.csv"),
                             ("GET", "/api/grade")):
            r = httpx.request(method, server.url + path, headers=headers, timeout=30)
            assert r.status_code == 401, (headers, path, r.text)
            assert "error" in r.json()


def test_another_students_submission_is_403(service, alices):
    server, tokens = service
    with server.client(tokens["bob"]) as bob:
        for path in (f"/api/submissions/{alices}", f"/api/submissions/{alices}/feedback"):
            r = bob.get(path)
            assert r.status_code == 403 and r.json() == {"error": "not your submission"}
        assert alices not in {s["id"] for s in bob.get("/api/submissions").json()["submissions"]}
        grade = bob.get("/api/grade").json()
        assert grade["student"] == "bob"
        assert alices not in {nb["submission"] for nb in grade["notebooks"]}
        assert bob.get("/api/submissions/" + "0" * 32).status_code == 404
        assert bob.get("/api/submissions/../../etc/passwd").status_code == 404


def test_students_cannot_call_instructor_endpoints(service, alices):
    server, tokens = service
    with server.client(tokens["alice"]) as alice:
        for method, path in (("GET", "/api/grades.csv"),
                             ("GET", f"/api/submissions/{alices}/results.json"),
                             ("POST", f"/api/submissions/{alices}/regrade")):
            r = alice.request(method, path)
            assert r.status_code == 403 and r.json() == {"error": "instructor only"}
        assert "jobs" not in alice.get("/health").json()
    with server.client(INSTRUCTOR) as staff:
        assert staff.get(f"/api/submissions/{alices}").status_code == 200
        assert staff.post("/api/submissions",
                          files={"file": ("q1_softmax.ipynb", honest_q1())}).status_code == 403
        assert staff.get("/api/grade").status_code == 403  # a student's own view


def test_web_login_refuses_a_bad_token(service):
    server, tokens = service
    r = httpx.post(server.url + "/login", data={"token": "nope"}, timeout=30)
    assert r.status_code == 401 and "not valid" in r.text
    ok = httpx.post(server.url + "/login", data={"token": tokens["bob"]}, timeout=30)
    assert ok.status_code == 303
    assert "httponly" in ok.headers["set-cookie"].lower()
    assert tokens["bob"].split(".")[1] not in ok.headers["set-cookie"]  # a session id, not it
