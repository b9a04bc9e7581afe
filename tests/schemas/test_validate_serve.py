"""`gateway validate --serve`: the loopback server and its pool of worker processes."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.cli.validate_serve import ValidationServer

EXAMPLES = "en16931-ubl-1.3.16/examples"


@pytest.fixture(scope="module")
def server(artefacts_dir: Path) -> Iterator[ValidationServer]:
    srv = ValidationServer(artefacts_dir, port=0, workers=2)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.close()
    thread.join(timeout=30)


def _url(server: ValidationServer, path: str) -> str:
    return f"http://127.0.0.1:{server.port}{path}"


def test_documents_are_validated_by_several_worker_processes(
    server: ValidationServer, artefacts_dir: Path
) -> None:
    docs = sorted((artefacts_dir / EXAMPLES).iterdir())
    # Requests in parallel, as a bulk client sends them; generous timeout for first compiles.
    results: dict[str, dict] = {}

    def send(path: Path) -> None:
        resp = httpx.post(_url(server, "/validate"), content=path.read_bytes(), timeout=300)
        assert resp.status_code == 200
        results[path.name] = resp.json()

    def batch() -> None:
        threads = [threading.Thread(target=send, args=(p,)) for p in docs]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=600)

    batch()
    assert len(results) == len(docs)
    assert {name for name, r in results.items() if not r["valid"]} == {"issue116.xml"}
    workers = {r["worker"] for r in results.values()}
    # A worker that started late may have missed the first batch; more batches reach it.
    for _ in range(20):
        if len(workers) == 2:
            break
        batch()
        workers |= {r["worker"] for r in results.values()}
    assert len(workers) == 2


def test_bad_input_is_a_finding_and_an_unknown_plan_a_400(server: ValidationServer) -> None:
    resp = httpx.post(_url(server, "/validate"), content=b"<unclosed>", timeout=120)
    assert resp.status_code == 200
    assert [f["rule"] for f in resp.json()["findings"]] == ["XML-MALFORMED"]
    resp = httpx.post(_url(server, "/validate?plan=nope"), content=b"<note/>", timeout=120)
    assert resp.status_code == 400 and "unknown validation plan" in resp.json()["error"]
    resp = httpx.post(_url(server, "/validate"), content=b"<note/>", timeout=120)
    assert resp.json()["findings"][0]["rule"] == "NO-PLAN"
    assert httpx.get(_url(server, "/health"), timeout=30).json() == {"workers": 2}
