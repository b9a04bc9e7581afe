"""Benchmark: storing a checked SAF-T file as a ledger version (bulk inserts, one transaction).

Generates SAF-T 1.30 files of the given sizes and imports each into a fresh
database (SQLite, and PostgreSQL with ``--postgresql``) in its own subprocess,
so peak RSS is the import's alone. Beside it, the same file's check alone
(``adapters.check``: the first of the import's two reads) gives the floor:
the ratio says what storing costs on top of reading.

    .venv/bin/python bench/ledger_store.py [--lines 10000 100000] [--postgresql]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _child(kind: str, path: str, url: str) -> None:
    sys.path.insert(0, str(ROOT))
    started = time.perf_counter()
    if kind == "check":
        import adapters

        report = adapters.check(path)
        lines = report.counts["lines"]
    else:
        from gateway.db.migrate import upgrade
        from gateway.db.session import Database
        from gateway.tenancy.service import create_organisation

        upgrade(url)
        db = Database(url)
        with db.transaction() as s:
            org = create_organisation(s, cvr="12345674", name="Bench ApS", actor="bench")
            oid = org.id
        started = time.perf_counter()
        from adapters.service import import_ledger

        with db.transaction() as s:
            outcome = import_ledger(
                s,
                organisation_id=oid,
                organisation_cvr="12345674",
                organisation_name="Bench ApS",
                path=Path(path),
                actor="bench",
            )
            lines = outcome.ledger.counts["lines"]
    seconds = time.perf_counter() - started
    rss_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"lines": lines, "seconds": seconds, "peak_rss_mb": rss_kb / 1024}))


def _run(kind: str, path: Path, url: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(path), url],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        _child(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lines", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--postgresql", action="store_true")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from bench.ingest import _generator

    gen = _generator()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.lines:
            path = gen.write_saft(Path(tmp) / f"saft-{n}.xml", lines=n)
            floor = _run("check", path, "")
            backends = {"sqlite": f"sqlite:///{tmp}/store-{n}.sqlite"}
            pg = None
            if args.postgresql:
                from tests.support.services import fresh_postgres_database

                pg = fresh_postgres_database()
                backends["postgresql"] = pg.__enter__()
            try:
                for name, url in backends.items():
                    got = _run("store", path, url)
                    results.append(
                        row := {
                            "backend": name,
                            "lines": got["lines"],
                            "import_lines_per_second": round(got["lines"] / got["seconds"]),
                            "import_peak_rss_mb": round(got["peak_rss_mb"], 1),
                            "check_only_lines_per_second": round(floor["lines"] / floor["seconds"]),
                            "import_over_check_time": round(got["seconds"] / floor["seconds"], 2),
                        }
                    )
                    print(json.dumps(row), file=sys.stderr, flush=True)  # progress on long runs
            finally:
                if pg is not None:
                    pg.__exit__(None, None, None)
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
