"""The ASGI application: API + pages, the body limit, and (optionally) the worker pool."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from starlette.types import ASGIApp

from autograder.service import api, instructor_api, instructor_web, manual_feedback, web
from autograder.service.celery_queue import CeleryJobQueue, Sweeper
from autograder.service.context import ServiceContext
from autograder.service.errors import install_handlers
from autograder.service.gradebook import prepare_gradebook
from autograder.service.health import BrokerProbe
from autograder.service.limits import BodyLimit
from autograder.service.settings import ServiceSettings
from autograder.service.worker import WorkerPool

log = logging.getLogger(__name__)
MULTIPART_OVERHEAD = 64 * 1024


def create_app(settings: ServiceSettings, workers: int | None = None) -> ASGIApp:
    """The service; `workers` grading threads (default settings.workers) run inside it."""
    ctx = ServiceContext.build(settings)
    n = settings.workers if workers is None else workers
    sweeper = None
    if isinstance(ctx.queue, CeleryJobQueue):
        # Celery workers grade; this process keeps the queue honest
        sweeper, n = Sweeper(ctx.queue, settings.sweep_seconds), 0
    pool = WorkerPool(settings, ctx.db, ctx.queue, n)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        prepare_gradebook(settings)
        pool.start()
        if sweeper:
            sweeper.start()
        log.info("grader service ready (database %s, queue %s, %d workers in this process)",
                 _safe_url(ctx.db.url), settings.queue, pool.n)
        try:
            yield
        finally:
            if sweeper:
                sweeper.shutdown()
            pool.shutdown()
            ctx.db.close()

    # the docs are the instructor's (instructor_api.openapi, instructor_web.api_docs)
    app = FastAPI(title="CS224n grader", lifespan=lifespan, docs_url=None, redoc_url=None,
                  openapi_url=None)
    app.state.ctx = ctx
    app.state.broker_probe = (BrokerProbe(settings.broker_url, settings.health_broker_timeout)
                              if settings.queue == "celery" else None)
    install_handlers(app)
    app.include_router(api.router)
    app.include_router(web.router, include_in_schema=False)  # pages are not the API
    app.include_router(instructor_api.router)
    app.include_router(instructor_api.docs_router)
    app.include_router(instructor_web.router)
    app.include_router(manual_feedback.router, include_in_schema=False)  # H2: staff's grading
    return behind_proxies(BodyLimit(app, settings.max_upload_bytes + MULTIPART_OVERHEAD),
                          settings.trusted_proxies)


def behind_proxies(app: ASGIApp, trusted: str) -> ASGIApp:
    """Believe X-Forwarded-Proto/-For from the trusted proxies only (settings.trusted_proxies):
    behind a TLS-terminating proxy, a request from it is then seen as https, from the client's
    address. uvicorn's own handling is off (http.server_config), so nobody else is believed."""
    hosts = [h.strip() for h in trusted.split(",") if h.strip()]
    if not hosts:
        return app
    from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

    return ProxyHeadersMiddleware(app, trusted_hosts=hosts)  # type: ignore[arg-type]


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
