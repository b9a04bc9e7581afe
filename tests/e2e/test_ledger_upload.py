"""A real gateway answers a large ledger upload with 202; its worker imports it."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

from tests.e2e.conftest import Stack
from tests.support.live import wait_until

ROOT = Path(__file__).resolve().parents[2]


def _saft_fixture() -> ModuleType:
    path = ROOT / "tests" / "adapters" / "saft_fixture.py"
    spec = importlib.util.spec_from_file_location("saft_fixture", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("saft_fixture", module)
    spec.loader.exec_module(module)
    return module


def test_an_async_upload_is_imported_by_the_worker(stack: Stack, tmp_path: Path) -> None:
    cvr, h = stack.new_org("reporter")
    books = _saft_fixture().write_saft(
        tmp_path / "books.xml", lines=2000, year=2025, company_id=cvr
    )
    r = stack.http.post(
        f"{stack.url}/v1/ledgers?async=true&filename=books.xml",
        content=books.read_bytes(),
        headers=h,
    )
    assert r.status_code == 202, r.text
    status_url = f"{stack.url}{r.headers['location']}"

    def finished() -> dict[str, object] | None:
        body = stack.http.get(status_url, headers=h).json()
        return body if body["status"] in ("succeeded", "failed") else None

    body = wait_until(finished, timeout=180, what="the import to finish")
    assert body["status"] == "succeeded", body
    ledger = stack.http.get(f"{stack.url}{body['result_url']}", headers=h).json()
    assert ledger["counts"]["lines"] > 0 and ledger["version"] == 1
