"""Problems found while reading a source file, collected up to a cap.

A reader never stops at the first fault: it notes each one here (file, line or
element, what is wrong) and goes on, so the sender sees every fault at once.
The cap keeps a thoroughly broken file from filling memory with messages.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

__all__ = ["DEFAULT_MAX_PROBLEMS", "VOUCHERS_ONLY", "Problem", "ProblemLog", "Severity"]

Severity = Literal["error", "warning"]
DEFAULT_MAX_PROBLEMS = 200
# A SIE type 4I file read with no period named: the service may file it into a stored period.
VOUCHERS_ONLY = "no-period-vouchers-only"


@dataclass(frozen=True, slots=True)
class Problem:
    """One fault in a source: where it is and what is wrong."""

    file: str
    message: str
    line: int | None = None
    element: str | None = None  # element path, voucher or record the fault belongs to
    code: str = "invalid"
    severity: Severity = "error"

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        what = f" [{self.element}]" if self.element else ""
        return f"{where}:{what} {self.severity}: {self.message}"

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}

    def to_finding(self) -> dict[str, str]:
        """The shape of a validation finding in problem details (rule, severity, location)."""
        where = f"line {self.line}" if self.line else "/"
        if self.element:
            where += f" ({self.element})"
        return {
            "rule": self.code,
            "severity": "fatal" if self.severity == "error" else "warning",
            "location": where,
            "message": self.message,
            "ruleset": "ledger",
        }


class ProblemLog:
    """Collects problems for one file; keeps at most ``cap`` but counts them all."""

    def __init__(self, file: str, *, cap: int = DEFAULT_MAX_PROBLEMS) -> None:
        self.file = file
        self.cap = cap
        self.problems: list[Problem] = []
        self.errors = 0
        self.warnings = 0

    def add(
        self,
        message: str,
        *,
        line: int | None = None,
        element: str | None = None,
        code: str = "invalid",
        severity: Severity = "error",
    ) -> None:
        if severity == "error":
            self.errors += 1
        else:
            self.warnings += 1
        if len(self.problems) < self.cap:
            self.problems.append(
                Problem(self.file, message, line, element, code=code, severity=severity)
            )

    def warn(self, message: str, **where: Any) -> None:
        self.add(message, severity="warning", **where)

    @property
    def truncated(self) -> bool:
        return self.errors + self.warnings > len(self.problems)

    @property
    def ok(self) -> bool:
        return self.errors == 0
