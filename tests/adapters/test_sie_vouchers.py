"""Real SIE exports off the happy path: 4I files, empty vouchers, a saved web page."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

import adapters
from adapters.ledger import LedgerBuilder
from adapters.problems import VOUCHERS_ONLY

Org = tuple[str, dict[str, str]]

# Vouchers for import into the year of typ4.se (2012): no #RAR, no balances.
FOUR_I = """#FLAGGA 0
#PROGRAM "Kassaprogram" "2.1"
#FORMAT PC8
#GEN 20121010
#SIETYP 4
#ORGNR "000000-0000"
#FNAMN "Ovningsforetaget AB"
#KONTO 1910 "Kassa"
#KONTO 3010 "Forsaljning"
#VER K 9001 20121009 "Kontantforsaljning"
{
#TRANS 1910 {} 1250.00
#TRANS 3010 {} -1250.00
}
#VER K 9002 20121010 "Kontantforsaljning"
{
#TRANS 1910 {} 80.50
#TRANS 3010 {} -80.50
}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("cp437"))
    return path


def test_a_4i_file_alone_is_refused_naming_what_it_is(tmp_path: Path) -> None:
    report = adapters.check(_write(tmp_path, "kassa.si", FOUR_I))
    errors = [p for p in report.problems if p.severity == "error"]
    assert [p.code for p in errors] == [VOUCHERS_ONLY]
    assert "type 4I" in errors[0].message
    assert not any("has no header" in p.message for p in report.problems)


def test_a_4i_file_with_its_period_named_reads_its_vouchers(tmp_path: Path) -> None:
    path = _write(tmp_path, "kassa.si", FOUR_I)
    period = {"period_start": "2012-01-01", "period_end": "2012-12-31"}
    ledger = LedgerBuilder().extend(adapters.read(path, header_defaults=period)).build()
    assert ledger.header.period_end.isoformat() == "2012-12-31"
    assert [tx.transaction_id for tx in ledger.transactions] == ["K 9001", "K 9002"]


def test_a_4i_file_is_added_to_the_stored_year_as_its_next_version(
    client: TestClient, org: Callable[..., Org], sie_dir: Path, tmp_path: Path
) -> None:
    _, h = org()
    year = (sie_dir / "typ4.se").read_bytes()
    first = client.post("/v1/ledgers?filename=typ4.se", content=year, headers=h).json()
    r = client.post("/v1/ledgers?filename=kassa.si", content=FOUR_I.encode("cp437"), headers=h)
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["period_start"], body["period_end"]) == (
        first["period_start"],
        first["period_end"],
    )
    assert body["version"] == first["version"] + 1
    assert body["counts"]["transactions"] == first["counts"]["transactions"] + 2
    after = client.get(f"/v1/ledgers/{body['id']}", headers=h).json()["trial_balance"]
    before = client.get(f"/v1/ledgers/{first['id']}", headers=h).json()["trial_balance"]

    def movements(rows: list[dict[str, object]], account: str) -> Decimal:
        return Decimal(str(next(r for r in rows if r["account_id"] == account)["movements"]))

    assert movements(after, "1910") - movements(before, "1910") == Decimal("1330.50")
    assert movements(after, "3010") - movements(before, "3010") == Decimal("-1330.50")


def test_a_4i_file_outside_every_stored_year_names_its_dates(
    client: TestClient, org: Callable[..., Org]
) -> None:
    _, h = org()
    r = client.post("/v1/ledgers?filename=kassa.si", content=FOUR_I.encode("cp437"), headers=h)
    assert r.status_code == 422, r.text
    assert "2012-10-09" in r.text and "2012-10-10" in r.text
    assert client.get("/v1/ledgers", headers=h).json()["items"] == []


def test_a_4i_voucher_already_in_the_year_is_refused_and_nothing_is_stored(
    client: TestClient, org: Callable[..., Org], sie_dir: Path
) -> None:
    _, h = org()
    year = (sie_dir / "typ4.se").read_bytes()
    client.post("/v1/ledgers?filename=typ4.se", content=year, headers=h)
    again = FOUR_I.replace("#VER K 9002 20121010", "#VER 1 2 20121010")
    r = client.post("/v1/ledgers?filename=dup.si", content=again.encode("cp437"), headers=h)
    assert r.status_code == 422, r.text
    assert "voucher 1 2 is already in ledger version 1" in r.text
    assert len(client.get("/v1/ledgers", headers=h).json()["items"]) == 1


def test_an_empty_voucher_is_kept_with_a_warning(sie_dir: Path, tmp_path: Path) -> None:
    text = (sie_dir / "transaktioner_ovnbolag.se").read_bytes().decode("cp437")
    text += '#VER A 999 20190101 "Makuleret"\n{\n}\n'
    report = adapters.check(_write(tmp_path, "year.se", text))
    assert report.ok, report.problems
    empty = [p for p in report.problems if p.code == "empty-voucher"]
    assert len(empty) == 1 and empty[0].severity == "warning"
    assert empty[0].element == "voucher A 999"


@pytest.mark.parametrize(
    "page",
    [
        "<!DOCTYPE html>\n<html><head><title>Export</title></head><body>SIE</body></html>",
        "<html lang='sv'><body>#FLAGGA 0</body></html>",
        "\n  <!-- saved from url=(0040)https://example.invalid/ -->\n<HTML><BODY></BODY></HTML>",
    ],
)
def test_a_saved_web_page_is_named_as_such(tmp_path: Path, page: str) -> None:
    path = tmp_path / "export.se"
    path.write_text(page, encoding="utf-8")
    with pytest.raises(adapters.UnknownFormat) as caught:
        adapters.check(path)
    assert "an HTML page, not an export" in str(caught.value)
