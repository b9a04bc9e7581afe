"""Recognising a ledger file from its first bytes."""

from __future__ import annotations

import codecs
import csv
import re
from collections.abc import Iterable
from pathlib import Path

from .errors import UnknownFormat
from .mapping import Profile, list_profiles
from .problems import Problem

__all__ = ["FORMATS", "detect_format"]

FORMATS = ("saft", "sie4", "csv")
_HEAD = 8192
_SIE = re.compile(rb"^\s*#(FLAGGA|SIETYP|FORMAT|PROGRAM|GEN|FNAMN)\b", re.M)
_ROOT = re.compile(rb"<(?![?!])(?:[\w.-]+:)?([\w.-]+)")
# A page saved from a browser ("Save as…" on a download link) instead of the export itself.
_HTML = re.compile(
    rb"^\s*(<!--.*?-->\s*)*<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.I | re.S
)


def detect_format(path: Path, *, profile_dirs: Iterable[Path] = ()) -> tuple[str, Profile | None]:
    """The reader for a file (``saft``, ``sie4`` or ``csv``) and, for CSV, its profile."""
    with path.open("rb") as fh:
        head = fh.read(_HEAD)
    body = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if not body:
        raise _unknown(path, "the file is empty")
    if _HTML.match(body):
        raise _unknown(
            path,
            "an HTML page, not an export: the browser saved the web page instead of the file; "
            "download the export itself from the accounting program",
        )
    if body.startswith(b"<"):
        if b"StandardAuditFile-Taxation-Financial" in head:
            return "saft", None
        found = _ROOT.search(body)
        root = found.group(1).decode("ascii", errors="replace") if found else "?"
        if root == "AuditFile":
            return "saft", None
        raise _unknown(path, f"an XML file whose root is {root!r}, not a SAF-T Financial AuditFile")
    if _SIE.search(body):
        return "sie4", None
    text = body.decode("utf-8", errors="replace")
    sample = text.splitlines()[:2]
    rows = [next(csv.reader([line], delimiter=_delimiter(line)), []) for line in sample]
    first = rows[0] if rows else []
    second = rows[1] if len(rows) > 1 else None
    for profile in list_profiles(profile_dirs):
        # The column headers are on line 1, or on line 2 below a title line.
        on_second = second is not None and profile.detect_first_field is None
        if profile.matches(first, None) or (on_second and profile.matches(second or [], None)):
            return "csv", profile
    raise _unknown(
        path,
        "not SAF-T, SIE 4 or a CSV layout any profile knows "
        f"(first line: {text.splitlines()[0][:80]!r}); name a profile",
    )


def _delimiter(line: str) -> str:
    return max((";", ",", "\t", "|"), key=line.count)


def _unknown(path: Path, message: str) -> UnknownFormat:
    return UnknownFormat(
        f"{path.name}: {message}", problems=[Problem(path.name, message, line=1, code="format")]
    )
