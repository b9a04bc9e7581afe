"""Validation throughput over the official examples and generated invoices, all in one run.

Prints one JSON object: documents per CPU-second for each layer (hardened parse,
parse + XSD, EN 16931 rules, Peppol rules, full plan) with the gateway's Saxon
path and with the compiled engine, and for the same XSLTs run in a plain
saxonche loop, with ratios between them. The same four figures (floor = parse +
XSD, bare saxonche, gateway Saxon, compiled) follow for generated Peppol invoices
of 1, 10, 100 and 1,000 lines. ``--large N,...`` adds, each in a fresh process,
time and peak memory to validate one generated invoice of N lines (100,000 lines
is about 100 MB; not for CI).

    .venv/bin/python bench/validate.py [--artefacts DIR] [--rounds N] [--large 10000,100000]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import saxonche
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench import sign as _sign_bench  # noqa: E402
from schemas import engine, plans, xmlsafe  # noqa: E402
from schemas.validation import Validator  # noqa: E402

PLAN = "peppol-billing-3@2025.5"

# Hook for other throughput figures measured over the same documents, e.g.
# "signatures per second" / "verifications per second" from gateway/signing/.
# Each entry: name -> function(documents) -> figures (dict, JSON-ready).
EXTRA_BENCHMARKS: dict[str, Callable[[list[bytes]], dict[str, Any]]] = {
    # The first official example: signing and verifying it beside raw RSA and C14N.
    "signatures": lambda docs: _sign_bench.measure(docs[0], 1.0, name="first official example"),
}


def _documents(artefacts: Path) -> list[bytes]:
    folders = [
        artefacts / "en16931-ubl-1.3.16" / "examples",
        artefacts / "peppol-bis-billing-3" / "examples",
    ]
    docs = []
    for folder in folders:
        for path in sorted(folder.iterdir()):
            data = path.read_bytes()
            root = xmlsafe.parse(data).getroot()
            if etree.QName(root).localname in ("Invoice", "CreditNote"):
                docs.append(data)
    return docs


def _rates(
    fns: dict[str, Callable[[bytes], object]], docs: list[bytes], rounds: int
) -> dict[str, float]:
    """Documents per CPU-second for each function, measured in interleaved rounds.

    CPU time (all threads of this process) rather than wall time, and interleaving,
    keep the figures comparable when other work shares the machine.
    """
    for fn in fns.values():  # warm-up: compile and load caches outside the timing
        for d in docs:
            fn(d)
    spent = dict.fromkeys(fns, 0.0)
    for _ in range(rounds):
        for name, fn in fns.items():
            start = time.process_time()
            for d in docs:
                fn(d)
            spent[name] += time.process_time() - start
    return {name: round(len(docs) * rounds / spent[name], 1) for name in fns}


def _bare_saxon(paths: list[Path]) -> Callable[[bytes], object]:
    # On the engine's Saxon thread, as the gateway's calls are (saxonche's isolate is per thread).
    def setup() -> tuple[saxonche.PySaxonProcessor, list[saxonche.PyXsltExecutable]]:
        proc = saxonche.PySaxonProcessor(license=False)
        xslt = proc.new_xslt30_processor()
        return proc, [xslt.compile_stylesheet(stylesheet_file=str(p)) for p in paths]

    proc, executables = engine.on_saxon_thread(setup)

    def transform(data: bytes) -> object:
        node = proc.parse_xml(xml_text=data.decode("utf-8"))
        return [e.transform_to_string(xdm_node=node) for e in executables]

    def run(data: bytes) -> object:
        return engine.on_saxon_thread(transform, data)

    return run


def _generated(lines: int) -> bytes:
    from bench.invoices import _invoice
    from invoicing.builders import build_bis3

    return build_bis3(_invoice(lines))


def _sizes(artefacts: Path, validator: Validator, compiled: Validator) -> dict[str, Any]:
    """Floor, bare saxonche, gateway Saxon and compiled on generated invoices of 1 to 1,000 lines."""
    plan = plans.resolve(PLAN)
    en, peppol = plan.rules_for("Invoice")
    bare = _bare_saxon([artefacts / en.path, artefacts / peppol.path])
    xsd_path = artefacts / (plan.schema_for("Invoice") or "")
    out: dict[str, Any] = {}
    for lines, rounds in ((1, 20), (10, 10), (100, 3), (1000, 1)):
        doc = _generated(lines)
        if not validator.validate(doc, plan=PLAN).valid:
            raise SystemExit(f"the generated {lines}-line invoice is invalid")
        rates = _rates(
            {
                "floor_parse_xsd": lambda d: engine.schema(xsd_path).errors(xmlsafe.parse(d)),
                "bare_saxonche": bare,
                "gateway_saxon": lambda d: validator.validate(d, plan=PLAN),
                "compiled": lambda d: compiled.validate(d, plan=PLAN),
            },
            [doc],
            rounds,
        )
        out[f"{lines}_lines"] = {
            "bytes": len(doc),
            "docs_per_second": rates,
            "compiled_vs_bare_saxonche": round(rates["compiled"] / rates["bare_saxonche"], 2),
            "compiled_vs_gateway_saxon": round(rates["compiled"] / rates["gateway_saxon"], 2),
            "floor_vs_compiled": round(rates["floor_parse_xsd"] / rates["compiled"], 2),
        }
    return out


def _large_one(artefacts: Path, lines: int, engine_name: str) -> None:
    """Child process: validate one generated invoice; print seconds, peak RSS, verdict."""
    import resource

    doc = _generated(lines)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    validator = Validator(
        artefacts, engine=engine_name, limits=xmlsafe.XmlLimits(max_bytes=len(doc) + 1024)
    )
    start = time.process_time()
    report = validator.validate(doc, plan=PLAN)
    spent = time.process_time() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {
                "bytes": len(doc),
                "cpu_seconds": round(spent, 2),
                "peak_rss_mb_before": round(before / 1024, 1),
                "peak_rss_mb": round(peak / 1024, 1),
                "valid": report.valid,
            }
        )
    )


def _large(artefacts: Path, sizes: list[int]) -> dict[str, Any]:
    import subprocess

    out: dict[str, Any] = {}
    for lines in sizes:
        for engine_name in ("saxon", "compiled"):
            child = subprocess.run(
                [
                    sys.executable,
                    __file__,
                    "--artefacts",
                    str(artefacts),
                    "--large-child",
                    f"{lines}:{engine_name}",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            last = child.stdout.strip().splitlines()[-1:] or ["{}"]
            out[f"{lines}_lines_{engine_name}"] = (
                json.loads(last[0]) if child.returncode == 0 else {"error": child.stderr[-500:]}
            )
    return out


def _serve(artefacts: Path, docs: list[bytes], counts: list[int], rounds: int) -> dict[str, Any]:
    """Documents per wall-second through ``gateway validate --serve`` for each worker count."""
    import threading

    import httpx

    from gateway.cli.validate_serve import ValidationServer

    out: dict[str, Any] = {}
    for workers in counts:
        server = ValidationServer(artefacts, port=0, workers=workers)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{server.port}/validate"

        def send_all(client_docs: list[bytes], url: str = url) -> None:
            with httpx.Client(timeout=600) as client:
                for d in client_docs:
                    client.post(url, content=d).raise_for_status()

        def run(batch: list[bytes], send_all: Any = send_all) -> float:
            clients = [threading.Thread(target=send_all, args=(batch[i::4],)) for i in range(4)]
            start = time.perf_counter()
            for c in clients:
                c.start()
            for c in clients:
                c.join()
            return time.perf_counter() - start

        for _ in range(workers):  # every worker compiles once outside the timing
            run(docs)
        spent = sum(run(docs) for _ in range(rounds))
        out[f"{workers}_workers"] = round(len(docs) * rounds / spent, 1)
        server.close()
    first = out[f"{counts[0]}_workers"]
    out["scaling_vs_first"] = {k: round(v / first, 2) for k, v in out.items() if k.endswith("s")}
    out["measure"] = "documents per wall-second, 4 concurrent clients, this machine's cores"
    return out


def main() -> None:
    default = os.environ.get("GW_ARTEFACTS_DIR", str(ROOT / "var" / "artefacts"))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--artefacts", type=Path, default=Path(default))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--large", default="", help="comma-separated line counts (not for CI)")
    parser.add_argument("--large-child", default="", help=argparse.SUPPRESS)
    parser.add_argument("--only-serve", action="store_true", help="only the --serve figures")
    parser.add_argument("--no-extra", action="store_true", help="skip the signature figures")
    parser.add_argument(
        "--serve-workers", default="", help="e.g. 1,2: throughput of --serve per worker count"
    )
    args = parser.parse_args()
    artefacts: Path = args.artefacts
    if args.large_child:
        lines, engine_name = args.large_child.split(":")
        _large_one(artefacts, int(lines), engine_name)
        return
    docs = _documents(artefacts)
    if args.only_serve:
        counts = [int(n) for n in (args.serve_workers or "1,2").split(",") if n]
        print(json.dumps({"serve": _serve(artefacts, docs, counts, args.rounds)}, indent=2))
        return
    validator = Validator(artefacts)
    compiled = Validator(artefacts, engine="compiled")
    plan = plans.resolve(PLAN)
    en, peppol = plan.rules_for("Invoice")

    def xsd(data: bytes) -> object:
        tree = xmlsafe.parse(data)
        root = etree.QName(tree.getroot()).localname
        path = plan.schema_for(root)
        assert path is not None
        return engine.schema(artefacts / path).errors(tree)

    def layer(ruleset: plans.RuleSet) -> Callable[[bytes], object]:
        def run(data: bytes) -> object:
            text = etree.tostring(xmlsafe.parse(data), encoding="unicode")
            return validator.run_rules(ruleset, text)

        return run

    def compiled_layer(ruleset: plans.RuleSet) -> Callable[[bytes], object]:
        def run(data: bytes) -> object:
            tree = xmlsafe.parse(data)
            return compiled.run_compiled(
                ruleset,
                tree,
                lambda: engine.saxon_document(etree.tostring(tree, encoding="unicode")),
            )

        return run

    measured = _rates(
        {
            "parse": xmlsafe.parse,
            "parse_xsd": xsd,
            "en16931_layer": layer(en),
            "peppol_layer": layer(peppol),
            "full_plan": lambda d: validator.validate(d, plan=PLAN),
            "compiled_en16931_layer": compiled_layer(en),
            "compiled_peppol_layer": compiled_layer(peppol),
            "compiled_full_plan": lambda d: compiled.validate(d, plan=PLAN),
            "bare_en16931_layer": _bare_saxon([artefacts / en.path]),
            "bare_peppol_layer": _bare_saxon([artefacts / peppol.path]),
            "bare_both_layers": _bare_saxon([artefacts / en.path, artefacts / peppol.path]),
        },
        docs,
        args.rounds,
    )
    ours = {k: v for k, v in measured.items() if not k.startswith("bare_")}
    bare = {k.removeprefix("bare_"): v for k, v in measured.items() if k.startswith("bare_")}
    result: dict[str, Any] = {
        "benchmark": "validate",
        "documents": len(docs),
        "rounds": args.rounds,
        "measure": "documents per CPU-second of this process",
        "python": platform.python_version(),
        "saxonche": engine.on_saxon_thread(
            lambda: saxonche.PySaxonProcessor(license=False).version
        ),
        "docs_per_second": ours,
        "bare_saxonche_docs_per_second": bare,
        # > 1 means the bare loop is faster: our parse, serialisation and SVRL reading.
        "overhead_ratio": {
            "en16931_layer": round(bare["en16931_layer"] / ours["en16931_layer"], 2),
            "peppol_layer": round(bare["peppol_layer"] / ours["peppol_layer"], 2),
            "rules_of_full_plan": round(bare["both_layers"] / ours["full_plan"], 2),
        },
        # > 1 means the compiled engine is faster (the target is 5 against bare saxonche).
        "compiled_speedup": {
            "en16931_layer_vs_bare": round(
                ours["compiled_en16931_layer"] / bare["en16931_layer"], 2
            ),
            "peppol_layer_vs_bare": round(ours["compiled_peppol_layer"] / bare["peppol_layer"], 2),
            "full_plan_vs_bare_both_layers": round(
                ours["compiled_full_plan"] / bare["both_layers"], 2
            ),
            "full_plan_vs_gateway_saxon": round(ours["compiled_full_plan"] / ours["full_plan"], 2),
            "floor_parse_xsd_vs_compiled_full_plan": round(
                ours["parse_xsd"] / ours["compiled_full_plan"], 2
            ),
        },
        "generated_invoices": _sizes(artefacts, validator, compiled),
    }
    if args.serve_workers:
        counts = [int(n) for n in args.serve_workers.split(",") if n]
        result["serve"] = _serve(artefacts, docs, counts, args.rounds)
    if args.large:
        result["large"] = _large(artefacts, [int(n) for n in args.large.split(",") if n])
    if not args.no_extra:
        for name, bench in EXTRA_BENCHMARKS.items():
            result[name] = bench(docs)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
