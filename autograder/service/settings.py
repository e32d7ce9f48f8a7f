"""The service's settings: defaults that need nothing, overridable by AUTOGRADER_* variables.

The grading settings (course, assignment, sandbox backend and options, limits, timeouts, the
check seed) are not declared here: ServiceSettings inherits them from
:class:`autograder.settings.GradingSettings`, the one declaration `autograder grade` uses too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr

from autograder.settings import GradingSettings


class ServiceSettings(GradingSettings):
    """Every knob of `autograder serve` / `autograder worker` (env prefix AUTOGRADER_): the
    grading settings, and the service's own below."""

    data_dir: Path = Field(Path("service-data"),
                           description="folder for uploads, the SQLite database and tokens")
    database_url: str | None = Field(
        None, description="SQLAlchemy URL (e.g. postgresql+psycopg://...); "
                          "default sqlite:///<data_dir>/service.db")
    queue: Literal["sql", "celery"] = Field(
        "sql", description="job queue: sql (a table of leased jobs in the database, workers "
                           "poll it; no other server) or celery (Celery on broker_url)")
    broker_url: str = Field("redis://localhost:6379/0",
                            description="Celery broker URL (queue=celery only)")
    sweep_seconds: float = Field(
        15.0, gt=0, description="queue=celery: how often the API re-publishes jobs whose "
                                "message was lost or whose worker died (lease expired)")
    host: str = Field("127.0.0.1", description="address the API listens on")
    port: int = Field(8000, description="port the API listens on")
    workers: int = Field(2, ge=0, description="grading threads started by `serve` (0: none)")
    lease_seconds: float = Field(
        600.0, gt=0, description="how long a claimed job stays a worker's without a renewal; "
                                 "a dead worker's job is graded again after this")
    max_attempts: int = Field(3, ge=1, description="claims of one job before it is failed")
    student_jobs_in_flight: int = Field(
        1, ge=1, description="how many of one student's jobs may be graded at once (students "
                             "are served in turn; the rest of their uploads wait their turn)")
    poll_seconds: float = Field(0.5, gt=0, description="how often an idle worker looks for jobs")
    max_upload_bytes: int = Field(20 * 1024**2, gt=0, description="largest accepted upload")
    submissions_per_minute: int = Field(5, ge=1, description="per-student submission limit")
    header_timeout: float = Field(
        10.0, gt=0, description="seconds a connection may take to send a request's headers "
                                "(from connecting, or from the end of its previous response)")
    keepalive_timeout: int = Field(5, ge=1, description="seconds an idle keep-alive "
                                                       "connection is kept open")
    max_connections: int = Field(
        1000, ge=1, description="open connections at most (more are closed at once); a "
                                "deadline burst is a few hundred students polling one page")
    allowed_origins: list[str] = Field(
        default_factory=list, description="origins (https://host[:port]) allowed to post the "
        "web forms besides the service's own host, e.g. behind a proxy that rewrites Host")
    instructor_token: SecretStr | None = Field(
        None, description="the instructor's token; default: read <data_dir>/instructor.token")
    # --- web sessions (H4) ---
    session_hours: float = Field(
        12.0, gt=0, description="how long a web login lasts (a server-side session; logging "
                                "out ends it at once)")
    secure_cookies: bool = Field(
        False, description="always mark the session cookie Secure (set it when the service "
                           "is reached over TLS; a request seen as https gets it anyway)")
    # --- end web sessions ---
    gradebook_url: str | None = Field(
        None, description="nbgrader gradebook URL to write scores into (none: not written)")
    # --- operations (H5): proxy, logs, health, the check seed ---
    trusted_proxies: str = Field(
        "", description="reverse proxies whose X-Forwarded-Proto and X-Forwarded-For are "
        "believed, comma-separated addresses or networks (e.g. 127.0.0.1,172.16.0.0/12): a "
        "request from one of them is seen with the client's scheme and address (https: the "
        "Secure cookie); from anyone else the headers are ignored. Empty (default): nobody's; "
        "'*': everyone's (only when nothing but the proxy can reach the port)")
    log_file: Path | None = Field(
        None, description="also write the service's log to this file, rotated when it reaches "
                          "log_max_mb (log_backups old files kept); unset: stderr only (under "
                          "compose, Docker's logging driver rotates it)")
    log_max_mb: float = Field(50.0, gt=0, description="log_file: size that starts a new file")
    log_backups: int = Field(5, ge=1, description="log_file: rotated files kept")
    health_broker_timeout: float = Field(
        1.0, gt=0, description="queue=celery: seconds /health waits for the broker's ping "
                               "before it reports the service degraded")
    allow_public_seed: bool = Field(
        False, description="let `serve` and `worker` start without CS224N_CHECK_SEED, on the "
        "public default seed (anyone can compute the hidden inputs from the repository): "
        "for demos and tests only")
    # --- end operations ---

    @property
    def db_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir.resolve() / 'service.db'}"

    @property
    def uploads_dir(self) -> Path:
        return self.data_dir / "uploads"

    @property
    def instructor_token_file(self) -> Path:
        return self.data_dir / "instructor.token"
