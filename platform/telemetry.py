"""Prometheus metrics and OpenTelemetry tracing (docs/deploy.md, "Metrics and tracing").

Metrics use the official client. Labels carry route templates (``/api/v1/contacts/
{contact_id:uuid}``), methods, status codes, job names — never a tenant, a person or a raw
path. Under ``rapport run --workers N`` (N > 1) the parent points every worker process at
one ``PROMETHEUS_MULTIPROC_DIR`` (the client's multi-process mode) before they start, so
``/metrics`` of any process sums them all.

Tracing is on when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set (the SDK's standard variables,
``OTEL_SERVICE_NAME`` and the rest, apply): one server span per request, continuing an
incoming W3C ``traceparent``, exported over OTLP/HTTP; every log line of the request
carries its ``trace_id``. Unset, nothing of OpenTelemetry is even imported.

The request path pays one histogram observation (a child looked up in a dict made once
per method, route and status) and, with tracing, one span.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Awaitable, Callable, Iterable
from pathlib import Path
from typing import Any, ParamSpec, TypeVar

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
OTLP_ENV = "OTEL_EXPORTER_OTLP_ENDPOINT"
CONTENT_TYPE = CONTENT_TYPE_LATEST
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
UNMATCHED = "unmatched"

REQUESTS = Histogram(
    "rapport_http_request_duration_seconds",
    "Time to answer an HTTP request, by method, route template and status "
    "(_count: requests answered).",
    ["method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
POOL_IN_USE = Gauge(
    "rapport_db_pool_connections_in_use",
    "Database connections checked out of the application's pools.",
    multiprocess_mode="livesum",
)
POOL_CAPACITY = Gauge(
    "rapport_db_pool_connections_capacity",
    "Connections the application's pools may open (size + overflow).",
    multiprocess_mode="livesum",
)
OUTBOX_LAG = Histogram(
    "rapport_outbox_delivery_lag_seconds",
    "From an event's commit to its delivery by rapport worker.",
    buckets=(0.1, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0),
)
OUTBOX_DUE_TENANTS = Gauge(
    "rapport_outbox_tenants_due",
    "Tenants with events due at the start of the worker's last pass (at most its batch).",
    multiprocess_mode="liveall",
)
JOB_FAILURES = Counter(
    "rapport_job_failures",
    "Background work that failed: outbox deliveries and periodic work, by job.",
    ["job"],
)
IMPORTS_RUNNING = Gauge(
    "rapport_imports_in_progress",
    "Contact imports running now.",
    multiprocess_mode="livesum",
)

_children: dict[tuple[str, str, int], Any] = {}
P = ParamSpec("P")
R = TypeVar("R")


def counted_while_running(
    gauge: Gauge,
) -> Callable[[Callable[P, Awaitable[R]]], Callable[P, Awaitable[R]]]:
    """Decorate a coroutine function: ``gauge`` counts the calls under way."""

    def decorate(func: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
        @functools.wraps(func)
        async def counted(*args: P.args, **kwargs: P.kwargs) -> R:
            gauge.inc()
            try:
                return await func(*args, **kwargs)
            finally:
                gauge.dec()

        return counted

    return decorate


def observe_request(method: str, route: str | None, status: int, seconds: float) -> None:
    """One answered request (called by the request-id middleware, which times it)."""
    key = (method, route or UNMATCHED, status)
    child = _children.get(key)
    if child is None:
        label = method if method in METHODS else "OTHER"
        child = _children[key] = REQUESTS.labels(label, key[1], str(status))
    child.observe(seconds)


def render() -> bytes:
    """The exposition of this process, or of every worker process in multi-process mode."""
    if os.environ.get(MULTIPROC_ENV):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest(REGISTRY)


def forget_dead_processes() -> int:
    """Drop the live gauges of processes that are gone (multi-process mode): uvicorn's
    supervisor replaces a worker that died, and the new one calls this as it starts, so a
    dead process's connections and imports stop counting. Returns how many were dropped."""
    folder = os.environ.get(MULTIPROC_ENV)
    if not folder:
        return 0
    dead: set[int] = set()
    for path in Path(folder).glob("gauge_live*_*.db"):
        pid = path.stem.rsplit("_", 1)[-1]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            dead.add(int(pid))
        except PermissionError:
            continue  # alive, another user's
    for number in dead:
        multiprocess.mark_process_dead(number, folder)
    return len(dead)


def watch_pool(engine: Any, capacity: int) -> None:
    """Count the connections ``engine`` (an AsyncEngine) has checked out."""
    from sqlalchemy import event

    POOL_CAPACITY.inc(capacity)
    event.listen(engine.sync_engine, "checkout", _checked_out)
    event.listen(engine.sync_engine, "checkin", _checked_in)


def unwatch_pool(engine: Any, capacity: int) -> None:
    from sqlalchemy import event

    POOL_CAPACITY.dec(capacity)
    event.remove(engine.sync_engine, "checkout", _checked_out)
    event.remove(engine.sync_engine, "checkin", _checked_in)


def _checked_out(*_: object) -> None:
    POOL_IN_USE.inc()


def _checked_in(*_: object) -> None:
    POOL_IN_USE.dec()


# --------------------------------------------------------------------------- tracing

_tracer: Any = None
_provider: Any = None


def tracer() -> Any:
    """The tracer when ``OTEL_EXPORTER_OTLP_ENDPOINT`` is set (made once per process),
    else None."""
    global _tracer, _provider
    if _tracer is not None or not os.environ.get(OTLP_ENV):
        return _tracer
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    service = os.environ.get("OTEL_SERVICE_NAME") or "rapport"
    _provider = TracerProvider(resource=Resource.create({"service.name": service}))
    _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    _tracer = _provider.get_tracer("rapport")
    return _tracer


def trace_statements(engine: Any) -> None:
    """With tracing on: a client span per SQL statement of ``engine`` (an AsyncEngine),
    named by its first word, under the request's span. The text is not recorded: the
    statements are the code's, the values are bound apart, and spans leave the cluster."""
    if tracer() is None:
        return
    from sqlalchemy import event

    event.listen(engine.sync_engine, "before_cursor_execute", _statement_started)
    event.listen(engine.sync_engine, "after_cursor_execute", _statement_ended)
    event.listen(engine.sync_engine, "handle_error", _statement_failed)


def _statement_started(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
    from opentelemetry import trace

    verb = statement.lstrip().split(None, 1)[0].rstrip(";").upper() if statement.strip() else "SQL"
    span = _tracer.start_span(verb, kind=trace.SpanKind.CLIENT,
                              attributes={"db.system": "postgresql", "db.operation.name": verb})
    conn.info.setdefault("rapport.spans", []).append(span)


def _statement_ended(conn: Any, *_: Any) -> None:
    spans = conn.info.get("rapport.spans")
    if spans:
        spans.pop().end()


def _statement_failed(context: Any) -> None:
    from opentelemetry.trace import Status, StatusCode

    conn = context.connection
    spans = conn.info.get("rapport.spans") if conn is not None else None
    if spans:
        span = spans.pop()
        span.set_status(Status(StatusCode.ERROR, type(context.original_exception).__name__))
        span.end()


def record_pass(started_ns: int, handled: int) -> None:
    """With tracing on: a span for a worker pass that handled something (idle passes, one
    a second per worker, would drown the rest)."""
    if _tracer is None or not handled:
        return
    span = _tracer.start_span("worker pass", start_time=started_ns,
                              attributes={"rapport.events_handled": handled})
    span.end()


def flush_traces() -> None:
    """Send the spans still buffered (at shutdown)."""
    if _provider is not None:
        _provider.force_flush()


def start_request_span(method: str, headers: Iterable[tuple[bytes, bytes]]) -> tuple[Any, Any]:
    """A server span continuing the request's ``traceparent``, made current; returns the
    span and the token that ``end_request_span`` detaches."""
    from opentelemetry import context, propagate, trace

    carrier = {k.decode("latin-1"): v.decode("latin-1") for k, v in headers
               if k in (b"traceparent", b"tracestate")}
    span = _tracer.start_span(method, context=propagate.extract(carrier),
                              kind=trace.SpanKind.SERVER,
                              attributes={"http.request.method": method})
    token = context.attach(trace.set_span_in_context(span))
    return span, token


def trace_id(span: Any) -> str:
    return format(span.get_span_context().trace_id, "032x")


def end_request_span(span: Any, token: Any, route: str | None, status: int) -> None:
    from opentelemetry import context
    from opentelemetry.trace import Status, StatusCode

    span.update_name(f"{span.name} {route or UNMATCHED}")
    if route:
        span.set_attribute("http.route", route)
    span.set_attribute("http.response.status_code", status)
    if status >= 500:
        span.set_status(Status(StatusCode.ERROR))
    span.end()
    context.detach(token)
