"""Server time per portal page beside the JSON API answering the same question.

An in-process app on a fresh SQLite database: one published two-lot tender with
``--bids`` sealed bids from ``--suppliers`` suppliers, closed and opened by two
of three committee members. Each page and its API counterpart is requested
``--repeat`` times; printed as JSON: p50/p95 milliseconds of each and the ratio
page/API (what rendering HTML costs over serialising JSON for the same data).

    .venv/bin/python bench/portal.py [--bids 500] [--suppliers 50] [--repeat 30]

Not covered yet: the accountant's pages (a business with 1 M ledger lines).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from fastapi.testclient import TestClient  # noqa: E402

from bench._stack import percentile  # noqa: E402
from gateway.app import create_app  # noqa: E402
from gateway.bootstrap import bootstrap  # noqa: E402
from gateway.db.migrate import upgrade  # noqa: E402
from gateway.settings import Settings  # noqa: E402
from gateway.tenancy.people import sign_in_person  # noqa: E402
from portal import sessions  # noqa: E402
from portal.web import cookie_name, policy  # noqa: E402
from tendering.service import close_due_tenders  # noqa: E402
from tests.portal.conftest import Clock  # noqa: E402
from tests.tendering import flow  # noqa: E402
from tests.tendering.conftest import Org  # noqa: E402


def _timed(client: TestClient, path: str, repeat: int, **kw: object) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        r = client.get(path, **kw)  # type: ignore[arg-type]
        out.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (path, r.status_code, r.text[:300])
    return out


def _stats(ms: list[float]) -> dict[str, float]:
    return {"p50_ms": round(percentile(ms, 50), 2), "p95_ms": round(percentile(ms, 95), 2)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bids", type=int, default=500)
    ap.add_argument("--suppliers", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=30)
    args = ap.parse_args()
    data = Path(tempfile.mkdtemp(prefix="bench-portal-"))
    url = f"sqlite:///{data / 'gateway.sqlite'}"
    upgrade(url)
    settings = Settings(data_dir=data, database_url=url, artefacts_dir=ROOT / "var" / "artefacts")
    clock = Clock()
    c = bootstrap(settings, clock=clock)
    from gateway.tenancy.service import create_key, create_organisation
    from tests.support.cvr import random_cvr

    def new_org(*who: str, name: str = "Bench ApS") -> Org:
        with c.db.transaction() as s:
            org = create_organisation(s, cvr=random_cvr(), name=name, actor="bench")
            out = Org(org.cvr, org.id, name)
            for label in who:
                made = create_key(
                    s, organisation=org, role=label.split(":")[0], name=label, actor="bench"
                )
                out.keys[label], out.principals[label] = made.key, made.principal_id
        return out

    with TestClient(create_app(c, mount_sandbox=False)) as api:
        published = flow.publish(api, clock, new_org)  # type: ignore[arg-type]
        bidders = [flow.bidder(api, new_org, f"Supplier {i}") for i in range(args.suppliers)]  # type: ignore[arg-type]
        for i in range(args.bids):
            price = f"{900000 + i * 37}.00"
            r = flow.submit(
                published, bidders[i % len(bidders)], flow.content({"LOT-1": price, "LOT-2": price})
            )
            assert r.status_code == 201, r.text
        published.past_deadline()
        with c.db.transaction() as s:
            close_due_tenders(c, s)
        published.hand_in("opening_member:1")
        assert published.hand_in("opening_member:2").json()["opened"] is True
        with c.db.transaction() as s:
            principal = sign_in_person(
                s,
                issuer="bench",
                subject="officer",
                name="Bench Officer",
                cvr=published.buyer.cvr,
                roles=["buyer"],
                now=clock(),
            )
            token, _ = sessions.rotate(
                s, None, principal_id=principal.id, now=clock(), policy=policy(settings)
            )
        officer = {"cookies": {cookie_name(settings): token}}
        buyer = {"headers": published.buyer.headers("buyer")}
        pairs = {
            "tender page (public)": (
                f"/tenders/{published.id}",
                f"/v1/public/tenders/{published.id}",
                {},
                {},
            ),
            "tender search": ("/tenders?q=Reng", "/v1/public/tenders?limit=20", {}, {}),
            f"officer tender page ({args.bids} opened bids)": (
                f"/officer/tenders/{published.id}",
                f"/v1/tenders/{published.id}/bids",
                officer,
                buyer,
            ),
        }
        results = {}
        for name, (page, endpoint, page_kw, api_kw) in pairs.items():
            _timed(api, page, 2, **page_kw)
            _timed(api, endpoint, 2, **api_kw)
            p = _stats(_timed(api, page, args.repeat, **page_kw))
            j = _stats(_timed(api, endpoint, args.repeat, **api_kw))
            api.cookies.clear()
            results[name] = {"page": p, "api": j, "ratio_p50": round(p["p50_ms"] / j["p50_ms"], 2)}
    print(json.dumps({"bids": args.bids, "repeat": args.repeat, "results": results}, indent=2))


if __name__ == "__main__":
    main()
