import pytest

from tests.autograder.service.server import Server, issue_tokens

STUDENTS = ["alice", "bob", "carol"]


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """One real server (2 workers, 300 KB uploads, 20 submissions a minute) and its tokens."""
    data = tmp_path_factory.mktemp("service") / "data"
    data.mkdir()
    tokens = issue_tokens(data, STUDENTS)
    server = Server(data, workers=2, max_upload_bytes=300_000, submissions_per_minute=20)
    try:
        yield server, tokens
    finally:
        server.stop()
