"""Schema migrations: the revisions make exactly the models' schema, a database made by the
old create_all code is adopted with its rows, and concurrent starts migrate once."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from autograder.service import migrate
from autograder.service.db import Base, Database, Job, SubmissionRow, Token

# What the service's create_all made before migrations (sqlite3 .schema of such a database;
# jobs without claimed_at, as the first version had it)
OLD_SCHEMA = """
CREATE TABLE tokens (key_id VARCHAR(32) NOT NULL, student VARCHAR(128) NOT NULL,
    salt VARCHAR(64) NOT NULL, digest VARCHAR(64) NOT NULL, created_at FLOAT NOT NULL,
    PRIMARY KEY (key_id));
CREATE INDEX ix_tokens_student ON tokens (student);
CREATE TABLE submissions (id VARCHAR(32) NOT NULL, student VARCHAR(128) NOT NULL,
    kind VARCHAR(16) NOT NULL, notebook VARCHAR(64), stored_as VARCHAR(64) NOT NULL,
    size INTEGER NOT NULL, created_at FLOAT NOT NULL, result_json TEXT, score FLOAT,
    max_score FLOAT, graded_at FLOAT, PRIMARY KEY (id));
CREATE INDEX ix_submissions_student ON submissions (student);
CREATE INDEX ix_submissions_created_at ON submissions (created_at);
CREATE TABLE jobs (id INTEGER NOT NULL, submission_id VARCHAR(32) NOT NULL,
    state VARCHAR(16) NOT NULL, attempts INTEGER NOT NULL, worker VARCHAR(128),
    lease_until FLOAT, error TEXT, updated_at FLOAT NOT NULL, PRIMARY KEY (id),
    UNIQUE (submission_id), FOREIGN KEY(submission_id) REFERENCES submissions (id));
CREATE INDEX ix_jobs_state ON jobs (state);
INSERT INTO tokens VALUES ('k1', 'alice', 'salt', 'digest', 1.0);
INSERT INTO submissions VALUES ('s1', 'alice', 'zip', NULL, 's1.zip', 10, 2.0,
    '{"score": 3}', 3.0, 43.0, 4.0);
INSERT INTO jobs VALUES (1, 's1', 'done', 1, 'w1', NULL, NULL, 4.0);
"""


def schema_diff(url: str) -> list:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()


def test_migrations_make_exactly_the_models_schema(tmp_path):
    """Fails when a model changes without a revision (add one: migrations/README.md)."""
    url = f"sqlite:///{tmp_path / 'service.db'}"
    Database(url).close()
    assert schema_diff(url) == []


def test_a_database_without_migrations_is_behind(tmp_path):
    """The comparison can fail: the models' tables are missing from an empty database."""
    diff = schema_diff(f"sqlite:///{tmp_path / 'empty.db'}")
    assert {d[1].name for d in diff if d[0] == "add_table"} >= {"tokens", "submissions", "jobs"}


def test_one_head_and_every_revision_chains():
    script = migrate.ScriptDirectory.from_config(migrate.alembic_config())
    revisions = list(script.walk_revisions())
    assert len(script.get_heads()) == 1
    assert revisions[-1].down_revision is None and revisions[-1].revision == "0001"


def test_a_create_all_database_is_adopted_with_its_rows(tmp_path):
    path = tmp_path / "service.db"
    with sqlite3.connect(path) as connection:
        connection.executescript(OLD_SCHEMA)
    db = Database(f"sqlite:///{path}")
    try:
        with db.session() as s:
            assert s.get(Token, "k1").student == "alice"
            row = s.get(SubmissionRow, "s1")
            assert (row.score, row.max_score, row.result_json) == (3.0, 43.0, '{"score": 3}')
            job = s.get(Job, 1)
            assert (job.state, job.worker, job.claimed_at) == ("done", "w1", None)
        with db.engine.connect() as connection:
            assert migrate.current(connection) == migrate.head()
    finally:
        db.close()
    assert schema_diff(f"sqlite:///{path}") == []


def test_a_database_at_head_is_left_alone(tmp_path):
    url = f"sqlite:///{tmp_path / 'service.db'}"
    Database(url).close()
    engine = create_engine(url)
    try:
        assert migrate.upgrade(engine) == (migrate.head(), migrate.head())
    finally:
        engine.dispose()


def test_concurrent_starts_migrate_once(tmp_path):
    """Eight processes open a fresh database at once: all succeed, the schema is whole."""
    path = tmp_path / "service.db"
    code = "import sys; from autograder.service.db import Database; Database(sys.argv[1]).close()"
    procs = [subprocess.Popen([sys.executable, "-c", code, f"sqlite:///{path}"],
                              stderr=subprocess.PIPE, text=True) for _ in range(8)]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, errors
    assert schema_diff(f"sqlite:///{path}") == []


def test_concurrent_threads_share_the_lock(tmp_path):
    url = f"sqlite:///{tmp_path / 'service.db'}"
    failures: list[BaseException] = []

    def start() -> None:
        try:
            Database(url).close()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert failures == []
    assert set(inspect(create_engine(url)).get_table_names()) >= {"alembic_version", "jobs"}


def test_revision_files_are_packaged():
    """The wheel carries the migrations: pyproject lists the packages and the template."""
    text = (Path(__file__).parents[3] / "pyproject.toml").read_text()
    assert '"autograder.service.migrations"' in text
    assert '"autograder.service.migrations.versions"' in text
    assert "script.py.mako" in text
