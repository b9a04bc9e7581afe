"""The kernel's demo story: a document submitted, delivered, receipted, audited."""

from __future__ import annotations

from gateway.audit.service import verify_chains
from gateway.demo import DemoContext, StepFailed

__all__ = ["story"]

TITLE = "Submission pipeline: a document delivered to an authority"

_DOCUMENT = b"""<?xml version="1.0" encoding="UTF-8"?>
<Notification xmlns="urn:example:demo">
  <Subject>Quarterly statistics</Subject>
  <Value currency="DKK">125000.00</Value>
</Notification>
"""


def story(ctx: DemoContext) -> None:
    with ctx.step("Create an organisation and an API key"):
        org = ctx.new_org("Demo Reporting ApS", "reporter", "auditor")
        ctx.say(f"organisation {org.name}, CVR {org.cvr}; keys for roles reporter and auditor")
    with ctx.step("Submit a document for the sandbox authority"):
        sub = ctx.expect(
            ctx.http.post(
                "/v1/submissions?kind=statistics&recipient=sandbox-authority",
                content=_DOCUMENT,
                headers={
                    **org.headers("reporter"),
                    "Content-Type": "application/xml",
                    "Idempotency-Key": "demo-stats-1",
                },
            ),
            201,
        )
        ctx.say(
            f"submission {sub['id']} accepted, status {sub['status']}, SHA-256 {sub['payload_hash'][:16]}…"
        )
        ctx.say(f"route: {sub['channel']} → {sub['endpoint']}")
    with ctx.step("Watch it travel through the pipeline"):
        seen: list[str] = []

        def delivered() -> bool:
            cur = ctx.http.get(
                f"/v1/submissions/{sub['id']}", headers=org.headers("reporter")
            ).json()
            if not seen or seen[-1] != cur["status"]:
                seen.append(cur["status"])
                ctx.say(f"status: {cur['status']}")
            if cur["status"] in ("invalid", "rejected", "dead"):
                raise StepFailed(f"submission ended {cur['status']}: {cur['last_error']}")
            return bool(cur["status"] == "acknowledged")

        ctx.wait_for("the receipt", delivered, timeout=90)
    with ctx.step("Fetch the authority's receipt"):
        receipt = ctx.expect(
            ctx.http.get(f"/v1/submissions/{sub['id']}/receipt", headers=org.headers("reporter")),
            200,
        )
        r = receipt["receipt"]
        ctx.say(
            f"receipt {r['receipt_id']} from {r['authority']}: {r['status']} at {r['received_at']}"
        )
        if r["sha256"] != sub["payload_hash"]:
            raise StepFailed("the authority received other bytes than we sent")
        ctx.say("the authority's SHA-256 of what it received matches ours")
    with ctx.step("Verify the audit chain"):
        entries = ctx.expect(ctx.http.get("/v1/audit", headers=org.headers("auditor")), 200)[
            "items"
        ]
        ctx.say(f"{len(entries)} audit entries for the organisation, e.g. {entries[-1]['action']}")
        with ctx.container.db.transaction() as s:
            total, breaks = verify_chains(s)
        if breaks:
            raise StepFailed(f"audit chain broken: {breaks[0]}")
        ctx.say(f"every chain intact ({total} entries recomputed)")
