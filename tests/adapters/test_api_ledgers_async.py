"""A large ledger upload answers 202 at once; a worker imports it; the operation shows how far."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from adapters.uploads import run_import
from gateway import jobs
from gateway.bootstrap import Container
from gateway.celery_app import dispatch
from gateway.operations.service import ProgressFile, work_dir

Org = tuple[str, dict[str, str]]


@pytest.fixture
def sent() -> Iterator[list[tuple[str, tuple[Any, ...]]]]:
    jobs_sent: list[tuple[str, tuple[Any, ...]]] = []
    jobs.install_dispatcher(lambda task, args, options: jobs_sent.append((task, args)))
    yield jobs_sent
    jobs.install_dispatcher(dispatch)


def test_an_async_upload_is_accepted_then_imported_by_the_worker_with_progress(
    client: TestClient,
    org: Callable[..., Org],
    company_file: Path,
    container: Container,
    sent: list[tuple[str, tuple[Any, ...]]],
) -> None:
    _, h = org()
    r = client.post(
        "/v1/ledgers?async=true&filename=company.xml", content=company_file.read_bytes(), headers=h
    )
    assert r.status_code == 202, r.text
    op = r.json()
    assert r.headers["location"] == f"/v1/operations/{op['id']}"
    assert op["status"] == "queued" and op["kind"] == "ledger.import"
    assert sent == [("adapters.import_ledger", (op["id"],))]
    assert client.get("/v1/ledgers", headers=h).json()["total"] == 0  # nothing yet

    queued = client.get(r.headers["location"], headers=h)
    assert queued.json()["status"] == "queued" and queued.headers["retry-after"] == "1"

    # What a client polling mid-way sees, written the way the worker writes it.
    folder = work_dir(container.settings.data_path, op["id"])
    ProgressFile(folder).write("check", 250, 1000)
    halfway = client.get(r.headers["location"], headers=h).json()["progress"]
    assert halfway == {"phase": "check", "done": 250, "total": 1000, "percent": 25.0}

    assert run_import(container, op["id"]) == "succeeded"  # the task's body, as the worker runs it
    done = client.get(r.headers["location"], headers=h)
    body = done.json()
    assert body["status"] == "succeeded" and "retry-after" not in done.headers
    assert body["progress"]["percent"] == 100.0 and body["progress"]["phase"] == "done"
    assert body["progress"]["total"] == company_file.stat().st_size
    ledger = client.get(body["result_url"], headers=h).json()
    assert ledger["id"] == body["result"]["id"] and ledger["format"] == "saft"
    assert body["result"]["created"] is True
    assert [p.name for p in folder.iterdir()] == ["progress.json"]  # the spooled file is gone
    assert run_import(container, op["id"]) is None  # a second hint does nothing


def test_a_refused_async_upload_ends_failed_with_the_problem_and_stores_nothing(
    client: TestClient,
    org: Callable[..., Org],
    artefacts_dir: Path,
    container: Container,
    sent: list[tuple[str, tuple[Any, ...]]],
) -> None:
    _, h = org()
    data = (artefacts_dir / "sie-samples" / "transaktioner_ovnbolag-bad-balance.se").read_bytes()
    r = client.post("/v1/ledgers?async=true&filename=bad.se", content=data, headers=h)
    assert r.status_code == 202
    assert run_import(container, r.json()["id"]) == "failed"
    body = client.get(r.headers["location"], headers=h).json()
    assert body["status"] == "failed" and body["result"] is None
    assert body["error"]["status"] == 422
    assert any(p.get("element") == "voucher B 1" for p in body["error"]["problems"])
    assert client.get("/v1/ledgers", headers=h).json()["total"] == 0


def test_another_organisation_cannot_see_the_operation(
    client: TestClient, org: Callable[..., Org], company_file: Path, sent: list[Any]
) -> None:
    _, h = org()
    _, other = org()
    r = client.post("/v1/ledgers?async=true", content=company_file.read_bytes(), headers=h)
    assert client.get(r.headers["location"], headers=other).status_code == 404
    empty = client.post("/v1/ledgers?async=true", content=b"", headers=h)
    assert empty.status_code == 400


def test_an_upload_whose_hint_was_lost_is_enqueued_again_by_the_sweeper(
    client: TestClient,
    org: Callable[..., Org],
    company_file: Path,
    container: Container,
    sent: list[tuple[str, tuple[Any, ...]]],
) -> None:
    from adapters.uploads import sweep_uploads

    _, h = org()
    r = client.post("/v1/ledgers?async=true", content=company_file.read_bytes(), headers=h)
    op_id = r.json()["id"]
    sent.clear()  # the broker lost the hint
    sweep_uploads(container, older_than_seconds=3600)
    assert ("adapters.import_ledger", (op_id,)) not in sent  # too young to be called lost
    sweep_uploads(container, older_than_seconds=-1)
    assert ("adapters.import_ledger", (op_id,)) in sent
    assert run_import(container, op_id) == "succeeded"
    sent.clear()
    sweep_uploads(container, older_than_seconds=-1)
    assert ("adapters.import_ledger", (op_id,)) not in sent  # finished ones are left alone
