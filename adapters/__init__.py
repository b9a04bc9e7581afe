"""Readers of ERP exports (SAF-T Financial, SIE 4, CSV by profile) into the canonical ledger.

Start with :func:`check` (full read, report, nothing kept) or :func:`read`
(stream of :data:`~adapters.ledger.Record`); see :mod:`adapters.ingest`.
"""

from .detect import detect_format
from .errors import AdapterError, LedgerRejected, ProfileError, UnknownFormat, UnreadableSource
from .ingest import IngestReport, check, ingest_summary, read
from .ledger import Record
from .mapping import Profile, find_profile, list_profiles, load_profile
from .problems import Problem

__all__ = [
    "AdapterError",
    "IngestReport",
    "LedgerRejected",
    "Problem",
    "Profile",
    "ProfileError",
    "Record",
    "UnknownFormat",
    "UnreadableSource",
    "check",
    "detect_format",
    "find_profile",
    "ingest_summary",
    "list_profiles",
    "load_profile",
    "read",
]
