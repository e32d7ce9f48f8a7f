"""The students' pages in-process (no grading): uploads of several files, a browser's copy
names, a zip's set-aside files, refusals as pages naming the file, dates in the course's
time zone, the deadline and the late policy, the standing grade of a partial upload, and the
files of a run served as data only."""

from __future__ import annotations

import io
import re
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from autograder.engine.results import CellGrade, CheckOutcome, NotebookReport, SubmissionResult
from autograder.service.app import create_app
from autograder.service.db import Database, Job, SubmissionRow
from tests.autograder.service.files import image_output, notebook_with_outputs, png
from tests.autograder.service.inprocess import settings_for, student_token
from tests.autograder.service.notebooks import honest_notebook_file, honest_q1

SCRIPT = "<script>alert(1)</script>"
DATE = re.compile(r"\w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d P[SD]T")
HTML = {"Accept": "text/html,application/xhtml+xml"}


def client_for(tmp_path: Path, students: tuple[str, ...] = ("alice", "bob"),
               **settings: object) -> tuple[TestClient, dict[str, str], Path]:
    (tmp_path / "data").mkdir(parents=True)
    settings = {"max_upload_bytes": 3 * 1024**2, "submissions_per_minute": 50, **settings}
    config = settings_for(tmp_path / "data", **settings)
    tokens = {s: student_token(config, s) for s in students}
    return TestClient(create_app(config, workers=0)), tokens, config.data_dir


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[TestClient, dict[str, str], Path]]:
    client, tokens, data = client_for(tmp_path)
    with client:
        yield client, tokens, data


def log_in(client: TestClient, token: str) -> None:
    assert client.post("/login", data={"token": token}, follow_redirects=False
                       ).status_code == 303


def upload(client: TestClient, files: list[tuple[str, bytes]], **kw):
    return client.post("/upload", files=[("file", f) for f in files], headers=HTML,
                       follow_redirects=False, **kw)


def q4() -> bytes:
    return honest_notebook_file("q4_sentiment")


def test_a_notebook_with_its_run_files_and_a_browser_copy_name_is_one_upload(site):
    client, tokens, data = site
    log_in(client, tokens["alice"])
    sent = upload(client, [("q4_sentiment (1).ipynb", q4()), ("q4_dev_conf (2).png", png()),
                           ("q4_dev_pred.txt", f"1\t0\t{SCRIPT}\n".encode())])
    assert sent.status_code == 303, sent.text
    sid = sent.headers["location"].rsplit("/", 1)[1]
    page = client.get(f"/submissions/{sid}").text
    assert "as submitted, not re-run" in page
    assert 'id="held">q4_sentiment; q4_dev_conf.png, q4_dev_pred.txt<' in page
    assert SCRIPT not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert f'src="/api/submissions/{sid}/files/q4_dev_conf.png"' in page
    with zipfile.ZipFile(io.BytesIO((data / "uploads" / f"{sid}.zip").read_bytes())) as z:
        assert sorted(z.namelist()) == ["q4_dev_conf.png", "q4_dev_pred.txt",
                                        "q4_sentiment.ipynb"]  # canonical names only
    image = client.get(f"/api/submissions/{sid}/files/q4_dev_conf.png")
    assert image.status_code == 200 and image.content == png()
    assert image.headers["content-type"] == "image/png"
    assert image.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in image.headers["content-security-policy"]
    text = client.get(f"/api/submissions/{sid}/files/q4_dev_pred.txt")
    assert text.headers["content-type"] == "text/plain; charset=utf-8"
    assert text.headers["x-content-type-options"] == "nosniff"


def test_a_browser_renamed_notebook_alone_is_taken_by_its_identity(site):
    client, tokens, data = site
    log_in(client, tokens["alice"])
    for name in ("q1_softmax (1).ipynb", "Untitled.ipynb"):
        sent = upload(client, [(name, honest_q1())])
        assert sent.status_code == 303, sent.text
    db = Database(f"sqlite:///{data / 'service.db'}", migrate=False)
    with db.session() as s:
        assert set(s.scalars(select(SubmissionRow.notebook))) == {"q1_softmax"}
    db.close()


def test_a_zip_with_checkpoints_and_data_is_taken_with_a_note(site):
    client, tokens, _ = site
    log_in(client, tokens["alice"])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("ps1/q1_softmax.ipynb", honest_q1())
        z.writestr("ps1/.ipynb_checkpoints/q1_softmax-checkpoint.ipynb", honest_q1())
        z.writestr("ps1/saved_params_40000.npy", b"\x93NUMPY")
        z.writestr("ps1/q4_sentiment.ipynb", q4())
        z.writestr("ps1/q4_reg_v_acc.png", png())
    sent = upload(client, [("ps1.zip", buffer.getvalue())])
    assert sent.status_code == 303, sent.text
    page = client.get(sent.headers["location"]).text
    assert "set aside, not graded" in page and "saved_params_40000.npy" in page
    assert "q1_softmax-checkpoint.ipynb" in page
    assert 'id="artifact-q4_reg_v_acc.png"' in page


@pytest.mark.parametrize("files, status, words", [
    ([("notes.txt", b"hello")], 400, "notes.txt is not part of this assignment&#39;s hand-in"),
    ([("q4_dev_conf.png", b"GIF89a....")], 400, "q4_dev_conf.png is not a PNG image"),
    ([("q1_softmax.ipynb", honest_q1()), ("q4_dev_conf.png", png())], 400,
     "q4_dev_conf.png is saved by q4_sentiment.ipynb&#39;s run"),
    ([("q1_softmax.ipynb", b"{" + b" " * (3 * 1024**2 + 1000) + b"}")], 413,
     "q1_softmax.ipynb is over the upload limit"),
    ([("q1_softmax.ipynb", b"oops")], 400, "q1_softmax.ipynb is not a notebook (not JSON)"),
    ([("ps1 (2).zip", b"PK\x03\x04 broken")], 400, "ps1 (2).zip: not a readable zip file"),
    ([("ps1.zip", b"PK\x03\x04"), ("q1_softmax.ipynb", honest_q1())], 400,
     "ps1.zip is a zip: upload a zip alone"),
])
def test_a_refused_upload_is_the_home_page_naming_the_file_and_what_to_do(site, files, status,
                                                                           words):
    client, tokens, _ = site
    log_in(client, tokens["alice"])
    sent = upload(client, files)
    assert sent.status_code == status
    assert sent.headers["content-type"].startswith("text/html")
    assert words in sent.text and 'id="file"' in sent.text  # the form, to try again


def test_an_oversized_body_is_a_page_naming_the_files_for_a_browser_and_json_for_the_api(
        site):
    client, tokens, _ = site
    log_in(client, tokens["alice"])
    big = b"{" + b" " * (4 * 1024**2) + b"}"
    page = upload(client, [("q2_neural.ipynb", big), ("q4_dev_conf.png", png())])
    assert page.status_code == 413 and page.headers["content-type"].startswith("text/html")
    assert "q2_neural.ipynb (4.0 MiB)" in page.text and "q4_dev_conf.png" in page.text
    assert "Upload the notebooks one at a time" in page.text
    assert page.text.startswith("<!DOCTYPE html>")
    api = client.post("/api/submissions", files={"file": ("q2_neural.ipynb", big)},
                      headers={"Authorization": f"Bearer {tokens['alice']}"})
    assert api.status_code == 413 and "too large" in api.json()["error"]


def test_a_cross_site_form_post_and_a_rate_limit_are_pages(tmp_path):
    client, tokens, _ = client_for(tmp_path, submissions_per_minute=1)
    with client:
        log_in(client, tokens["alice"])
        foreign = client.post(
            "/upload", files={"file": ("q1_softmax.ipynb", honest_q1())},
            headers={**HTML, "Origin": "https://evil.example"})
        assert foreign.status_code == 403
        assert foreign.headers["content-type"].startswith("text/html")
        assert "send the form from there" in foreign.text
        assert upload(client, [("q1_softmax.ipynb", honest_q1())]).status_code == 303
        limited = upload(client, [("q1_softmax.ipynb", honest_q1())])
        assert limited.status_code == 429 and limited.headers["retry-after"] == "60"
        assert "wait a minute and upload again" in limited.text


def test_unknown_pages_and_missing_fields_are_pages_for_a_browser(site):
    client, tokens, _ = site
    log_in(client, tokens["alice"])
    missing = client.get("/submissions/" + "0" * 32, headers=HTML)
    assert missing.status_code == 404 and "Back to the grader" in missing.text
    empty = client.post("/upload", data={"x": "1"}, headers=HTML)
    assert empty.status_code == 400 and "Choose a file to upload" in empty.text


def test_dates_are_shown_in_the_course_time_zone_not_as_unix_times(site):
    client, tokens, _ = site
    log_in(client, tokens["alice"])
    sent = upload(client, [("q1_softmax.ipynb", honest_q1())])
    home = client.get("/").text
    assert DATE.search(home), home
    assert not re.search(r">\d{10}<", home)
    assert DATE.search(client.get(sent.headers["location"]).text)


def _grade(data: Path, student: str, scores: dict[str, float]) -> None:
    """Mark the student's upload graded with these notebook scores (5 points each, the rest
    of the assignment missing), as a worker would."""
    notebooks = []
    for name in ("q1_softmax", "q2_neural", "q3_word2vec", "q4_sentiment"):
        got = scores.get(name)
        check = CheckOutcome("a_check", 5.0, got or 0.0, "a check")
        cells = [CellGrade(name, f"{name}_hidden", 5.0, got or 0.0, True, [check])]
        notebooks.append(NotebookReport(name, "graded" if got is not None else "missing",
                                        cells=cells))
    result = SubmissionResult(student, "d", notebooks)
    db = Database(f"sqlite:///{data / 'service.db'}", migrate=False)
    with db.session() as s, s.begin():
        row = s.scalars(select(SubmissionRow).where(SubmissionRow.student == student)).one()
        row.result_json, row.score, row.max_score = result.to_json(), sum(
            v for v in scores.values()), 20.0
        s.execute(update(Job).where(Job.submission_id == row.id).values(state="done"))
    db.close()


def test_a_partial_upload_shows_the_standing_grade_not_the_rest_as_failed(site):
    client, tokens, data = site
    log_in(client, tokens["alice"])
    sent = upload(client, [("q1_softmax.ipynb", honest_q1())])
    _grade(data, "alice", {"q1_softmax": 5.0})
    home = client.get("/").text
    assert 'id="grade">5.0 / 5.0<' in home and "worth 20.0" in home
    assert "Not submitted yet:" in home and "q2_neural, q3_word2vec, q4_sentiment" in home
    assert "5.0 / 20.0" not in home
    page = client.get(sent.headers["location"]).text
    assert 'id="score">5.0 / 5.0<' in page and 'id="standing">5.0 / 5.0<' in page
    assert "5.0 / 20.0" not in page


def test_the_deadline_the_time_left_and_an_extension_are_on_the_home_page(tmp_path):
    extensions = tmp_path / "extensions.csv"
    extensions.write_text("student,hours\nbob,48\n")
    due = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 3 * 3600 + 90))
    client, tokens, _ = client_for(tmp_path, due_at=due, extensions_csv=extensions,
                                   timezone="Europe/Paris",
                                   late_policy="subtract_per_hour", penalty_per_hour=2)
    with client:
        log_in(client, tokens["alice"])
        home = client.get("/").text
        assert re.search(r"Due \w{3} \d{1,2} \w{3} \d{4}, \d\d:\d\d CET", home), home
        assert 'id="time-left">3 hours 1 minute left<' in home
        assert "loses 2 points per notebook for each started hour late" in home
        client.post("/logout")
        log_in(client, tokens["bob"])
        home = client.get("/").text
        assert "(your extended deadline)" in home and "2 days 3 hours left" in home


def test_after_the_deadline_an_upload_is_marked_late_or_refused_by_the_policy(tmp_path):
    due = "2020-01-01T00:00:00+00:00"
    client, tokens, data = client_for(tmp_path / "late", due_at=due,
                                      late_policy="subtract_per_hour")
    with client:
        log_in(client, tokens["alice"])
        assert "the deadline passed" in client.get("/").text
        sent = upload(client, [("q1_softmax.ipynb", honest_q1())])
        assert sent.status_code == 303
        page = client.get(sent.headers["location"]).text
        assert 'id="late">Late: submitted' in page and "per started hour late" in page
        assert "late</span>" in client.get("/").text
    client, tokens, data = client_for(tmp_path / "refuse", due_at=due, late_policy="refuse")
    with client:
        log_in(client, tokens["alice"])
        refused = upload(client, [("q1_softmax.ipynb", honest_q1())])
        assert refused.status_code == 403 and "not accepted: submitted" in refused.text
        api = client.post("/api/submissions", files={"file": ("q1_softmax.ipynb", honest_q1())},
                          headers={"Authorization": f"Bearer {tokens['alice']}"})
        assert api.status_code == 403 and "does not accept late" in api.json()["error"]
        assert not list((data / "uploads").glob("*.ipynb"))


def test_another_students_files_and_pages_are_refused(site):
    client, tokens, _ = site
    log_in(client, tokens["alice"])
    sent = upload(client, [("q4_sentiment.ipynb", q4()), ("q4_dev_conf.png", png())])
    sid = sent.headers["location"].rsplit("/", 1)[1]
    client.post("/logout")
    log_in(client, tokens["bob"])
    assert client.get(f"/api/submissions/{sid}/files/q4_dev_conf.png").status_code == 403
    assert client.get(f"/submissions/{sid}", headers=HTML).status_code == 403


def test_a_notebooks_image_output_is_served_as_a_checked_png(site):
    client, tokens, _ = site
    log_in(client, tokens["alice"])
    nb = notebook_with_outputs([image_output(png(50, 40)),
                                {"output_type": "display_data", "metadata": {},
                                 "data": {"text/html": SCRIPT}}])
    sent = upload(client, [("q3_word2vec.ipynb", nb)])
    assert sent.status_code == 303, sent.text  # taken by name; the grader will judge it
    sid = sent.headers["location"].rsplit("/", 1)[1]
    page = client.get(sent.headers["location"]).text
    assert f'src="/api/submissions/{sid}/files/q3_word2vec-0.png"' in page
    assert SCRIPT not in page and "text/html (not shown)" in page
    image = client.get(f"/api/submissions/{sid}/files/q3_word2vec-0.png")
    assert image.headers["content-type"] == "image/png" and image.content == png(50, 40)


def test_an_oversized_body_without_a_length_is_a_page_too(site):
    client, tokens, _ = site
    log_in(client, tokens["alice"])
    boundary = "b0undary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"q3_word2vec.ipynb\"\r\nContent-Type: application/octet-stream"
            "\r\n\r\n").encode()

    def chunks():
        yield head
        for _ in range(64):
            yield b" " * 65536
        yield f"\r\n--{boundary}--\r\n".encode()

    page = client.post("/upload", content=chunks(), headers={
        **HTML, "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert page.status_code == 413 and page.text.startswith("<!DOCTYPE html>")
    assert "q3_word2vec.ipynb (4.0 MiB)" in page.text


def test_an_upload_from_before_the_manifest_is_shown_as_submitted_too(site):
    client, tokens, data = site
    log_in(client, tokens["alice"])
    nb = notebook_with_outputs([image_output(png(20, 10))])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("q3_word2vec.ipynb", nb)
    sent = upload(client, [("ps1.zip", buffer.getvalue())])
    sid = sent.headers["location"].rsplit("/", 1)[1]
    for kept in (data / "uploads" / f"{sid}.files").iterdir():  # as an older service left it
        kept.unlink()
    db = Database(f"sqlite:///{data / 'service.db'}", migrate=False)
    with db.session() as s, s.begin():
        s.execute(update(SubmissionRow).where(SubmissionRow.id == sid).values(
            manifest_json=None))
    db.close()
    _grade(data, "alice", {"q3_word2vec": 4.0})
    page = client.get(sent.headers["location"]).text
    assert 'id="held">q3_word2vec<' in page
    assert f'src="/api/submissions/{sid}/files/q3_word2vec-0.png"' in page
    assert client.get(f"/api/submissions/{sid}/files/q3_word2vec-0.png").content == png(20, 10)
