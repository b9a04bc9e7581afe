"""The validation story: the official verdict on two invoices, and a signature made and checked."""

from __future__ import annotations

from decimal import Decimal

from lxml import etree

from gateway.demo import DemoContext, StepFailed

__all__ = ["TITLE", "story"]

TITLE = "Validation and signatures: the official rules, in process"

_EXAMPLE = "en16931-ubl-1.3.16/examples/ubl-tc434-example1.xml"
_CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


def _break_total(xml: bytes) -> tuple[bytes, str, str]:
    """The same invoice with its payable amount raised by 100 (a typo a person could make)."""
    root = etree.fromstring(xml)  # our own trusted artefact, already validated above
    payable = root.find(f".//{{{_CBC}}}PayableAmount")
    if payable is None or payable.text is None:
        raise StepFailed("the example has no PayableAmount")
    before = payable.text
    payable.text = str(Decimal(before) + 100)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), before, payable.text


def story(ctx: DemoContext) -> None:
    with ctx.step("An accounting system checks an invoice before sending it"):
        org = ctx.new_org("Demo Invoicing ApS", "supplier")
        example = (ctx.container.settings.effective_artefacts_dir / _EXAMPLE).read_bytes()
        report = ctx.expect(
            ctx.http.post("/v1/validate", content=example, headers=org.headers("supplier")), 200
        )
        ctx.say(f"official example invoice: plan {report['plan']}, valid = {report['valid']}")
        ms = ", ".join(f"{k} {v:.0f} ms" for k, v in report["timings_ms"].items())
        ctx.say(f"layers: {ms}")
        if not report["valid"]:
            raise StepFailed(f"the official example should be valid: {report['findings'][:2]}")
    with ctx.step("A broken invoice is caught, with the rule that it breaks"):
        broken, before, after = _break_total(example)
        ctx.say(f"PayableAmount changed from {before} to {after}")
        report = ctx.expect(
            ctx.http.post("/v1/validate", content=broken, headers=org.headers("supplier")), 200
        )
        fatal = [f for f in report["findings"] if f["severity"] == "fatal"]
        if report["valid"] or not fatal:
            raise StepFailed("the broken invoice passed")
        for f in fatal[:3]:
            ctx.say(f"{f['rule']} ({f.get('ruleset', '')}): {f['message'][:160]}")
    with ctx.step("The gateway signs the invoice it sends (XAdES in UBLExtensions)"):
        sub = ctx.expect(
            ctx.http.post(
                "/v1/submissions?kind=invoice_copy&recipient=sandbox-authority",
                content=example,
                headers={**org.headers("supplier"), "Content-Type": "application/xml"},
            ),
            201,
        )

        def signed() -> bool:
            cur = ctx.http.get(
                f"/v1/submissions/{sub['id']}", headers=org.headers("supplier")
            ).json()
            if cur["status"] in ("invalid", "rejected", "dead"):
                raise StepFailed(f"submission ended {cur['status']}: {cur['last_error']}")
            return cur["status"] == "acknowledged"

        ctx.wait_for("delivery", signed, timeout=90)
        signed_doc = ctx.expect(
            ctx.http.get(f"/v1/submissions/{sub['id']}/signature", headers=org.headers("supplier")),
            200,
        )
        ctx.say(f"signed document: {len(signed_doc)} bytes (was {len(example)})")
        receipt = ctx.expect(
            ctx.http.get(f"/v1/submissions/{sub['id']}/receipt", headers=org.headers("supplier")),
            200,
        )
        ctx.say(f"the authority checked it: {receipt['receipt'].get('signature')}")
    with ctx.step("Anyone can verify the signature; a changed byte is refused"):
        good = ctx.expect(
            ctx.http.post(
                "/v1/signatures/verify", content=signed_doc, headers=org.headers("supplier")
            ),
            200,
        )
        if not good["valid"]:
            raise StepFailed(f"our own signature did not verify: {good['reason']}")
        ctx.say(f"valid, signed by {good['signer']} at {good['signing_time']}")
        tampered = signed_doc.replace(b"<cbc:Note>", b"<cbc:Note>X", 1)
        if tampered == signed_doc:
            tampered = signed_doc.replace(b"EUR", b"DKK", 1)
        bad = ctx.expect(
            ctx.http.post(
                "/v1/signatures/verify", content=tampered, headers=org.headers("supplier")
            ),
            200,
        )
        if bad["valid"]:
            raise StepFailed("a tampered document verified")
        ctx.say(f"tampered copy refused: {bad['refusal']}: {bad['reason']}")
