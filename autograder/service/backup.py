"""Backup and restore of a grader service: its database, the nbgrader gradebook it writes,
and its data folder (the uploads and the files kept beside them), in one .tar.gz.

The databases are dumped row by row as JSON lines through the models' own tables (the
service's, autograder/service/db.py, and nbgrader's), not with a database's native tool: one
archive restores into SQLite or PostgreSQL alike, needs no pg_dump in the grader image, and
records the schema revision it was taken at. A dump is one consistent snapshot (SQLite: the
online backup API into a scratch copy; PostgreSQL: one REPEATABLE READ transaction). Uploads
are written and fsynced before their rows are committed, so every row of the snapshot finds
its file when the folder is copied after the dump; files newer than the snapshot come along
harmlessly.

Restore brings the service database to the backup's revision, inserts the rows, then
migrates to this version's newest revision; it refuses a database that already holds
tokens, submissions or jobs unless forced (then they are replaced), and a backup made by a
newer version of the grader. The gradebook's rows replace what the target has (a fresh
stack's API has put the assignment's cells in it).
"""

from __future__ import annotations

import base64
import datetime as dt
import io
import json
import logging
import os
import shutil
import sqlite3
import tarfile
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO, Any

from sqlalchemy import Engine, MetaData, Table, create_engine, delete, insert, inspect, select, text

from autograder.service import migrate
from autograder.service.db import Base, make_engine
from autograder.service.settings import ServiceSettings

log = logging.getLogger(__name__)
FORMAT = 1
SERVICE_TABLES = ("tokens", "submissions", "jobs")  # rows here: the database is in use
SKIPPED_FILES = ("service.db", "service.db-wal", "service.db-shm", "service.db.migrate-lock")
BATCH = 500


class BackupError(Exception):
    """A backup or restore that cannot be done, with the reason in words."""


@dataclass
class Summary:
    rows: dict[str, int] = field(default_factory=dict)
    gradebook_rows: dict[str, int] = field(default_factory=dict)
    files: int = 0
    revision: str | None = None


# --- values <-> JSON ------------------------------------------------------------------------

def _encode(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return {"$datetime": value.isoformat()}
    if isinstance(value, dt.timedelta):
        return {"$timedelta": value.total_seconds()}
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": base64.b64encode(bytes(value)).decode()}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict) and len(value) == 1:
        (tag, raw), = value.items()
        if tag == "$datetime":
            return dt.datetime.fromisoformat(raw)
        if tag == "$timedelta":
            return dt.timedelta(seconds=raw)
        if tag == "$bytes":
            return base64.b64decode(raw)
    return value


# --- dumping ------------------------------------------------------------------------------

@contextmanager
def _snapshot(url: str) -> Iterator[Any]:
    """A connection that sees one consistent state of the database at `url`."""
    engine = make_engine(url)
    try:
        if engine.dialect.name == "sqlite":
            with tempfile.TemporaryDirectory() as tmp:
                copy = Path(tmp) / "snapshot.db"
                raw = engine.raw_connection()
                try:
                    with sqlite3.connect(copy) as target:
                        raw.driver_connection.backup(target)  # type: ignore[union-attr]
                finally:
                    raw.close()
                snap = create_engine(f"sqlite:///{copy}")
                try:
                    with snap.connect() as connection:
                        yield connection
                finally:
                    snap.dispose()
        else:
            options = {"isolation_level": "REPEATABLE READ"}
            with engine.connect().execution_options(**options) as connection:
                with connection.begin():
                    yield connection
    finally:
        engine.dispose()


def _dump_tables(connection: Any, tables: list[Table], folder: Path) -> dict[str, int]:
    folder.mkdir(parents=True)
    counts: dict[str, int] = {}
    present = set(inspect(connection).get_table_names())
    for table in tables:
        if table.name not in present:
            continue
        counts[table.name] = 0
        with open(folder / f"{table.name}.jsonl", "w", encoding="utf-8") as out:
            for row in connection.execute(select(table)).mappings():
                out.write(json.dumps({k: _encode(v) for k, v in row.items()}) + "\n")
                counts[table.name] += 1
    return counts


def _as_they_are(connection: Any) -> list[Table]:
    """The service's tables as the database has them (its revision may be older than the
    models), in the models' dependency order."""
    metadata = MetaData()
    metadata.reflect(connection)
    return [metadata.tables[t.name] for t in Base.metadata.sorted_tables
            if t.name in metadata.tables]


def _gradebook_tables() -> list[Table]:
    from nbgrader.api import Base as GradebookBase

    return list(GradebookBase.metadata.sorted_tables)


def _version_table(connection: Any) -> list[Table]:
    """nbgrader's own alembic_version table, when the gradebook has one."""
    if "alembic_version" not in inspect(connection).get_table_names():
        return []
    return [Table("alembic_version", MetaData(), autoload_with=connection)]


def _data_files(data_dir: Path) -> Iterator[Path]:
    """The data folder's regular files, but the SQLite database (dumped instead)."""
    for root, dirs, files in os.walk(data_dir):
        dirs.sort()
        for name in sorted(files):
            path = Path(root) / name
            if Path(root) == data_dir and name in SKIPPED_FILES:
                continue
            if path.is_file() and not path.is_symlink():
                yield path


def backup(settings: ServiceSettings, out: IO[bytes]) -> Summary:
    """Write the backup archive of the service described by `settings` to `out`."""
    summary = Summary()
    with tempfile.TemporaryDirectory(prefix="autograder-backup-") as tmp:
        stage = Path(tmp)
        with _snapshot(settings.db_url) as connection:
            summary.revision = migrate.current(connection)
            if summary.revision is None:
                raise BackupError("the service database has no schema revision: is it the "
                                  "grader service's, and has it started once?")
            summary.rows = _dump_tables(connection, _as_they_are(connection),
                                        stage / "service")
        if settings.gradebook_url:
            with _snapshot(settings.gradebook_url) as connection:
                tables = _gradebook_tables() + _version_table(connection)
                summary.gradebook_rows = _dump_tables(connection, tables, stage / "gradebook")
        manifest = {"format": FORMAT, "created_at": time.time(), "revision": summary.revision,
                    "rows": summary.rows, "gradebook_rows": summary.gradebook_rows,
                    "nbgrader": _nbgrader_version()}
        with tarfile.open(fileobj=out, mode="w|gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=1).encode())
            for path in sorted(stage.rglob("*.jsonl")):
                archive.add(path, arcname=str(path.relative_to(stage)), recursive=False)
            data_dir = settings.data_dir
            if data_dir.is_dir():
                for path in _data_files(data_dir):
                    archive.add(path, arcname=f"data/{path.relative_to(data_dir)}",
                                recursive=False)
                    summary.files += 1
    return summary


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = len(data), int(time.time()), 0o600
    archive.addfile(info, io.BytesIO(data))


def _nbgrader_version() -> str | None:
    try:
        import nbgrader
    except ImportError:
        return None
    return str(nbgrader.__version__)


# --- restoring ----------------------------------------------------------------------------

def _safe_member(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not path.parts:
        raise BackupError(f"the archive has an unsafe member name: {name[:200]!r}")
    return path


def _unpack(source: IO[bytes], stage: Path, owners: dict[Path, tuple[int, int]]
            ) -> dict[str, Any]:
    """Every member into `stage` (regular files and folders only), and the manifest; each
    file's owner (uid, gid) as archived into `owners`."""
    try:
        with tarfile.open(fileobj=source, mode="r|gz") as archive:
            for member in archive:
                path = _safe_member(member.name)
                if member.isdir():
                    continue
                if not member.isfile():
                    raise BackupError(f"the archive has a link or device: {member.name[:200]}")
                target = stage.joinpath(*path.parts)
                target.parent.mkdir(parents=True, exist_ok=True)
                with archive.extractfile(member) as data, open(target, "wb") as out:  # type: ignore[union-attr]
                    shutil.copyfileobj(data, out)
                os.chmod(target, member.mode & 0o700 or 0o600)
                owners[target] = (member.uid, member.gid)
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"not a readable backup archive ({exc})") from exc
    try:
        manifest = json.loads((stage / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise BackupError("the archive has no manifest.json: not a grader backup") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"backup format {manifest.get('format')} is not {FORMAT}")
    return manifest


def _rows(path: Path) -> Iterator[dict[str, Any]]:
    if not path.is_file():
        return
    with open(path, encoding="utf-8") as lines:
        for line in lines:
            yield {k: _decode(v) for k, v in json.loads(line).items()}


def _insert(connection: Any, table: Table, path: Path) -> int:
    known = {c.name for c in table.columns}
    count, batch = 0, []
    for row in _rows(path):
        unknown = set(row) - known
        if unknown:
            raise BackupError(f"table {table.name}: columns {sorted(unknown)} are unknown here")
        batch.append(row)
        if len(batch) >= BATCH:
            connection.execute(insert(table), batch)
            count, batch = count + len(batch), []
    if batch:
        connection.execute(insert(table), batch)
        count += len(batch)
    return count


def _reset_sequences(connection: Any, tables: list[Table]) -> None:
    """PostgreSQL: serial ids continue after the restored rows' largest."""
    if connection.dialect.name != "postgresql":
        return
    for table in tables:
        for column in table.primary_key.columns:
            if column.autoincrement is True or (
                    column.autoincrement == "auto" and column.type.python_type is int):
                connection.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                    f"COALESCE((SELECT MAX({column.name}) FROM {table.name}), 0) + 1, false)"))


def _in_use(engine: Engine) -> list[str]:
    present = set(inspect(engine).get_table_names())
    with engine.connect() as connection:
        return [name for name in SERVICE_TABLES if name in present and
                connection.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar()]


def _restore_service(engine: Engine, stage: Path, revision: str, force: bool) -> dict[str, int]:
    busy = _in_use(engine)
    if busy and not force:
        raise BackupError(f"the target database already holds {', '.join(busy)}: restore "
                          "into a fresh one, or pass --force to replace them")
    with engine.begin() as connection:  # a clean slate at the backup's revision
        present = set(inspect(connection).get_table_names())
        for table in reversed(Base.metadata.sorted_tables):
            if table.name in present:
                table.drop(connection)
        if "alembic_version" in present:
            connection.execute(text("DROP TABLE alembic_version"))
    migrate.upgrade(engine, revision)
    counts: dict[str, int] = {}
    with engine.begin() as connection:
        order = _as_they_are(connection)
        for table in order:
            counts[table.name] = _insert(connection, table, stage / "service" /
                                         f"{table.name}.jsonl")
        _reset_sequences(connection, order)
    migrate.upgrade(engine)
    return counts


def _restore_gradebook(url: str, stage: Path) -> dict[str, int]:
    engine = create_engine(url)
    counts: dict[str, int] = {}
    try:
        from nbgrader.api import Base as GradebookBase

        GradebookBase.metadata.create_all(engine)
        tables = _gradebook_tables()
        with engine.begin() as connection:
            versions = _version_table(connection)
            if not versions and (stage / "gradebook" / "alembic_version.jsonl").is_file():
                connection.execute(text("CREATE TABLE alembic_version (version_num "
                                        "VARCHAR(32) NOT NULL PRIMARY KEY)"))
                versions = _version_table(connection)
            for table in reversed(tables + versions):
                connection.execute(delete(table))
            for table in tables + versions:
                counts[table.name] = _insert(connection, table, stage / "gradebook" /
                                             f"{table.name}.jsonl")
            _reset_sequences(connection, tables)
    finally:
        engine.dispose()
    return counts


def _restore_files(stage: Path, data_dir: Path, owners: dict[Path, tuple[int, int]]) -> int:
    """The data folder's files, with their modes; run as root, with their owners too (the
    API and the workers may run as different users: compose's api is uid 1000)."""
    count = 0
    as_root = os.geteuid() == 0
    source = stage / "data"
    if not source.is_dir():
        return 0
    for path in sorted(source.rglob("*")):
        if not path.is_file():
            continue
        target = data_dir / path.relative_to(source)
        _make_folders(target.parent, data_dir, as_root)
        tmp = target.with_name(f".{target.name}.restoring")
        shutil.copyfile(path, tmp)
        os.chmod(tmp, path.stat().st_mode & 0o777)
        if as_root and path in owners:
            os.chown(tmp, *owners[path])
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, target)
        count += 1
    return count


def _make_folders(folder: Path, data_dir: Path, as_root: bool) -> None:
    """Create `folder` and its missing parents under data_dir; as root, owned by data_dir's
    owner (the service's user), so the service can still write in them."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    data_dir.mkdir(parents=True, exist_ok=True)
    owner = data_dir.stat()
    for made in reversed(missing):
        made.mkdir(mode=0o700, exist_ok=True)
        if as_root:
            os.chown(made, owner.st_uid, owner.st_gid)


def restore(settings: ServiceSettings, source: IO[bytes], force: bool = False) -> Summary:
    """Restore the archive read from `source` into the service described by `settings`."""
    summary = Summary()
    with tempfile.TemporaryDirectory(prefix="autograder-restore-") as tmp:
        stage = Path(tmp)
        owners: dict[Path, tuple[int, int]] = {}
        manifest = _unpack(source, stage, owners)
        revision = manifest.get("revision")
        known = {s.revision for s in migrate.ScriptDirectory.from_config(
            migrate.alembic_config()).walk_revisions()}
        if revision not in known:
            raise BackupError(f"the backup is at schema revision {revision}, which this "
                              "version of the grader does not know: restore with the version "
                              "that made it, or a newer one")
        if manifest.get("gradebook_rows") and settings.gradebook_url and \
                manifest.get("nbgrader") != _nbgrader_version():
            raise BackupError(f"the gradebook was saved by nbgrader {manifest.get('nbgrader')}"
                              f", this is {_nbgrader_version()}")
        if settings.db_url.startswith("sqlite"):
            settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = make_engine(settings.db_url)
        try:
            summary.rows = _restore_service(engine, stage, revision, force)
            with engine.connect() as connection:
                summary.revision = migrate.current(connection)
        finally:
            engine.dispose()
        if manifest.get("gradebook_rows"):
            if settings.gradebook_url:
                summary.gradebook_rows = _restore_gradebook(settings.gradebook_url, stage)
            else:
                log.warning("the backup has a gradebook but AUTOGRADER_GRADEBOOK_URL is not "
                            "set: the gradebook was not restored")
        summary.files = _restore_files(stage, settings.data_dir, owners)
    return summary
