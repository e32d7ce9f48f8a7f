"""The service's commands: serve, worker, tokens, instructor-token, db, backup, restore
(wired in autograder.cli)."""

from __future__ import annotations

import argparse
import logging
import secrets
import signal
import threading
from pathlib import Path

from autograder.service.settings import ServiceSettings

log = logging.getLogger("autograder.service")


def _settings(args: argparse.Namespace) -> ServiceSettings:
    overrides = {k: v for k, v in {
        "data_dir": getattr(args, "data_dir", None), "database_url": getattr(args, "db", None),
        "host": getattr(args, "host", None), "port": getattr(args, "port", None),
        "workers": getattr(args, "workers", None),
        "lease_seconds": getattr(args, "lease_seconds", None),
        "queue": getattr(args, "queue", None),
    }.items() if v is not None}
    return ServiceSettings(**overrides)


def _service_settings(args: argparse.Namespace) -> ServiceSettings | None:
    """`serve`/`worker`'s settings, or None after logging why the service must not start
    (invalid settings, the public check seed); with log_file set, logging goes there too."""
    from pydantic import ValidationError

    from autograder.service.startup import log_to_file, seed_refusal
    from autograder.settings import describe_errors

    try:
        settings = _settings(args)
    except ValidationError as exc:
        for line in describe_errors(exc, ServiceSettings):
            log.error("%s", line)
        return None
    log_to_file(settings)
    refusal = seed_refusal(settings)
    if refusal:
        log.error("not starting: %s", refusal)
        return None
    return settings


def _unreachable(settings: ServiceSettings, exc: Exception) -> int:
    reason = str(getattr(exc, "orig", None) or exc.__class__.__name__).splitlines()[0]
    log.error("the database %s does not answer: %s",
              _safe_url(settings.db_url), reason)
    log.debug("database error", exc_info=True)
    return 1


def serve(args: argparse.Namespace) -> int:
    import uvicorn
    from sqlalchemy.exc import SQLAlchemyError

    from autograder.service.app import create_app
    from autograder.service.http import raise_file_limit, server_config

    settings = _service_settings(args)
    if settings is None:
        return 2
    try:
        app = create_app(settings)
    except SQLAlchemyError as exc:
        return _unreachable(settings, exc)
    raise_file_limit(settings.max_connections)
    uvicorn.Server(server_config(app, settings)).run()
    return 0


def worker(args: argparse.Namespace) -> int:
    from sqlalchemy.exc import SQLAlchemyError

    from autograder.service.context import ServiceContext
    from autograder.service.worker import WorkerPool

    if args.ping:  # a health check: it starts nothing, so needs no seed
        settings = _settings(args)
        if settings.queue != "celery":
            log.error("--ping needs the celery queue (AUTOGRADER_QUEUE=celery)")
            return 2
        from autograder.service.celery_queue import ping_worker

        return 0 if ping_worker(settings) else 1
    settings = _service_settings(args)
    if settings is None:
        return 2
    if settings.queue == "celery":
        from autograder.service.celery_queue import run_worker

        try:
            return run_worker(settings, max(1, settings.workers))
        except SQLAlchemyError as exc:
            return _unreachable(settings, exc)
    try:
        ctx = ServiceContext.build(settings)
    except SQLAlchemyError as exc:
        return _unreachable(settings, exc)
    pool = WorkerPool(settings, ctx.db, ctx.queue, max(1, settings.workers))
    stopped = threading.Event()
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda *_: stopped.set())
    pool.start()
    log.info("%d workers grading from %s", pool.n, settings.db_url.split("://")[0])
    stopped.wait()
    pool.shutdown()
    return 0


def tokens(args: argparse.Namespace) -> int:
    from autograder.service.auth import RosterError, issue_roster_tokens, read_roster
    from autograder.service.db import Database

    settings = _settings(args)
    try:
        students = read_roster(args.roster)
    except RosterError as exc:
        log.error("%s", exc)
        return 2
    from sqlalchemy.exc import SQLAlchemyError

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        db = Database(settings.db_url)
    except SQLAlchemyError as exc:
        return _unreachable(settings, exc)
    issue_roster_tokens(db, students, args.out)
    return 0


def instructor_token(args: argparse.Namespace) -> int:
    from autograder.service.auth import write_secret_file

    settings = _settings(args)
    path: Path = args.out or settings.instructor_token_file
    try:
        write_secret_file(path, secrets.token_urlsafe(32) + "\n", overwrite=args.force)
    except FileExistsError:
        log.error("%s exists; use --force to replace it", path)
        return 2
    log.info("instructor token written to %s (mode 600); the service reads it from there",
             path)
    return 0


def db_command(args: argparse.Namespace) -> int:
    """`autograder db upgrade|current|revision`: the schema migrations by hand."""
    from sqlalchemy.exc import SQLAlchemyError

    from autograder.service import migrate
    from autograder.service.db import Database

    if args.action == "revision":
        path = migrate.revision(args.message)
        log.info("wrote %s: read it, fix what autogenerate cannot know, commit it", path)
        return 0
    settings = _settings(args)
    if settings.db_url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    try:
        db = Database(settings.db_url, migrate=False)
        try:
            if args.action == "upgrade":
                before, after = migrate.upgrade(db.engine, args.revision)
                log.info("database at revision %s (was %s)", after, before or "empty")
            else:
                with db.engine.connect() as connection:
                    rev = migrate.current(connection)
                state = "up to date" if rev == migrate.head() else f"head is {migrate.head()}"
                log.info("database at revision %s (%s)", rev or "none", state)
        finally:
            db.close()
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc.__class__.__name__).splitlines()[0]
        log.error("database %s: %s", _safe_url(settings.db_url), reason)
        log.debug("database error", exc_info=True)
        return 1
    return 0


def backup_command(args: argparse.Namespace) -> int:
    """`autograder backup FILE|-`: the database, the gradebook and the data folder."""
    import os
    import sys

    from sqlalchemy.exc import SQLAlchemyError

    from autograder.service.backup import BackupError, backup

    settings = _settings(args)
    to_stdout = str(args.archive) == "-"
    tmp = None if to_stdout else args.archive.with_name(f".{args.archive.name}.partial")
    try:
        if tmp is None:
            summary = backup(settings, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "wb") as out:
                summary = backup(settings, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, args.archive)
    except (BackupError, SQLAlchemyError, OSError) as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        log.error("backup failed: %s", reason)
        return 1
    log.info("backup of revision %s: %s, gradebook %s, %d files -> %s", summary.revision,
             _counts(summary.rows), _counts(summary.gradebook_rows) or "none", summary.files,
             "stdout" if to_stdout else args.archive)
    return 0


def restore_command(args: argparse.Namespace) -> int:
    """`autograder restore FILE|-`: into a fresh service (or --force over an existing one)."""
    import sys

    from sqlalchemy.exc import SQLAlchemyError

    from autograder.service.backup import BackupError, restore

    settings = _settings(args)
    try:
        if str(args.archive) == "-":
            summary = restore(settings, sys.stdin.buffer, force=args.force)
        else:
            with open(args.archive, "rb") as source:
                summary = restore(settings, source, force=args.force)
    except (BackupError, SQLAlchemyError, OSError) as exc:
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        log.error("restore failed: %s", reason)
        return 1
    log.info("restored %s, gradebook %s, %d files; database at revision %s",
             _counts(summary.rows), _counts(summary.gradebook_rows) or "none", summary.files,
             summary.revision)
    return 0


def _counts(rows: dict[str, int]) -> str:
    return ", ".join(f"{n} {table}" for table, n in rows.items())


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def add_commands(sub: argparse._SubParsersAction) -> None:
    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data-dir", type=Path, help="service data folder "
                       "(default AUTOGRADER_DATA_DIR or ./service-data)")
        p.add_argument("--db", help="database URL (default sqlite in the data folder)")
        p.add_argument("--queue", choices=["sql", "celery"],
                       help="job queue (default AUTOGRADER_QUEUE or sql)")

    p = sub.add_parser("serve", help="run the grader service (API, web pages, workers)")
    common(p)
    p.add_argument("--host", help="listen address (default 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default 8000)")
    p.add_argument("--workers", type=int, help="grading threads in this process (default 2)")
    p.add_argument("--lease-seconds", type=float, help="job lease (default 600)")
    p.set_defaults(func=serve)

    p = sub.add_parser("worker", help="grade queued submissions (no API)")
    common(p)
    p.add_argument("--workers", type=int, help="grading threads (default 2)")
    p.add_argument("--lease-seconds", type=float, help="job lease (default 600)")
    p.add_argument("--ping", action="store_true",
                   help="celery: exit 0 if this host's worker answers (a health check)")
    p.set_defaults(func=worker)

    p = sub.add_parser("tokens", help="issue a token per student of a roster CSV")
    common(p)
    p.add_argument("roster", type=Path, help="CSV with a `student` column")
    p.add_argument("--out", type=Path, required=True, help="CSV of student,token (mode 600)")
    p.set_defaults(func=tokens)

    p = sub.add_parser("instructor-token", help="generate the instructor token into a file")
    common(p)
    p.add_argument("--out", type=Path, help="file (default <data dir>/instructor.token)")
    p.add_argument("--force", action="store_true", help="replace an existing token")
    p.set_defaults(func=instructor_token)

    p = sub.add_parser("backup", help="save the service (database, gradebook, uploads) into "
                       "one .tar.gz")
    common(p)
    p.add_argument("archive", type=Path, help="the archive to write (mode 600), - for stdout")
    p.set_defaults(func=backup_command)

    p = sub.add_parser("restore", help="restore a backup into a fresh service")
    common(p)
    p.add_argument("archive", type=Path, help="the archive to read, - for stdin")
    p.add_argument("--force", action="store_true",
                   help="replace the tokens, submissions and jobs the database already holds")
    p.set_defaults(func=restore_command)

    p = sub.add_parser("db", help="the service database's schema migrations (Alembic)")
    common(p)
    actions = p.add_subparsers(dest="action", required=True)
    up = actions.add_parser("upgrade", help="bring the database to the newest revision (the "
                            "service does this at every start)")
    up.add_argument("revision", nargs="?", default="head", help="target (default head)")
    actions.add_parser("current", help="print the database's revision")
    rev = actions.add_parser("revision", help="for developers: write a new revision file "
                             "from the models' changes (autogenerate)")
    rev.add_argument("-m", "--message", required=True, help="what the revision changes")
    p.set_defaults(func=db_command)
