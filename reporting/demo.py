"""The reporting story: an accounting export in, VAT return and annual report out, receipted.

Told against a running gateway with its sandbox authorities: the tax
agency's simulator (SOAP, WS-Security; its portal stands in for skat.dk) and
the business authority's XBRL intake (Arelle).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import httpx

from gateway.demo import DemoContext, StepFailed
from gateway.signing.devca import KeyPaths

__all__ = ["TITLE", "story"]

TITLE = "Automatic business reporting: books in, VAT return and annual report delivered"

_YEAR = 2025
_PERIOD = f"{_YEAR}-Q3"

# The organisation's own accounts mapped to the taxonomy's concepts (data, kept with the org).
_CONCEPTS = {
    "1010": "fsa:Revenue",
    "1310": "fsa:RawMaterialsAndConsumablesUsed",
    "2210": "fsa:WagesAndSalaries",
    "2800": "fsa:OtherExternalExpenses",
    "3710": "fsa:TaxExpenseOnOrdinaryActivities",
    "5610": "fsa:ShorttermTradeReceivables",
    "5810": "fsa:CashAndCashEquivalents",
    "6110": "fsa:ContributedCapital",
    "6120": "fsa:RetainedEarnings",
    "6810": "fsa:ShorttermTradePayables",
}
_TRIAL_BALANCE = [
    ("1010", "Omsætning", "-820000,00"),
    ("1310", "Vareforbrug", "350000,00"),
    ("2210", "Lønninger", "260000,00"),
    ("2800", "Andre eksterne omkostninger", "70000,00"),
    ("3710", "Skat af årets resultat", "30800,00"),
    ("5610", "Tilgodehavender fra salg", "125000,00"),
    ("5810", "Likvide beholdninger", "240000,00"),
    ("6110", "Selskabskapital", "-40000,00"),
    ("6120", "Overført resultat", "-105800,00"),
    ("6810", "Leverandører af varer og tjenesteydelser", "-110000,00"),
]


def _journal() -> bytes:
    """A quarter's general-ledger journal as an accounting system exports it (CSV)."""
    rows = ["Voucher,Date,Account,Description,Debit,Credit,VAT code,VAT amount,Tax base"]
    voucher = 0
    for month in (7, 8, 9):
        for day, net in ((1, 40000), (15, 28000), (28 if month != 9 else 30, 52000)):
            voucher += 1
            when = date(_YEAR, month, day).isoformat()
            vat = net // 4
            rows += [
                f"{voucher},{when},5600,Faktura {voucher},{net + vat}.00,,,,",
                f"{voucher},{when},1010,Faktura {voucher},,{net}.00,U25,{vat}.00,{net}.00",
                f"{voucher},{when},7630,Faktura {voucher},,{vat}.00,,,",
            ]
        voucher += 1
        when = date(_YEAR, month, 10).isoformat()
        rows += [
            f"{voucher},{when},1610,Varekøb {voucher},24000.00,,I25,6000.00,24000.00",
            f"{voucher},{when},7640,Varekøb {voucher},6000.00,,,,",
            f"{voucher},{when},6810,Varekøb {voucher},,30000.00,,,",
        ]
    return ("\n".join(rows) + "\n").encode()


def _trial_balance() -> bytes:
    head = f"KONTONUMMER_{_YEAR}1231;KONTONAVN_{_YEAR}1231;VAERDI_{_YEAR}1231\n"
    return (head + "".join(f"{a};{n};{v}\n" for a, n, v in _TRIAL_BALANCE)).encode()


def _portal(ctx: DemoContext, action: str, **body: Any) -> Any:
    """What the company does on skat.dk, done on the sandbox agency's portal."""
    url = f"{ctx.container.settings.effective_sandbox_url}/skat/_portal/{action}"
    return ctx.expect(httpx.post(url, json=body, timeout=30), 200)


def _report(ctx: DemoContext, report_id: str, headers: dict[str, str]) -> Any:
    return ctx.expect(ctx.http.get(f"/v1/reports/{report_id}", headers=headers), 200)


def story(ctx: DemoContext) -> None:
    http = ctx.http
    with ctx.step("A company's accounting system exports its books for the third quarter"):
        org = ctx.new_org("Demo Handel ApS", "reporter")
        h = org.headers("reporter")
        ledger = ctx.expect(
            http.post(
                "/v1/ledgers?profile=generic-gl&filename=journal-q3.csv",
                content=_journal(),
                headers=h,
            ),
            201,
        )
        ctx.say(
            f"{org.name} (CVR {org.cvr}) pushes its journal: ledger version {ledger['version']}, "
            f"{ledger['counts']['transactions']} vouchers, {ledger['counts']['lines']} lines, "
            f"{ledger['period_start']}..{ledger['period_end']}"
        )
        again = ctx.expect(
            http.post("/v1/ledgers?profile=generic-gl", content=_journal(), headers=h), 200
        )
        ctx.say(f"sending the same file again changes nothing (still version {again['version']})")

    with ctx.step(f"The gateway computes the VAT return for {_PERIOD}"):
        vat = ctx.expect(http.post("/v1/reports/vat", json={"period": _PERIOD}, headers=h), 201)
        fields = {k: v for k, v in vat["fields"].items() if v}
        ctx.say(f"from ledger {vat['ledger']['id'][:8]}… version {vat['ledger']['version']}")
        for name, value in fields.items():
            ctx.say(f"{name:<22} {value:>10,} DKK")
        if not fields.get("AfgiftTilsvar"):
            raise StepFailed("the return has no VAT payable")

    with ctx.step("It is sent to the tax agency as a draft (signed SOAP, WS-Security)"):
        keys = KeyPaths.under(ctx.container.settings.effective_keys_dir)
        _portal(ctx, "delegate", se=org.cvr, certificate_pem=keys.signing_cert.read_text())
        ctx.say("the company has delegated VAT reporting to the gateway's certificate on skat.dk")
        sent = ctx.expect(http.post(f"/v1/reports/vat/{vat['id']}/submit", headers=h), 202, 200)

        def delivered() -> Any:
            sub = _report(ctx, vat["id"], h)["submission"]
            if sub["status"] in ("rejected", "dead", "invalid"):
                raise StepFailed(f"submission {sub['status']}: {sub['last_error']}")
            return sub if sub["transmission_id"] else None

        sub = ctx.wait_for("the agency's draft", delivered)
        ctx.say(
            f"submission {sent['submission']['id'][:8]}…: the agency holds draft {sub['transmission_id']}"
        )

    with ctx.step("The company approves the draft; the gateway fetches the receipt"):
        _portal(ctx, "approve", transaction_id=sub["transmission_id"])
        ctx.say("approved on the portal, as the company would on skat.dk")

        def receipted() -> Any:
            sub = _report(ctx, vat["id"], h)["submission"]
            if sub["status"] in ("rejected", "dead"):
                raise StepFailed(f"submission {sub['status']}: {sub['last_error']}")
            return sub["receipt"]

        receipt = ctx.wait_for("the VAT receipt", receipted, timeout=120)
        ctx.say(
            f"receipt for draft {receipt['draft_id']}: {receipt['amount_due']} DKK due by "
            f"{receipt['payment_deadline']}, OCR {receipt['ocr_line']}"
        )

    with ctx.step(f"The year-end trial balance becomes the {_YEAR} annual report in XBRL"):
        tb = ctx.expect(
            http.post(
                "/v1/ledgers?profile=regnskab-basis&filename=regnskab-basis.csv",
                content=_trial_balance(),
                headers=h,
            ),
            201,
        )
        ctx.say(f"Regnskab Basis trial balance: {tb['counts']['accounts']} accounts")
        company = {
            "approval_date": f"{_YEAR + 1}-05-20",
            "general_meeting_date": f"{_YEAR + 1}-05-20",
            "chairman": "Dirigent Demosen",
            "auditor_assistance": "Ingen bistand",
        }
        annual = ctx.expect(
            http.post(
                "/v1/reports/annual",
                json={"year": _YEAR, "company": company, "accounts": _CONCEPTS},
                headers=h,
            ),
            201,
        )
        ctx.say(
            f"pre-check: {len(annual['validation']['precheck'])} finding(s); Arelle runs in a worker"
        )

        def validated() -> Any:
            shown = _report(ctx, annual["id"], h)
            if shown["status"] == "invalid":
                raise StepFailed(f"Arelle found errors: {shown['validation']}")
            return shown if shown["status"] == "valid" else None

        shown = ctx.wait_for("Arelle's validation", validated, timeout=180)
        errors = [f for f in shown["validation"]["arelle"]["findings"] if f["severity"] == "fatal"]
        ctx.say(
            f"Arelle (taxonomy {shown['validation']['arelle']['taxonomy']}): {len(errors)} errors"
        )

    with ctx.step("The annual report is delivered to the business authority and receipted"):
        ctx.expect(http.post(f"/v1/reports/annual/{annual['id']}/submit", headers=h), 202, 200)

        def erst_receipt() -> Any:
            sub = _report(ctx, annual["id"], h)["submission"]
            if sub["status"] in ("rejected", "dead"):
                raise StepFailed(f"submission {sub['status']}: {sub['last_error']}")
            return sub["receipt"]

        receipt = ctx.wait_for("the authority's receipt", erst_receipt, timeout=180)
        ctx.say(f"receipt {receipt['receipt_id']}: {receipt['validation']}")
