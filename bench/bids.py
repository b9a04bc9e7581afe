"""Deadline rush: many suppliers submit sealed 100 KB bids to one tender on PostgreSQL.

A fresh PostgreSQL database and a real API server process (``gateway serve``)
on loopback; a separate load process submits pre-sealed bids with many
concurrent clients (sealing is the suppliers' work, done before the rush).
Printed as JSON:

* bids per second and p50/p99 latency of ``POST /v1/tenders/{id}/bids``;
* receipts without a stored bid whose hash matches (must be 0): each receipt
  is checked against the ``bids`` row, the blob on disk and the signed
  receipt's DocumentHash;
* beside it, the raw insert rate of the same database in the same run (one
  small row per committed transaction, same concurrency): the floor that any
  durable per-bid commit pays;
* the time to open all bids (the k-th committee share rebuilds the key,
  decrypts and verifies every bid and signs the opening record).

    python bench/bids.py [--bids 2000] [--suppliers 100] [--size 102400] [--clients 32]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import multiprocessing as mp
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench._stack import _wait, free_port, fresh_postgres, percentile  # noqa: E402


def _load(url: str, jobs_file: str, clients: int, out_file: str) -> None:
    """The load process: submit every job with ``clients`` concurrent connections."""
    jobs = json.loads(Path(jobs_file).read_text())
    results: list[dict[str, Any]] = []
    lock = threading.Lock()
    it = iter(jobs)

    def worker() -> None:
        with httpx.Client(base_url=url, timeout=120) as http:
            while True:
                with lock:
                    job = next(it, None)
                if job is None:
                    return
                envelope = Path(job["path"]).read_bytes()
                body = {"lot_ids": job["lots"], "envelope": base64.b64encode(envelope).decode()}
                t0 = time.perf_counter()
                r = http.post(
                    f"/v1/tenders/{job['tender']}/bids",
                    json=body,
                    headers={"Authorization": f"Bearer {job['key']}"},
                )
                dt = time.perf_counter() - t0
                row = {
                    "status": r.status_code,
                    "latency": dt,
                    "sent_sha256": hashlib.sha256(envelope).hexdigest(),
                }
                if r.status_code == 201:
                    rec = r.json()
                    row |= {
                        "bid_id": rec["bid_id"],
                        "sha256": rec["envelope_sha256"],
                        "receipt_xml": rec["receipt_xml"],
                    }
                with lock:
                    results.append(row)

    start = time.perf_counter()
    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    Path(out_file).write_text(
        json.dumps({"seconds": time.perf_counter() - start, "results": results})
    )


def _raw_insert_rate(database_url: str, rows: int, clients: int) -> float:
    import psycopg

    url = database_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(
            "CREATE TABLE bench_raw (id uuid PRIMARY KEY, sha256 char(64), at timestamptz)"
        )
    per = rows // clients

    def worker() -> None:
        with psycopg.connect(url) as conn:
            for _ in range(per):
                conn.execute(
                    "INSERT INTO bench_raw VALUES (%s, %s, now())",
                    (uuid.uuid4(), hashlib.sha256(uuid.uuid4().bytes).hexdigest()),
                )
                conn.commit()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return per * clients / (time.perf_counter() - t0)


@contextmanager
def api_server(database_url: str, workers: int) -> Iterator[tuple[str, dict[str, str]]]:
    """``gateway serve`` as a process of its own on loopback, on a fresh data folder."""
    data = Path(tempfile.mkdtemp(prefix="gw-bids-"))
    port = free_port()
    env = {
        **os.environ,
        "GW_DATA_DIR": str(data),
        "GW_DATABASE_URL": database_url,
        "GW_PORT": str(port),
        "GW_LOG_LEVEL": "WARNING",
    }
    env.setdefault("GW_ARTEFACTS_DIR", str(ROOT / "var" / "artefacts"))
    py = [sys.executable, "-m", "gateway.cli"]
    subprocess.run([*py, "db", "upgrade"], env=env, check=True, capture_output=True)
    log = (data / "server.log").open("ab")
    proc = subprocess.Popen(
        [*py, "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    try:
        _wait(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}", env
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
        shutil.rmtree(data, ignore_errors=True)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--bids", type=int, default=2000)
    p.add_argument("--suppliers", type=int, default=100)
    p.add_argument("--size", type=int, default=100 * 1024, help="bytes of each bid before sealing")
    p.add_argument("--clients", type=int, default=32)
    p.add_argument(
        "--window", type=int, default=300, help="seconds from publication to the deadline"
    )
    p.add_argument("--server-workers", type=int, default=2, help="uvicorn worker processes")
    args = p.parse_args()

    from gateway.bootstrap import bootstrap
    from gateway.settings import Settings
    from gateway.tenancy.service import authenticate, create_key, create_organisation, resolve_actor
    from tendering import payloads, sealing, share_delivery
    from tendering._common import gateway_identity
    from tendering.bidding import register_supplier_key
    from tests.support.cvr import random_cvr

    with (
        fresh_postgres() as db_url,
        api_server(db_url, args.server_workers) as (url, env),
    ):
        c = bootstrap(
            Settings(
                database_url=db_url,
                data_dir=Path(env["GW_DATA_DIR"]),
                artefacts_dir=Path(env["GW_ARTEFACTS_DIR"]),
            )
        )
        # -- parties: a buyer with a 2-of-3 committee, suppliers with signing keys
        with c.db.transaction() as s:
            buyer = create_organisation(s, cvr=random_cvr(), name="Bench Region", actor="bench")
            buyer_key = create_key(
                s, organisation=buyer, role="buyer", name="officer", actor="bench"
            )
            members = [
                create_key(
                    s, organisation=buyer, role="opening_member", name=f"m{i}", actor="bench"
                )
                for i in range(3)
            ]
            suppliers = []
            for i in range(args.suppliers):
                org = create_organisation(
                    s, cvr=random_cvr(), name=f"Bench Supplier {i}", actor="bench"
                )
                made = create_key(
                    s, organisation=org, role="supplier", name="supplier", actor="bench"
                )
                signing = sealing.new_supplier_key()
                actor = resolve_actor(s, authenticate(s, made.key), on_behalf_of=None)
                register_supplier_key(
                    s, actor=actor, public_key_pem=sealing.supplier_public_key_pem(signing).decode()
                )
                suppliers.append((org.cvr, made.key, signing))
        gateway_identity(c)  # the receipts' signing key, made once before the server needs it
        http = httpx.Client(base_url=url, timeout=600)
        officer = {"Authorization": f"Bearer {buyer_key.key}"}
        price = [
            {
                "id": "price",
                "name": "Price",
                "kind": "price",
                "weight": "100",
                "method": "proportional",
            }
        ]
        deadline = (datetime.now(UTC) + timedelta(seconds=args.window)).replace(microsecond=0)
        tender = http.post(
            "/v1/tenders",
            headers=officer,
            json={
                "reference": f"BENCH-{uuid.uuid4().hex[:6]}",
                "title": "Bench tender",
                "description": "Deadline rush",
                "contract_nature": "services",
                "cpv_code": "90919300",
                "lots": [
                    {
                        "lot_id": "LOT-1",
                        "title": "All",
                        "award_method": "lowest_price",
                        "criteria": price,
                    }
                ],
                "timeline": {"deadline": deadline.isoformat()},
                "opening_threshold": 2,
                "opening_holders": 3,
            },
        ).json()
        mkeys = [share_delivery.new_member_key() for _ in members]
        committee = {
            "members": [
                {
                    "principal_id": m.principal_id,
                    "public_key": share_delivery.member_public_key_text(k),
                }
                for m, k in zip(members, mkeys, strict=True)
            ]
        }
        assert (
            http.put(
                f"/v1/tenders/{tender['id']}/committee", headers=officer, json=committee
            ).status_code
            == 200
        )
        tender = http.post(f"/v1/tenders/{tender['id']}/publish", headers=officer).json()
        from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PublicKey

        tpk = X25519PublicKey.from_public_bytes(base64.b64decode(tender["public_key"]))
        # -- the suppliers seal their bids (their work, before the rush)
        folder = Path(env["GW_DATA_DIR"]) / "sealed"
        folder.mkdir()
        jobs = []
        filler = "x" * max(0, args.size - 200)
        for i in range(args.bids):
            cvr, key, signing = suppliers[i % len(suppliers)]
            content = payloads.BidContent.model_validate(
                {"lots": {"LOT-1": {"price": f"{100000 + i}.00"}}, "documents": {"annex": filler}}
            )
            env_bytes = sealing.seal_bid(
                content.model_dump_json().encode(),
                tender_id=tender["id"],
                supplier_id=cvr,
                bid_id=str(uuid.uuid4()),
                tender_public_key=tpk,
                signing_key=signing,
            ).to_bytes()
            path = folder / f"{i}.sealed"
            path.write_bytes(env_bytes)
            jobs.append({"path": str(path), "lots": ["LOT-1"], "tender": tender["id"], "key": key})
        (folder / "jobs.json").write_text(json.dumps(jobs))
        # -- the rush, from a separate process
        ctx = mp.get_context("spawn")
        proc = ctx.Process(
            target=_load,
            args=(url, str(folder / "jobs.json"), args.clients, str(folder / "out.json")),
        )
        proc.start()
        proc.join()
        out = json.loads((folder / "out.json").read_text())
        rows = out["results"]
        ok = [r for r in rows if r["status"] == 201]
        latencies = [r["latency"] for r in ok]
        # -- every receipt must name a stored bid with the same hash
        from sqlalchemy import select

        from schemas.xmlsafe import parse
        from tendering.models import Bid

        with c.db.transaction() as s:
            stored = {
                b.id: b.envelope_sha256
                for b in s.scalars(select(Bid).where(Bid.tender_id == tender["id"]))
            }
        cbc = "{urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2}"
        unmatched = 0
        for r in ok:
            named = (
                parse(r["receipt_xml"].encode()).getroot().findtext(f".//{cbc}DocumentHash") or ""
            )
            blob = (
                c.blobs.exists(r["sha256"])
                and hashlib.sha256(c.blobs.get(r["sha256"])).hexdigest() == r["sha256"]
            )
            if not (
                stored.get(r["bid_id"]) == r["sha256"] == r["sent_sha256"] == named.lower() and blob
            ):
                unmatched += 1
        raw_rate = _raw_insert_rate(db_url, 2000, args.clients)
        # -- after the deadline: two shares; the second opens every bid
        wait = (deadline - datetime.now(UTC)).total_seconds() + 1
        if wait > 0:
            time.sleep(wait)
        shares = []
        for m, k in list(zip(members, mkeys, strict=True))[:2]:
            h = {"Authorization": f"Bearer {m.key}"}
            sealed = http.get(f"/v1/tenders/{tender['id']}/committee/share", headers=h).json()
            shares.append((h, share_delivery.open_share(sealed["sealed_share"], k)))
        r1 = http.post(
            f"/v1/tenders/{tender['id']}/shares", headers=shares[0][0], json={"share": shares[0][1]}
        )
        assert r1.status_code == 200, r1.text
        t0 = time.perf_counter()
        r2 = http.post(
            f"/v1/tenders/{tender['id']}/shares", headers=shares[1][0], json={"share": shares[1][1]}
        )
        open_seconds = time.perf_counter() - t0
        assert r2.status_code == 200 and r2.json()["opened"], r2.text
        opened = r2.json()["record"]["bids"]
        bids_per_second = len(ok) / out["seconds"]
        print(
            json.dumps(
                {
                    "bids_submitted": len(rows),
                    "bids_accepted": len(ok),
                    "bids_refused": len(rows) - len(ok),
                    "bid_size_bytes": args.size,
                    "concurrent_clients": args.clients,
                    "bids_per_second": round(bids_per_second, 1),
                    "latency_p50_ms": round(percentile(latencies, 50) * 1000, 1),
                    "latency_p99_ms": round(percentile(latencies, 99) * 1000, 1),
                    "receipts_without_matching_stored_bid": unmatched,
                    "raw_insert_rate_per_second": round(raw_rate, 1),
                    "bids_vs_raw_insert_ratio": round(bids_per_second / raw_rate, 3),
                    "opened_bids": len(opened),
                    "opened_valid": sum(
                        1 for b in opened if b["readable"] and b["signature_valid"]
                    ),
                    "open_seconds": round(open_seconds, 2),
                    "open_bids_per_second": round(len(opened) / open_seconds, 1),
                },
                indent=2,
            )
        )


if __name__ == "__main__":
    main()
