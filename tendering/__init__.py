"""Tendering: tenders, lots, sealed bids, opening, evaluation, award, notices, contracts.

Pure rules (no I/O): ``lifecycle`` (status machine and clock rules),
``shamir``, ``sealing`` and ``share_delivery`` (opening key, bid envelopes,
shares sealed to committee members), ``opening``, ``scoring``. Documents:
``documents`` (UBL 2.3) and ``ocds`` (OCDS 1.1). Boundary: ``payloads`` (API
models), ``models`` (tables), ``repository`` (queries), ``errors``. Use
cases: ``service`` (re-exports ``bidding``, ``committee``, ``award``,
``contracts``, and ``selection``, the restricted procedure's selection
stage); entry points: ``api`` (with ``selection_api``), ``public_api``,
``cli``, ``tasks``, ``demo``. Other domains import ``service`` and ``payloads`` only.
"""

__all__ = [
    "award",
    "bidding",
    "committee",
    "contracts",
    "documents",
    "errors",
    "lifecycle",
    "models",
    "ocds",
    "opening",
    "payloads",
    "repository",
    "scoring",
    "sealing",
    "selection",
    "selection_api",
    "service",
    "shamir",
    "share_delivery",
]
