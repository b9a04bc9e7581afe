"""A real gateway and worker tell a subscriber that its VAT return is drafted, retrying once."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest
from fastapi import FastAPI, Request, Response
from standardwebhooks.webhooks import Webhook

from tests.e2e.conftest import Stack
from tests.support.live import serve_in_thread, wait_until

ROOT = Path(__file__).resolve().parents[2]


def _saft_fixture() -> ModuleType:
    path = ROOT / "tests" / "adapters" / "saft_fixture.py"
    spec = importlib.util.spec_from_file_location("saft_fixture", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("saft_fixture", module)
    spec.loader.exec_module(module)
    return module


class Flaky:
    """Answers 503 to the first delivery, then 204: the worker must come back."""

    def __init__(self) -> None:
        self.got: list[tuple[dict[str, str], bytes, int]] = []
        self.url = ""


@pytest.fixture
def flaky() -> Iterator[Flaky]:
    rec = Flaky()
    app = FastAPI()

    @app.post("/erp/hooks")
    async def hook(request: Request) -> Response:
        code = 503 if not rec.got else 204
        rec.got.append((dict(request.headers), await request.body(), code))
        return Response(status_code=code)

    with serve_in_thread(app) as url:
        rec.url = f"{url}/erp/hooks"
        yield rec


def test_the_worker_delivers_a_signed_vat_drafted_event_and_retries_a_failed_one(
    stack: Stack, flaky: Flaky, tmp_path: Path
) -> None:
    cvr, admin = stack.new_org("admin")
    code, key, err = stack.cli("key", "create", "--org", cvr, "--role", "reporter")
    assert code == 0, err
    reporter = {"Authorization": f"Bearer {key.strip()}"}

    sub = stack.http.post(
        f"{stack.url}/v1/webhooks",
        json={"url": flaky.url, "events": ["reporting.vat_return.drafted"]},
        headers=admin,
    )
    assert sub.status_code == 201, sub.text
    secret, sub_id = sub.json()["secret"], sub.json()["id"]

    books = _saft_fixture().write_saft(tmp_path / "books.xml", lines=60, year=2025, company_id=cvr)
    up = stack.http.post(
        f"{stack.url}/v1/ledgers?filename=books.xml", content=books.read_bytes(), headers=reporter
    )
    assert up.status_code == 201, up.text
    vat = stack.http.post(
        f"{stack.url}/v1/reports/vat", json={"period": "2025-Q1"}, headers=reporter
    )
    assert vat.status_code == 201, vat.text

    wait_until(lambda: len(flaky.got) >= 2, timeout=120, what="the delivery and its retry")
    (h1, b1, c1), (h2, b2, c2) = flaky.got[:2]
    assert (c1, c2) == (503, 204)
    assert h1["webhook-id"] == h2["webhook-id"] and b1 == b2
    event = Webhook(secret).verify(b2, h2)
    assert event["type"] == "reporting.vat_return.drafted"
    assert event["data"]["report_id"] == vat.json()["id"]
    assert event["data"]["period"] == "2025-Q1"

    def delivered() -> dict[str, object] | None:
        page = stack.http.get(f"{stack.url}/v1/webhooks/{sub_id}/deliveries", headers=admin).json()
        items = page["items"]
        return items[0] if items and items[0]["status"] == "delivered" else None

    seen = wait_until(delivered, timeout=60, what="the delivery recorded as delivered")
    assert seen["attempts"] == 2 and seen["last_status_code"] == 204
