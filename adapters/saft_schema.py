"""XSD validation of SAF-T files in constant memory.

lxml's XMLSchema validates a whole tree, and the tree of a multi-gigabyte
file does not fit. The reader therefore validates in two kinds of piece:

- each batch of ``Transaction`` elements is copied into a small stand-in
  document (a copy of the real Header, an empty Journal) and validated there;
  only errors at or below the batch's first line are kept, since elements keep
  their source line numbers when moved;
- at the end, what is left of the tree (Header, MasterFiles, the journals'
  own fields and the control totals; every transaction was removed as it was
  read) is validated as one document, ``Transaction`` being optional there.

Together the two cover every element of the file against the official XSD,
at libxml2's speed. Master data stays in memory while validating; it is small
beside the transactions.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from pathlib import Path
from typing import Any

from lxml import etree

from .problems import ProblemLog

__all__ = ["SaftSchema", "schema_path"]

_XSD = {
    "1.10": "Norwegian_SAF-T_Financial_Schema_v_1.10.xsd",
    "1.20": "Norwegian_SAF-T_Financial_Schema_v_1.20.xsd",
    "1.30": "Norwegian_SAF-T_Financial_Schema_v_1.30.xsd",
}
_MAX_SCHEMA_PROBLEMS = 50  # per file: past that the sender has plenty to fix


def schema_path(artefacts_dir: Path, version: str) -> Path | None:
    """Where the installed XSD for a Norwegian SAF-T version lives, if it is installed."""
    name = _XSD.get(version)
    if name is None:
        return None
    path = artefacts_dir / "saf-t-no" / "xsd" / name
    return path if path.is_file() else None


@lru_cache(maxsize=8)
def _compile(path: str) -> etree.XMLSchema:
    # The XSD is an installed, hash-checked artefact, not outside input.
    return etree.XMLSchema(etree.parse(path, etree.XMLParser(no_network=True)))


class SaftSchema:
    """One compiled SAF-T XSD plus the piecewise validation described above."""

    batch_size = 500

    def __init__(self, path: Path, version: str) -> None:
        self.path = path
        self.version = version
        self._schema = _compile(str(path))
        self._reported = 0

    def validate_transactions(self, header: Any, transactions: list[Any], log: ProblemLog) -> None:
        """Validate a batch of Transaction elements inside a stand-in document."""
        if not transactions:
            return
        tag = transactions[0].tag
        ns = tag[1:].partition("}")[0] if tag.startswith("{") else ""
        q = (lambda n: f"{{{ns}}}{n}") if ns else (lambda n: n)
        root = etree.Element(q("AuditFile"), nsmap={None: ns} if ns else None)
        if header is not None:
            root.append(copy.deepcopy(header))
        gle = etree.SubElement(root, q("GeneralLedgerEntries"))
        for name in ("NumberOfEntries", "TotalDebit", "TotalCredit"):
            etree.SubElement(gle, q(name)).text = "0"
        journal = etree.SubElement(gle, q("Journal"))
        for name in ("JournalID", "Description", "Type"):
            etree.SubElement(journal, q(name)).text = "x"
        for tx in transactions:
            journal.append(tx)  # moves the (already detached) element: no copy needed
        first = min((tx.sourceline or 0) for tx in transactions)
        self._run(root, log, from_line=max(first, 1))

    def validate_skeleton(self, root: Any, log: ProblemLog) -> None:
        """Validate what remains of the tree: header, master files, journals, totals."""
        self._run(root, log, from_line=0)

    def _run(self, root: Any, log: ProblemLog, *, from_line: int) -> None:
        if self._schema.validate(root):
            return
        for entry in self._schema.error_log:
            path = entry.path or ""
            if (entry.line or 0) < from_line:
                continue  # the copied header's own faults are reported once, by the skeleton
            if self._reported >= _MAX_SCHEMA_PROBLEMS:
                return
            self._reported += 1
            log.add(
                f"not valid against SAF-T {self.version} XSD: {entry.message}",
                line=entry.line or None,
                element=_short_path(path),
                code="schema",
            )


def _short_path(path: str) -> str | None:
    # "/n1:AuditFile/n1:GeneralLedgerEntries/n1:Journal/n1:Transaction[3]/n1:Line" -> tail
    if not path:
        return None
    parts = [p.rpartition(":")[2] for p in path.strip("/").split("/")]
    if any(p.startswith("*") for p in parts):
        return None  # lxml writes default-namespace steps as "*": no help to a reader
    return "/".join(parts[-3:])
