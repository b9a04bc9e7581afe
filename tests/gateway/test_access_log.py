"""Every request leaves one JSON access line and counts in /metrics; no secret in either."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from gateway.logging import _JsonFormatter
from tests.gateway.conftest import OrgKeys


def _lines(caplog: pytest.LogCaptureFixture) -> list[dict[str, Any]]:
    fmt = _JsonFormatter()
    return [json.loads(fmt.format(r)) for r in caplog.records if r.name == "gateway.access"]


def test_an_access_line_names_the_route_template_status_and_organisation(
    client: TestClient, make_org: Callable[..., OrgKeys], caplog: pytest.LogCaptureFixture
) -> None:
    org = make_org("buyer")
    key = org.keys["buyer"]
    with caplog.at_level(logging.INFO, logger="gateway.access"):
        r = client.get("/v1/tenders/t-does-not-exist?secret=abc", headers=org.headers("buyer"))
    assert r.status_code == 404
    (line,) = [x for x in _lines(caplog) if x["route"] == "/v1/tenders/{tender_id}"]
    assert line["event"] == "http.request"
    assert line["method"] == "GET" and line["status"] == 404
    assert line["organisation"] == org.cvr
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    text = json.dumps(line)
    assert key not in text and key[:20] not in text
    assert "t-does-not-exist" not in text and "secret" not in text


def test_an_anonymous_or_unknown_path_is_logged_without_its_path(
    client: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="gateway.access"):
        client.get("/v1/no/such/route/gw_0123456789abcdef_SECRET")
        client.get("/v1/me", headers={"Authorization": "Bearer gw_0123456789abcdef_SECRET"})
    lines = _lines(caplog)
    assert {"route": "<unmatched>", "status": 404} in [
        {"route": x["route"], "status": x["status"]} for x in lines
    ]
    me = [x for x in lines if x["route"] == "/v1/me"]
    assert me and me[0]["status"] == 401 and me[0]["organisation"] is None
    assert "SECRET" not in json.dumps(lines)


def test_http_requests_are_counted_by_route_in_metrics(
    client: TestClient, make_org: Callable[..., OrgKeys]
) -> None:
    org = make_org("buyer")
    for _ in range(3):
        client.get("/v1/tenders", headers=org.headers("buyer"))
    body = client.get("/metrics").text
    counted = [
        line
        for line in body.splitlines()
        if line.startswith("gateway_http_requests_total{")
        and 'route="/v1/tenders"' in line
        and 'method="GET"' in line
        and 'status="200"' in line
    ]
    assert counted and float(counted[0].rsplit(" ", 1)[1]) >= 3
    timed = [
        line
        for line in body.splitlines()
        if line.startswith("gateway_http_request_seconds_count{")
        and 'route="/v1/tenders"' in line
        and 'method="GET"' in line
    ]
    assert timed and float(timed[0].rsplit(" ", 1)[1]) >= 3


def test_celery_logs_through_the_json_formatter(capsys: pytest.CaptureFixture[str]) -> None:
    from gateway.celery_app import celery_app

    root = logging.getLogger()
    saved, level = root.handlers[:], root.level
    try:
        # What `celery worker` does at start: its logging setup, which we take over.
        celery_app.log.setup(loglevel="INFO", redirect_stdouts=False)
        logging.getLogger("celery.worker").info("celery.ready %s", "Bearer abc.def")
        err = capsys.readouterr().err.strip().splitlines()[-1]
    finally:
        root.handlers[:], root.level = saved, level
    line = json.loads(err)
    assert line["logger"] == "celery.worker" and line["level"] == "info"
    assert line["event"] == "celery.ready Bearer ***"
