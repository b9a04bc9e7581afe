"""Rules that disagreed with Saxon on an official unit test, example or mutant: they stay in Saxon.

Keyed by rule set name, then assert id, with what was seen. ``tests/schemas/test_compiled.py``
fails on any disagreement of a rule not listed here.
"""

from __future__ import annotations

__all__ = ["COVERED", "FALLBACK", "covers", "fallback_for"]

# The stylesheets whose official unit tests, examples and mutants run against the compiled
# engine in CI; any other rule set runs in Saxon whatever the engine chosen.
COVERED = frozenset(
    {
        "en16931-ubl-1.3.16/xslt/EN16931-UBL-validation.xslt",
        "peppol-bis-billing-3/xslt/2025.5/PEPPOL-EN16931-UBL.xslt",
    }
)

FALLBACK: dict[str, dict[str, str]] = {}


def covers(path: str) -> bool:
    """Whether the compiled engine may run this stylesheet (relative artefact path)."""
    return path in COVERED


def fallback_for(ruleset: str) -> dict[str, str]:
    """The asserts of one rule set that must run in Saxon, with the reason."""
    return FALLBACK.get(ruleset, {})
