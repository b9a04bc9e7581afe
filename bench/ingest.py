"""Benchmark: streaming SAF-T 1.30 ingest against plain lxml iterparse over the same file.

Generates files of 10k, 100k and 1M transaction lines (``--no-1m`` leaves the
largest out), then measures each reader in its own subprocess so peak RSS is
that reader's alone. Prints JSON: lines per second, peak RSS, and our ratio to
lxml in the same run. ``--artefacts-dir`` adds a run with XSD validation.

    .venv/bin/python bench/ingest.py [--no-1m] [--artefacts-dir var/artefacts] [--keep DIR]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NS = "{urn:StandardAuditFile-Taxation-Financial:NO}"


def _generator():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "saft_fixture", ROOT / "tests" / "adapters" / "saft_fixture.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["saft_fixture"] = module
    spec.loader.exec_module(module)
    return module


def _child(kind: str, path: str, artefacts: str | None) -> None:
    """Runs in the subprocess: read the file once, print one JSON line."""
    started, cpu = time.perf_counter(), time.process_time()
    if kind == "lxml":
        from lxml import etree

        lines = 0
        for _, el in etree.iterparse(path, events=("end",), tag=(NS + "Line", NS + "Transaction")):
            if el.tag == NS + "Line":
                lines += 1
                continue
            el.clear()
            parent = el.getparent()
            while el.getprevious() is not None:
                del parent[0]
        ok = True
    else:
        sys.path.insert(0, str(ROOT))
        import adapters

        report = adapters.check(
            path,
            artefacts_dir=Path(artefacts) if artefacts else None,
            validate_schema=bool(artefacts),
        )
        lines, ok = report.counts["lines"], report.ok
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "lines": lines,
                "ok": ok,
                "seconds": wall,
                "cpu_seconds": cpu,
                "peak_rss_mib": peak_kib / 1024,
            }
        )
    )


def _measure(kind: str, path: Path, artefacts: Path | None = None) -> dict[str, float]:
    cmd = [sys.executable, __file__, "--child", kind, str(path)]
    if artefacts is not None:
        cmd += ["--artefacts-dir", str(artefacts)]
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    result = json.loads(out.strip().splitlines()[-1])
    result["lines_per_second"] = result["lines"] / result["seconds"]
    # CPU time is the steadier figure on a shared machine; wall time is what a user waits.
    result["lines_per_cpu_second"] = result["lines"] / max(result["cpu_seconds"], 1e-9)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-1m", action="store_true", help="leave out the 1M-line file")
    parser.add_argument("--artefacts-dir", type=Path, help="also measure with XSD validation")
    parser.add_argument("--keep", type=Path, help="write the files here and keep them")
    parser.add_argument("--child", nargs=2, metavar=("KIND", "FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(
            args.child[0], args.child[1], str(args.artefacts_dir) if args.artefacts_dir else None
        )
        return
    sizes = [10_000, 100_000] + ([] if args.no_1m else [1_000_000])
    gen = _generator()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for size in sizes:
            path = folder / f"saft-1.30-{size}.xml"
            t0 = time.perf_counter()
            gen.write_saft(path, lines=size)
            row: dict[str, object] = {
                "lines": size,
                "file_mib": round(path.stat().st_size / 2**20, 1),
                "generate_seconds": round(time.perf_counter() - t0, 2),
            }
            ours = _measure("ours", path)
            base = _measure("lxml", path)
            row["ours"] = ours
            row["lxml_iterparse"] = base
            row["speed_ratio_ours_to_lxml"] = round(
                ours["lines_per_second"] / base["lines_per_second"], 3
            )
            row["cpu_ratio_ours_to_lxml"] = round(
                ours["lines_per_cpu_second"] / base["lines_per_cpu_second"], 3
            )
            row["rss_ratio_ours_to_lxml"] = round(ours["peak_rss_mib"] / base["peak_rss_mib"], 2)
            if args.artefacts_dir:
                checked = _measure("ours", path, args.artefacts_dir)
                row["ours_with_xsd"] = checked
                row["speed_ratio_xsd_to_lxml"] = round(
                    checked["lines_per_second"] / base["lines_per_second"], 3
                )
                row["cpu_ratio_xsd_to_lxml"] = round(
                    checked["lines_per_cpu_second"] / base["lines_per_cpu_second"], 3
                )
            results.append(row)
            print(json.dumps(row), file=sys.stderr)
    print(json.dumps({"benchmark": "adapters.ingest saft-1.30", "results": results}, indent=2))


if __name__ == "__main__":
    main()
