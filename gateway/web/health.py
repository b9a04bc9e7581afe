"""Liveness, readiness (database and broker) and Prometheus metrics."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CollectorRegistry, Gauge
from sqlalchemy import text

from gateway import metrics
from gateway.web.deps import container_of

__all__ = ["router"]

router = APIRouter(tags=["operations"])


@router.get("/healthz", summary="The process is alive")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


def _broker_ok(url: str) -> tuple[bool, str]:
    from gateway.celery_app import celery_app

    try:
        with celery_app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
        return True, "ok"
    except Exception as exc:  # any failure means not ready
        return False, f"{type(exc).__name__}: {exc}"


@router.get("/readyz", summary="Database and broker answer")
def readyz(request: Request) -> JSONResponse:
    c = container_of(request)
    checks: dict[str, str] = {}
    ready = True
    try:
        with c.db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:
        ready = False
        checks["database"] = f"{type(exc).__name__}: {exc}"
    ok, note = _broker_ok(c.settings.effective_broker_url)
    checks["broker"] = note
    ready = ready and ok
    return JSONResponse(
        {"status": "ready" if ready else "not ready", "checks": checks},
        status_code=200 if ready else 503,
    )


@router.get("/metrics", summary="Prometheus metrics of the gateway")
def prometheus(request: Request) -> Response:
    c = container_of(request)
    registry = CollectorRegistry()
    gauge = Gauge("gateway_submissions", "Submissions by status", ["status"], registry=registry)
    with c.db.transaction() as s:
        # By table name: the web layer stays below the pipeline (no import circle).
        for status, count in s.execute(
            text("SELECT status, COUNT(*) FROM submissions GROUP BY status")
        ):
            gauge.labels(status=status).set(count)
    return Response(metrics.render(registry), media_type=metrics.CONTENT_TYPE_LATEST)
