"""SAF-T export: streamed writing against holding the same document as one tree.

Prints JSON: for N transactions, the export's CPU time (the machine may be shared) and peak memory (max RSS
of a child process), and the same figures for the peer, which builds the whole
document as an lxml tree before writing it. The ratios are what to watch: the
streamed export's memory should stay flat as N grows, the tree's grows with N.

    .venv/bin/python bench/saft_export.py [transactions ...]
"""

from __future__ import annotations

import json
import multiprocessing as mp
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from lxml import etree

from adapters.ledger import (
    Account,
    AccountType,
    Header,
    Journal,
    Ledger,
    Line,
    Party,
    PartyKind,
    TaxCode,
    Transaction,
)
from reporting.saft_export import export_saft


def _ledger(n: int) -> Ledger:
    ledger = Ledger(
        Header("12345678", "Bench ApS", "DKK", date(2026, 1, 1), date(2026, 12, 31), "bench")
    )
    for acc, kind in (
        ("1010", AccountType.INCOME),
        ("6100", AccountType.ASSET),
        ("8020", AccountType.LIABILITY),
    ):
        ledger.accounts[acc] = Account(acc, f"Account {acc}", kind)
    ledger.parties["customer:K1"] = Party("K1", PartyKind.CUSTOMER, "Kunde A/S")
    ledger.tax_codes["U25"] = TaxCode("U25", "Salgsmoms", Decimal(25), "3")
    ledger.journals["SALG"] = Journal("SALG", "Salg", "sales")
    for i in range(n):
        net = Decimal(100 + i % 900) + Decimal("0.25")
        vat = net / 4
        ledger.transactions.append(
            Transaction(
                f"T{i}",
                "SALG",
                date(2026, 1, 1) + timedelta(days=i % 365),
                (
                    Line(f"{i}-1", "6100", net + vat, "Invoice", party_id="K1"),
                    Line(f"{i}-2", "1010", -net, "Invoice", "U25", -net, -vat),
                    Line(f"{i}-3", "8020", -vat, "Invoice"),
                ),
            )
        )
    return ledger


def _peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _streamed(n: int, out: Path, queue: mp.Queue) -> None:
    ledger = _ledger(n)
    base = _peak_kib()
    start = time.process_time()
    export_saft(ledger, out)
    queue.put((time.process_time() - start, _peak_kib() - base))


def _tree(n: int, out: Path, queue: mp.Queue) -> None:
    # The peer: the same document held as one tree (read back from the streamed file
    # so both write identical content), then serialised.
    ledger = _ledger(n)
    export_saft(ledger, out)
    base = _peak_kib()
    start = time.process_time()
    parser = etree.XMLParser(huge_tree=True, resolve_entities=False, no_network=True)
    tree = etree.parse(str(out), parser)  # our own file, written above
    tree.write(str(out.with_suffix(".tree.xml")), encoding="UTF-8", xml_declaration=True)
    queue.put((time.process_time() - start, _peak_kib() - base))


def _run(target: Callable[..., None], n: int, out: Path) -> tuple[float, int]:
    queue: mp.Queue = mp.Queue()
    proc = mp.Process(target=target, args=(n, out, queue))
    proc.start()
    result = queue.get()
    proc.join()
    return result


def main(sizes: list[int]) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            out = Path(tmp) / f"saft-{n}.xml"
            s_time, s_mem = _run(_streamed, n, out)
            t_time, t_mem = _run(_tree, n, out)
            rows.append(
                {
                    "transactions": n,
                    "file_mib": round(out.stat().st_size / 2**20, 1),
                    "streamed": {"cpu_seconds": round(s_time, 2), "extra_rss_kib": s_mem},
                    "tree_peer": {"cpu_seconds": round(t_time, 2), "extra_rss_kib": t_mem},
                    "memory_ratio_tree_over_streamed": round(t_mem / max(s_mem, 1), 1),
                    "transactions_per_cpu_second": round(n / s_time),
                }
            )
    print(json.dumps({"benchmark": "saft_export", "runs": rows}, indent=2))


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [20_000, 100_000])
