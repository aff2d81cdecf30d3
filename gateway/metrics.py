"""`/metrics` for Prometheus and `/ready` for the orchestrator.

The notice figures are read from the database at scrape time, not counted in this process: the
service, two workers and the bot all move notices, and any one of them may be scraped. Every
query is an aggregate bounded by an index or the primary key; at 100,000 notices one scrape costs
one pass over `notices` for the status table (the only unindexed one: tens of milliseconds on
PostgreSQL), range scans of `ix_notices_status_due_at` / `ix_notices_status_deliver_by` for the
queue and the terms, and a primary-key range of the `notice_events` written since the last scrape
for the provider answers. HTTP latency is this process's own, labelled by route template.

Nothing here carries personal data: labels are kinds, channels, statuses, providers and routes.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterable
from datetime import datetime, timedelta

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from sqlalchemy import case, func, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from casework.law.deliver_by import LEGAL_TERM_KINDS
from casework.law.notices import NoticeStatus
from casework.steps.notices_at_risk import IN_FLIGHT, count_at_risk
from casework.system.runtime import Runtime
from casework.tables.notices import Notice, NoticeEvent, WorkerBeat

# The worker beats every 10 s (WorkerConfig.renew_every): three missed beats mean none is alive.
BEAT_FRESH_FOR = timedelta(seconds=30)
SETTLED = (NoticeStatus.DELIVERED, NoticeStatus.HANDED_OVER)
UNDELIVERED = (*IN_FLIGHT, NoticeStatus.TO_PRINT)
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class NoticeFigures(Collector):
    """The database's figures, fetched by `refresh` (async) and handed out by `collect`."""

    def __init__(self) -> None:
        self._metrics: list[Metric] = []
        self._last_event_id: int | None = None
        self._answers: dict[tuple[str, str], int] = {}  # (provider, result) -> count since start
        self.lock = asyncio.Lock()  # one scrape at a time: refresh and collect belong together

    def collect(self) -> Iterable[Metric]:
        return list(self._metrics)

    async def refresh(self, session: AsyncSession, runtime: Runtime) -> None:
        env = await runtime.env(session)
        now = env.now()
        self._metrics = [
            *await self._by_status(session),
            *await self._queue(session, now),
            await self._at_risk(session, now, await count_at_risk(session, env)),
            await self._provider_answers(session),
        ]

    async def _by_status(self, session: AsyncSession) -> list[Metric]:
        """The status table and the within-term share from one pass over `notices` (the one
        scan a scrape makes; everything else reads an index)."""
        family = GaugeMetricFamily(
            "komek_notices",
            "Notices by kind, channel, provider (empty: none yet) and status.",
            labels=["kind", "channel", "provider", "status"],
        )
        cols = (Notice.kind, Notice.channel, Notice.provider, Notice.status)
        reached_at = func.coalesce(Notice.delivered_at, Notice.handed_over_at)
        with_term = total = 0
        for kind, channel, provider, status, n, termed, within in await session.execute(
            select(
                *cols,
                func.count(),
                func.count(Notice.deliver_by),
                func.count(case((reached_at <= Notice.deliver_by, 1))),
            ).group_by(*cols)
        ):
            family.add_metric([kind.value, channel.value, provider or "", status.value], n)
            if status in SETTLED:
                total, with_term = total + termed, with_term + within
        settled = GaugeMetricFamily(
            "komek_notices_settled_with_term",
            "Delivered or handed-over notices that had a legal term, by whether they met it.",
            labels=["within_term"],
        )
        settled.add_metric(["true"], with_term)
        settled.add_metric(["false"], total - with_term)
        share = GaugeMetricFamily(
            "komek_notices_within_term_ratio",
            "Share of settled notices with a legal term that reached the applicant within it "
            "(1 when none is settled yet).",
            value=with_term / total if total else 1.0,
        )
        return [family, settled, share]

    async def _queue(self, session: AsyncSession, now: datetime) -> list[Metric]:
        due, oldest = (
            await session.execute(
                select(func.count(), func.min(Notice.due_at)).where(
                    Notice.status == NoticeStatus.QUEUED, Notice.due_at <= now
                )
            )
        ).one()
        depth = GaugeMetricFamily(
            "komek_queue_due", "Queued notices whose time has come, not yet claimed.", value=due
        )
        age = GaugeMetricFamily(
            "komek_queue_oldest_due_age_seconds",
            "How long the oldest due notice has waited (0: none waits).",
            value=(now - oldest).total_seconds() if oldest else 0.0,
        )
        return [depth, age]

    async def _at_risk(self, session: AsyncSession, now: datetime, at_risk: int) -> Metric:
        overdue = await session.scalar(
            select(func.count()).where(
                Notice.status.in_(UNDELIVERED),
                Notice.deliver_by < now,
                Notice.kind.in_(LEGAL_TERM_KINDS),
            )
        )
        risk = GaugeMetricFamily(
            "komek_notices_at_risk",
            "Undelivered notices whose legal term is near (as on the deadline board) or past.",
            labels=["term"],
        )
        risk.add_metric(["past"], overdue or 0)
        risk.add_metric(["near"], at_risk - (overdue or 0))
        return risk

    async def _provider_answers(self, session: AsyncSession) -> Metric:
        """Provider answers (sends and receipts) recorded since this process first scraped,
        split into ok and error: Prometheus's rate() over the two gives the error rate. Read by
        primary key from the last event seen, so a scrape reads only what is new."""
        top = await session.scalar(select(func.max(NoticeEvent.id))) or 0
        since = top if self._last_event_id is None else self._last_event_id
        result = case((NoticeEvent.error_code.is_(None), "ok"), else_="error")
        rows = await session.execute(
            select(NoticeEvent.provider, result, func.count())
            .where(NoticeEvent.id > since, NoticeEvent.id <= top, NoticeEvent.provider.is_not(None))
            .group_by(NoticeEvent.provider, result)
        )
        for provider, outcome, n in rows:
            self._answers[(provider, outcome)] = self._answers.get((provider, outcome), 0) + n
        self._last_event_id = top
        family = CounterMetricFamily(
            "komek_provider_answers",
            "Provider answers recorded in the notice history, by provider and ok/error.",
            labels=["provider", "result"],
        )
        for (provider, outcome), n in sorted(self._answers.items()):
            family.add_metric([provider, outcome], n)
        return family


class RouteLatency:
    """ASGI middleware timing each request under its route template (`/staff/applications/
    {app_id}`, never the raw path, whose ids would make a series per case)."""

    def __init__(self, app: ASGIApp, histogram: Histogram) -> None:
        self.app, self.histogram = app, histogram

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, sending)
        finally:
            self.histogram.labels(
                scope["method"], route_template(scope, status), f"{status // 100}xx"
            ).observe(time.perf_counter() - started)


def route_template(scope: Scope, status: int) -> str:
    """The path with each path parameter put back as `{name}`, as in
    `/staff/applications/{application_id}`. Built from the parameters the router matched (a
    route inside an included router knows only its own part of the path). A path no route
    matched is "unmatched": an arbitrary URL never becomes a label."""
    params: dict[str, object] = scope.get("path_params") or {}
    if not params and scope.get("route") is None and status == 404:
        return "unmatched"
    segments = scope["path"].split("/")
    for name, value in params.items():
        text = str(value)
        if "/" in text or not text:  # a {path:path} tail, as under a mounted static directory
            tail = len(text.split("/")) if text else 1
            segments[len(segments) - tail :] = [f"{{{name}}}"]
            continue
        segments = [f"{{{name}}}" if segment == text else segment for segment in segments]
    return "/".join(segments)


def _registry() -> tuple[CollectorRegistry, NoticeFigures, Histogram]:
    registry = CollectorRegistry()  # one per app: tests build many apps in one process
    figures = NoticeFigures()
    registry.register(figures)
    latency = Histogram(
        "komek_http_request_duration_seconds",
        "HTTP request latency by method, route template and status class.",
        ["method", "route", "status"],
        buckets=LATENCY_BUCKETS,
        registry=registry,
    )
    return registry, figures, latency


def install(app: FastAPI) -> None:
    """Add /metrics, /ready and the latency middleware; neither route asks for a token."""
    registry, figures, latency = _registry()
    app.add_middleware(RouteLatency, histogram=latency)

    @app.get("/metrics", tags=["service"], include_in_schema=False)
    async def metrics(request: Request) -> Response:
        rt: Runtime = request.app.state.runtime
        async with figures.lock:
            async with rt.sessions() as session:
                await figures.refresh(session, rt)
            body = generate_latest(registry)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    @app.get("/ready", tags=["service"])
    async def ready(request: Request) -> JSONResponse:
        rt: Runtime = request.app.state.runtime
        problem = await _not_ready(rt)
        if problem:
            return JSONResponse({"status": "unready", "reason": problem}, status_code=503)
        return JSONResponse({"status": "ready"})


async def _not_ready(rt: Runtime) -> str | None:
    """Why the service cannot do its work now, or None: the database must answer and some
    delivery worker must have beaten within BEAT_FRESH_FOR."""
    try:
        async with rt.sessions() as session:
            await session.execute(text("SELECT 1"))
            beat = await session.scalar(select(func.max(WorkerBeat.beat_at)))
    except Exception as exc:  # any driver error: not ready, and say which kind
        return f"database: {type(exc).__name__}"
    now = rt.clock.now()
    if beat is None:
        return "no delivery worker has reported"
    if now - beat > BEAT_FRESH_FOR:
        age = int((now - beat).total_seconds())
        return f"no delivery worker heartbeat for {age} s (limit {BEAT_FRESH_FOR.seconds} s)"
    return None
