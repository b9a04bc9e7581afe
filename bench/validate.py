"""Validation throughput over the official examples, against a bare saxonche loop.

Prints one JSON object: documents per second for each layer (hardened parse,
parse + XSD, EN 16931 rules, Peppol rules, full plan) and for the same XSLTs run
in a plain saxonche loop in this run, with our overhead as a ratio.

    .venv/bin/python bench/validate.py [--artefacts DIR] [--rounds N]
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
    proc = saxonche.PySaxonProcessor(license=False)
    xslt = proc.new_xslt30_processor()
    executables = [xslt.compile_stylesheet(stylesheet_file=str(p)) for p in paths]

    def run(data: bytes) -> object:
        node = proc.parse_xml(xml_text=data.decode("utf-8"))
        return [e.transform_to_string(xdm_node=node) for e in executables]

    return run


def main() -> None:
    default = os.environ.get("GW_ARTEFACTS_DIR", str(ROOT / "var" / "artefacts"))
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--artefacts", type=Path, default=Path(default))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    artefacts: Path = args.artefacts
    docs = _documents(artefacts)
    validator = Validator(artefacts)
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

    measured = _rates(
        {
            "parse": xmlsafe.parse,
            "parse_xsd": xsd,
            "en16931_layer": layer(en),
            "peppol_layer": layer(peppol),
            "full_plan": lambda d: validator.validate(d, plan=PLAN),
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
        "saxonche": saxonche.PySaxonProcessor(license=False).version,
        "docs_per_second": ours,
        "bare_saxonche_docs_per_second": bare,
        # > 1 means the bare loop is faster: our parse, serialisation and SVRL reading.
        "overhead_ratio": {
            "en16931_layer": round(bare["en16931_layer"] / ours["en16931_layer"], 2),
            "peppol_layer": round(bare["peppol_layer"] / ours["peppol_layer"], 2),
            "rules_of_full_plan": round(bare["both_layers"] / ours["full_plan"], 2),
        },
    }
    for name, bench in EXTRA_BENCHMARKS.items():
        result[name] = bench(docs)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
