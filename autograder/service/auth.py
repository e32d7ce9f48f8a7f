"""Tokens: issued per student from a roster, stored salted and hashed, checked in constant
time; the instructor's token comes from the settings or a file only its owner can read."""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import delete, select

from autograder.report import GradebookError, check_student_id
from autograder.service.db import Database, Token, WebSession

log = logging.getLogger(__name__)
INSTRUCTOR = "instructor"


class RosterError(ValueError):
    """The roster cannot be read (the message says why)."""


@dataclass(frozen=True)
class Identity:
    """Who is calling: a student (by id) or the instructor."""

    student: str | None

    @property
    def is_instructor(self) -> bool:
        return self.student is None


def _digest(salt: str, secret: str) -> str:
    return hmac.new(bytes.fromhex(salt), secret.encode(), hashlib.sha256).hexdigest()


def new_token() -> tuple[str, str]:
    """(key id, the whole token "<key id>.<secret>")."""
    key_id = secrets.token_hex(8)
    return key_id, f"{key_id}.{secrets.token_urlsafe(32)}"


def issue_token(db: Database, student: str) -> str:
    """A fresh token for student (replacing any earlier one, and ending the web sessions
    the earlier one opened: a token is replaced because it leaked); only its hash is stored."""
    key_id, token = new_token()
    salt = secrets.token_hex(16)
    with db.session() as s, s.begin():
        s.execute(delete(Token).where(Token.student == student))
        s.execute(delete(WebSession).where(WebSession.student == student))
        s.add(Token(key_id=key_id, student=student, salt=salt,
                    digest=_digest(salt, token.split(".", 1)[1])))
    return token


def student_for(db: Database, token: str) -> str | None:
    """The student whose token this is, or None."""
    key_id, _, secret = token.partition(".")
    if not key_id or not secret or len(token) > 200:
        return None
    with db.session() as s:
        row = s.scalar(select(Token).where(Token.key_id == key_id))
    if row is None:
        hmac.compare_digest(_digest("00" * 16, secret), "0" * 64)  # same work either way
        return None
    return row.student if hmac.compare_digest(_digest(row.salt, secret), row.digest) else None


def token_holders(db: Database) -> list[str]:
    """Every student a token was issued for (the roster `autograder tokens` was given), sorted."""
    with db.session() as s:
        return sorted(set(s.scalars(select(Token.student)).all()))


class InstructorKey:
    """The instructor's token, kept only as a hash in memory."""

    def __init__(self, token: str | None):
        self._salt = secrets.token_hex(16)
        self._digest = _digest(self._salt, token) if token else None
        # stable across restarts, so a web session can tell which token opened it; the token
        # has full entropy, so its hash gives nothing away
        self.fingerprint = (hashlib.sha256(b"instructor-session:" + token.encode()).hexdigest()
                            if token else None)

    def matches(self, token: str) -> bool:
        if self._digest is None:
            return False
        return hmac.compare_digest(_digest(self._salt, token), self._digest)


def load_instructor_token(configured: str | None, path: Path) -> str | None:
    if configured:
        return configured
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        log.warning("no instructor token (set AUTOGRADER_INSTRUCTOR_TOKEN or run "
                    "`autograder instructor-token`): instructor endpoints refuse everyone")
        return None


def write_secret_file(path: Path, text: str, overwrite: bool = False) -> None:
    """Write text to a new file readable by its owner only (mode 600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    fd = os.open(path, flags, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write(text)
    os.chmod(path, 0o600)


def read_roster(path: Path) -> list[str]:
    """The student ids of a roster CSV (a `student` column), validated and de-duplicated."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise RosterError(f"cannot read {path}: {exc.strerror}") from None
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "student" not in [f.strip() for f in reader.fieldnames]:
        raise RosterError(f"{path} has no `student` column")
    students: list[str] = []
    for line, row in enumerate(reader, start=2):
        value = next((v for k, v in row.items() if k and k.strip() == "student"), "") or ""
        student = value.strip()
        if not student:
            continue
        try:
            check_student_id(student)
        except GradebookError as exc:
            raise RosterError(f"{path} line {line}: {exc}") from None
        if student == INSTRUCTOR:
            raise RosterError(f"{path} line {line}: {INSTRUCTOR!r} is reserved")
        if student not in students:
            students.append(student)
    return students


def issue_roster_tokens(db: Database, students: list[str], out: Path) -> None:
    """Issue a token per student and write student,token to out (mode 600)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["student", "token"])
    for student in students:
        writer.writerow([student, issue_token(db, student)])
    write_secret_file(out, buffer.getvalue(), overwrite=True)
    log.info("issued %d tokens into %s", len(students), out)
