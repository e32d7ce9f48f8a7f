"""What `serve` and `worker` check and set up before they start: the check seed is a secret,
and the log may go to a rotating file.

The hidden checks draw their inputs from CS224N_CHECK_SEED. Its default is in the public
repository, so a service running on it grades with inputs any student can compute: the
service refuses to start on it unless the operator says, with AUTOGRADER_ALLOW_PUBLIC_SEED,
that this is a demo or a test. The refusal is a log line and an exit code, never a traceback.
"""

from __future__ import annotations

import logging
import logging.handlers

from autograder.service.settings import ServiceSettings

log = logging.getLogger("autograder.service")
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def seed_refusal(settings: ServiceSettings) -> str | None:
    """Why the service must not start with these settings' seed (None: it may)."""
    if settings.allow_public_seed:
        return None
    public = type(settings).model_fields["check_seed"].default
    if "check_seed" not in settings.model_fields_set:
        return ("CS224N_CHECK_SEED is not set: the hidden checks would use the public default "
                "seed, whose inputs any student can compute. Set a secret seed for the term "
                "(e.g. CS224N_CHECK_SEED=$(python3 -c 'import secrets; "
                "print(secrets.randbelow(2**31))')), the same for every service process and "
                "for `nbgrader autograde`; for a demo or a test only, set "
                "AUTOGRADER_ALLOW_PUBLIC_SEED=1")
    if settings.check_seed == public:
        return (f"CS224N_CHECK_SEED is {public}, the public default seed: set a secret one "
                "(or AUTOGRADER_ALLOW_PUBLIC_SEED=1 for a demo or a test)")
    return None


def log_to_file(settings: ServiceSettings) -> logging.Handler | None:
    """With settings.log_file: the root logger also writes there, rotated by size."""
    if settings.log_file is None:
        return None
    settings.log_file.parent.mkdir(parents=True, exist_ok=True)
    handler = logging.handlers.RotatingFileHandler(
        settings.log_file, maxBytes=int(settings.log_max_mb * 1024**2),
        backupCount=settings.log_backups, encoding="utf-8")
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root = logging.getLogger()
    root.addHandler(handler)
    if root.level > logging.INFO or root.level == logging.NOTSET:
        root.setLevel(logging.INFO)
    return handler
