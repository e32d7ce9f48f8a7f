"""Backup and restore of the embedded service: a backup of a service with a graded
submission, restored into a fresh data folder and gradebook, gives back every row, file and
grade, and the restored service serves them to the student's old token."""

from __future__ import annotations

import datetime as dt
import io
import os
import tarfile
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from autograder.cli import main
from autograder.service import migrate
from autograder.service.auth import issue_token
from autograder.service.backup import BackupError, backup, restore
from autograder.service.db import Base, Database, Job, SubmissionRow
from autograder.service.settings import ServiceSettings
from autograder.service.storage import KeptFiles, UploadStore
from tests.autograder.service.server import Server
from tests.autograder.service.test_records import _result

SID = "ab" * 16
DUE = dt.datetime(2017, 1, 26, 16, 30)


@pytest.fixture(autouse=True)
def venv_on_path(monkeypatch):
    """nbgrader's Gradebook runs `alembic` from PATH when it creates a database."""
    monkeypatch.setenv("PATH", f"{Path(os.sys.executable).parent}:{os.environ['PATH']}")


def settings_in(folder: Path) -> ServiceSettings:
    return ServiceSettings(data_dir=folder / "data", allow_public_seed=True,
                           gradebook_url=f"sqlite:///{folder / 'gradebook.db'}")


def a_used_service(folder: Path) -> tuple[ServiceSettings, str]:
    """A service with a token, a graded zip upload (and a kept file), a queued one, and a
    gradebook with a student and the assignment's due date."""
    from nbgrader.api import Gradebook

    settings = settings_in(folder)
    settings.data_dir.mkdir(parents=True)
    db = Database(settings.db_url)
    token = issue_token(db, "alice")
    store = UploadStore(settings.uploads_dir)
    with db.session() as s, s.begin():
        for sid, state in ((SID, "done"), ("cd" * 16, "queued")):
            stored = store.save(sid, "zip", b"PK\x05\x06" + bytes(18) + sid.encode())
            s.add(SubmissionRow(id=sid, student="alice", kind="zip", notebook=None,
                                stored_as=stored, size=22, created_at=1.0,
                                graded_at=2.0 if state == "done" else None,
                                result_json=_result("alice", "q1_softmax", 4.0)
                                if state == "done" else None,
                                score=4.0 if state == "done" else None, max_score=43.0))
            s.flush()
            s.add(Job(submission_id=sid, state=state, attempts=1))
    KeptFiles(settings.uploads_dir).save(SID, "q4_dev_pred.txt", b"0 1 2\n")
    db.close()
    gb = Gradebook(settings.gradebook_url, course_id="cs224n")
    gb.add_student("alice", first_name="Alice")
    gb.add_assignment("ps1", duedate=DUE)
    gb.close()
    return settings, token


def rows_of(url: str) -> dict[str, list[dict]]:
    engine = create_engine(url)
    try:
        with engine.connect() as c:
            return {t.name: [dict(r) for r in c.execute(select(t)).mappings()]
                    for t in Base.metadata.sorted_tables}
    finally:
        engine.dispose()


def files_of(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_round_trip_into_a_fresh_service(tmp_path):
    source, token = a_used_service(tmp_path / "a")
    archive = tmp_path / "backup.tar.gz"
    with open(archive, "wb") as out:
        summary = backup(source, out)
    assert summary.rows["submissions"] == 2 and summary.files == 3
    target = settings_in(tmp_path / "b")
    with open(archive, "rb") as src:
        restored = restore(target, src)
    assert restored.revision == migrate.head()
    assert rows_of(target.db_url) == rows_of(source.db_url)
    assert files_of(target.uploads_dir) == files_of(source.uploads_dir)
    from nbgrader.api import Gradebook

    gb = Gradebook(target.gradebook_url, course_id="cs224n")
    try:
        assert gb.find_student("alice").first_name == "Alice"
        assert gb.find_assignment("ps1").duedate == DUE
    finally:
        gb.close()
    db = Database(target.db_url)  # the restored database takes new jobs with fresh ids
    with db.session() as s, s.begin():
        s.add(SubmissionRow(id="ef" * 16, student="alice", kind="zip", stored_as="x",
                            size=1, created_at=3.0))
        s.flush()
        s.add(Job(submission_id="ef" * 16))
    with db.session() as s:
        assert sorted(j.id for j in s.scalars(select(Job))) == [1, 2, 3]
    db.close()


def test_the_cli_writes_a_private_archive_and_restores_it(tmp_path, monkeypatch):
    source, token = a_used_service(tmp_path / "a")
    monkeypatch.setenv("AUTOGRADER_GRADEBOOK_URL", source.gradebook_url)
    archive = tmp_path / "backup.tar.gz"
    assert main(["backup", "--data-dir", str(source.data_dir), str(archive)]) == 0
    assert archive.stat().st_mode & 0o777 == 0o600
    names = tarfile.open(archive).getnames()
    assert names[0] == "manifest.json" and "data/uploads/" + SID + ".zip" in names
    assert not any(n.startswith("data/service.db") for n in names)
    target = settings_in(tmp_path / "b")
    monkeypatch.setenv("AUTOGRADER_GRADEBOOK_URL", target.gradebook_url)
    assert main(["restore", "--data-dir", str(target.data_dir), str(archive)]) == 0
    # a second restore over the restored service is refused, unless forced
    assert main(["restore", "--data-dir", str(target.data_dir), str(archive)]) == 1
    assert main(["restore", "--data-dir", str(target.data_dir), "--force", str(archive)]) == 0
    assert rows_of(target.db_url) == rows_of(source.db_url)


@pytest.mark.slow
def test_the_restored_service_serves_the_grade_to_the_old_token(tmp_path):
    source, token = a_used_service(tmp_path / "a")
    buffer = io.BytesIO()
    backup(source, buffer)
    target = settings_in(tmp_path / "b")
    restore(target, io.BytesIO(buffer.getvalue()))
    server = Server(target.data_dir, workers=0)
    try:
        body = server.client(token).get(f"/api/submissions/{SID}").json()
        assert body["status"] == "done" and body["score"] == 4.0, body
    finally:
        server.stop()


def test_an_older_revision_is_restored_then_migrated(tmp_path):
    settings = settings_in(tmp_path / "a")
    settings.data_dir.mkdir(parents=True)
    engine = create_engine(settings.db_url)
    migrate.upgrade(engine, "0001")
    with engine.begin() as c:
        c.exec_driver_sql("INSERT INTO tokens VALUES ('k', 'bob', 's', 'd', 1.0)")
    engine.dispose()
    old = settings.model_copy(update={"gradebook_url": None})
    buffer = io.BytesIO()
    assert backup(old, buffer).revision == "0001"
    target = settings_in(tmp_path / "b").model_copy(update={"gradebook_url": None})
    assert restore(target, io.BytesIO(buffer.getvalue())).revision == migrate.head()
    assert rows_of(target.db_url)["tokens"][0]["student"] == "bob"


def test_unsafe_or_foreign_archives_are_refused(tmp_path):
    target = settings_in(tmp_path / "b")
    for members in ({"manifest.json": b'{"format": 1, "revision": "0001"}', "../evil": b"x"},
                    {"hello.txt": b"hi"}):
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
            for name, data in members.items():
                info = tarfile.TarInfo(name)
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
        with pytest.raises(BackupError):
            restore(target, io.BytesIO(buffer.getvalue()))
    with pytest.raises(BackupError, match="not a readable backup"):
        restore(target, io.BytesIO(b"not a tarball"))
    assert not (tmp_path / "evil").exists() and not (tmp_path / "b" / "evil").exists()
