"""The service's app on a real uvicorn server with `serve`'s settings, in a thread of the
test process, on 127.0.0.1 (no grading: workers=0); for the HTTP-level tests."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import uvicorn

from autograder.service.app import create_app
from autograder.service.auth import issue_token
from autograder.service.db import Database
from autograder.service.http import server_config
from autograder.service.settings import ServiceSettings
from tests.autograder.service.server import INSTRUCTOR, free_port


def settings_for(data_dir: Path, **overrides: object) -> ServiceSettings:
    return ServiceSettings(data_dir=data_dir, workers=0, instructor_token=INSTRUCTOR,
                           **overrides)


def student_token(settings: ServiceSettings, student: str) -> str:
    db = Database(settings.db_url)
    try:
        return issue_token(db, student)
    finally:
        db.close()


@contextmanager
def running(settings: ServiceSettings) -> Iterator[str]:
    """The base URL of a server running the app until the block ends."""
    app = create_app(settings, workers=0)
    server = uvicorn.Server(server_config(app, settings, host="127.0.0.1", port=free_port()))
    thread = threading.Thread(target=server.run, name="test-uvicorn", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the in-process server did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{server.config.port}"
    finally:
        server.should_exit = True
        thread.join(30)
