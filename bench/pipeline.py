"""Pipeline throughput and end-to-end latency, embedded (SQLite) and PostgreSQL + Redis.

Prints one JSON object. For each setup: submissions per second from the first
``created_at`` to the last ``acknowledged_at``, and p50/p99 of each document's
end-to-end latency (accepted → receipt stored). The floor beside it: the same
documents posted straight to the sandbox authority (what delivery alone costs),
as a ratio.

    .venv/bin/python bench/pipeline.py [--count 300] [--skip-postgres]
"""

from __future__ import annotations

import argparse
import base64
import json
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from bench._stack import fresh_postgres, gateway_stack, make_org_key, percentile


def _doc(i: int) -> bytes:
    return f"<Report xmlns='urn:bench'><Seq>{i}</Seq><Pad>{'x' * 2000}</Pad></Report>".encode()


def _run(url: str, env: dict[str, str], count: int, clients: int) -> dict[str, object]:
    _, key = make_org_key(env)
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/xml"}
    with httpx.Client(timeout=60) as http:

        def post(i: int) -> str:
            r = http.post(
                f"{url}/v1/submissions?kind=bench&recipient=sandbox-authority",
                content=_doc(i),
                headers=headers,
            )
            r.raise_for_status()
            return str(r.json()["id"])

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            ids = list(pool.map(post, range(count)))
        accepted_in = time.perf_counter() - started
        deadline = time.monotonic() + 600
        while True:
            page = http.get(
                f"{url}/v1/submissions?status=acknowledged&limit=1",
                headers={"Authorization": headers["Authorization"]},
            ).json()
            if page["total"] >= count or time.monotonic() > deadline:
                break
            time.sleep(0.5)
        rows = []
        offset = 0
        while offset < count:
            page = http.get(
                f"{url}/v1/submissions?limit=500&offset={offset}",
                headers={"Authorization": headers["Authorization"]},
            ).json()
            rows += page["items"]
            offset += 500
    done = [r for r in rows if r["status"] == "acknowledged"]
    lat = [
        (
            datetime.fromisoformat(r["acknowledged_at"]) - datetime.fromisoformat(r["created_at"])
        ).total_seconds()
        for r in done
    ]
    first = min(datetime.fromisoformat(r["created_at"]) for r in rows)
    last = max(datetime.fromisoformat(r["acknowledged_at"]) for r in done) if done else first
    span = (last - first).total_seconds() or float("nan")
    return {
        "submitted": len(ids),
        "acknowledged": len(done),
        "accept_per_second": round(count / accepted_in, 1),
        "submissions_per_second": round(len(done) / span, 1),
        "latency_p50_s": round(percentile(lat, 50), 3),
        "latency_p99_s": round(percentile(lat, 99), 3),
    }


def _floor(url: str, env: dict[str, str], count: int, clients: int) -> float:
    """Documents per second posted straight to the sandbox authority: delivery alone.

    Each carries the detached signature the gateway would send (made before the clock
    starts), since the authority checks it.
    """
    from gateway.signing import load_signing_identity, sign_detached

    identity = load_signing_identity(Path(env["GW_DATA_DIR"]) / "keys" / "signing.p12")
    sandbox = env["GW_SANDBOX_URL"]
    signatures = [
        base64.b64encode(sign_detached(_doc(i), identity, mime_type="application/xml")).decode()
        for i in range(count)
    ]
    with httpx.Client(timeout=60) as http:

        def post(i: int) -> None:
            body = {
                "signature": signatures[i],
                "message_id": f"floor-{uuid.uuid4()}",
                "kind": "bench",
                "sender": "00000000",
                "recipient": "sandbox-authority",
                "content_type": "application/xml",
                "payload": base64.b64encode(_doc(i)).decode(),
            }
            http.post(f"{sandbox}/authority/messages", json=body).raise_for_status()

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            list(pool.map(post, range(count)))
        return count / (time.perf_counter() - started)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--skip-postgres", action="store_true")
    args = ap.parse_args()
    out: dict[str, object] = {"count": args.count, "clients": args.clients}
    with gateway_stack(database_url=None, broker_url=None, workers=1, concurrency=2) as (url, env):
        emb = _run(url, env, args.count, args.clients)
        floor = _floor(url, env, args.count, args.clients)
        emb["floor_direct_delivery_per_second"] = round(floor, 1)
        emb["ratio_to_floor"] = round(float(emb["submissions_per_second"]) / floor, 3)  # type: ignore[arg-type]
        out["embedded_sqlite"] = emb
    if not args.skip_postgres:
        with (
            fresh_postgres() as db,
            gateway_stack(
                database_url=db, broker_url="redis://127.0.0.1:6379/5", workers=2, concurrency=2
            ) as (url, env),
        ):
            pg = _run(url, env, args.count, args.clients)
            floor = _floor(url, env, args.count, args.clients)
            pg["floor_direct_delivery_per_second"] = round(floor, 1)
            pg["ratio_to_floor"] = round(float(pg["submissions_per_second"]) / floor, 3)  # type: ignore[arg-type]
            out["postgresql_redis_2_workers"] = pg
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
