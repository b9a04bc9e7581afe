"""Tendering: tenders, lots, sealed bids, opening, evaluation, award, notices.

Pure rules (no I/O): ``lifecycle`` (status machine and clock rules),
``shamir`` and ``sealing`` (opening key and bid envelopes), ``opening``,
``scoring``. Documents: ``documents`` (UBL 2.3) and ``ocds`` (OCDS 1.1).
Boundary: ``payloads`` (API models), ``models`` (tables), ``errors``.
"""

__all__ = [
    "documents",
    "errors",
    "lifecycle",
    "models",
    "ocds",
    "opening",
    "payloads",
    "scoring",
    "sealing",
    "shamir",
]
