"""Invoices built + validated + signed per second, beside bare validation; and AS4 throughput.

One measurement builds a Peppol BIS 3 invoice from the model (fresh number each
time), validates it with the official full Peppol plan (XSD + EN 16931 + Peppol
Schematron, via ``schemas.validation``), and signs it (XAdES, enveloped) with a
development RSA key. Beside it, in the same run, the bare validation of one
prebuilt invoice: ``ratio`` = full rate / bare validation rate. The AS4 figures
(messages per second between two access points on loopback, each verified by
its signed receipt, beside a plain-HTTP floor) come from ``bench/as4.py``.

    .venv/bin/python bench/invoices.py [--seconds 5] [--lines 20] [--as4-seconds 5]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gateway.settings import get_settings  # noqa: E402
from gateway.signing import init_keys, load_signing_identity, sign_ubl  # noqa: E402
from invoicing.builders import build_bis3  # noqa: E402
from invoicing.model import (  # noqa: E402
    Address,
    DocumentKind,
    Identifier,
    Invoice,
    InvoiceLine,
    Party,
    PaymentMeans,
    VatCategory,
)
from schemas.validation import Validator  # noqa: E402


def _party(cvr: str, name: str) -> Party:
    ident = Identifier(cvr, "0184")
    return Party(
        name=name,
        address=Address(country="DK", street="Vestergade 1", city="København", postal_zone="1456"),
        endpoint=ident,
        legal_id=ident,
        vat_id=f"DK{cvr}",
    )


def _invoice(lines: int) -> Invoice:
    today = date(2026, 11, 28)
    return Invoice(
        kind=DocumentKind.INVOICE,
        number="BENCH-0",
        issue_date=today,
        due_date=today + timedelta(days=30),
        currency="DKK",
        seller=_party("12345674", "Leverandøren ApS"),
        buyer=_party("29189846", "Kommunen"),
        buyer_reference="PO-1",
        order_reference="PO-1",
        lines=tuple(
            InvoiceLine(
                id=str(i),
                quantity=Decimal(i % 7 + 1),
                unit_code="EA",
                net_price=Decimal("99.95") + i,
                item_name=f"Vare {i}",
                seller_item_id=f"SKU-{i}",
                vat_category=VatCategory.STANDARD if i % 5 else VatCategory.ZERO_RATED,
                vat_rate=Decimal("25") if i % 5 else Decimal("0"),
                order_line_ref=str(i),
            )
            for i in range(1, lines + 1)
        ),
        payment_means=(PaymentMeans(code="42", account_id="4401162431", institution_id="0040"),),
    )


def _rate(seconds: float, work: object) -> tuple[int, float]:
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        work(count)  # type: ignore[operator]
        count += 1
    return count, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5.0, help="time budget per measurement")
    parser.add_argument("--lines", type=int, default=20, help="invoice lines")
    parser.add_argument("--as4-seconds", type=float, default=5.0, help="AS4 time budget")
    parser.add_argument("--artefacts", type=Path, default=None, help="artefact directory")
    args = parser.parse_args()

    validator = Validator(args.artefacts or get_settings().effective_artefacts_dir)
    base = _invoice(args.lines)
    prebuilt = build_bis3(base)
    report = validator.validate(prebuilt)  # compiles the plan once, outside the timing
    if not report.valid:
        raise SystemExit(f"the bench invoice is invalid: {report.findings[:3]}")
    with tempfile.TemporaryDirectory() as tmp:
        init_keys(Path(tmp), org_name="Bench")
        identity = load_signing_identity(Path(tmp) / "signing.p12")

        def full(i: int) -> None:
            xml = build_bis3(replace(base, number=f"BENCH-{i}"))
            if not validator.validate(xml).valid:
                raise SystemExit("a built invoice failed validation")
            sign_ubl(xml, identity)

        def bare(_: int) -> None:
            validator.validate(prebuilt)

        full_n, full_s = _rate(args.seconds, full)
        bare_n, bare_s = _rate(args.seconds, bare)
    as4 = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "as4.py"), "--seconds", str(args.as4_seconds)],
        cwd=str(ROOT),
        capture_output=True,
        text=True,
        check=True,
    )
    as4_figures = json.loads(as4.stdout)
    full_rate, bare_rate = full_n / full_s, bare_n / bare_s
    print(
        json.dumps(
            {
                "benchmark": "invoices_built_validated_signed",
                "plan": report.plan,
                "invoice_lines": args.lines,
                "document_bytes": len(prebuilt),
                "built_validated_signed": {
                    "invoices": full_n,
                    "seconds": round(full_s, 3),
                    "per_second": round(full_rate, 1),
                },
                "bare_validation": {
                    "validations": bare_n,
                    "seconds": round(bare_s, 3),
                    "per_second": round(bare_rate, 1),
                },
                "ratio_full_to_bare_validation": round(full_rate / bare_rate, 3),
                "as4_between_access_points": {
                    "messages_per_second": as4_figures["as4"]["per_second"],
                    "failed": as4_figures["as4"]["failed"],
                    "floor_plain_http_per_second": as4_figures["floor_plain_http_post"][
                        "per_second"
                    ],
                    "ratio_as4_to_floor": as4_figures["ratio_as4_to_floor"],
                    "message_bytes": as4_figures["message_bytes"],
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
