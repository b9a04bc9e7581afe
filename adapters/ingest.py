"""The ingest façade: recognise a ledger file, stream it, check it, report.

Reading is safe to persist from only once the whole file has been checked,
so there are two ways to use it:

- ``report = check(path)`` reads the file once, keeps nothing but sums, and
  returns an :class:`IngestReport` (counts, period, company, every problem up
  to a cap, SHA-256). If ``report.ok``, ``read(path, expect_sha256=report.sha256)``
  streams the records to persist; it raises if the file changed in between.
- ``read(path)`` alone streams and checks at the same time, and raises an
  :class:`AdapterError` after the last record if anything was wrong: the
  caller persists inside one transaction and rolls back on that error.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from schemas.xmlsafe import XmlError

from .checks import LedgerChecker
from .csvread import CsvReader
from .detect import FORMATS, detect_format
from .errors import AdapterError, LedgerRejected, ProfileError, UnreadableSource
from .ledger import Record
from .mapping import Profile, find_profile
from .problems import DEFAULT_MAX_PROBLEMS, Problem, ProblemLog
from .saft import SaftReader
from .saft_schema import SaftSchema, schema_path
from .sie import SieReader, decode_lines
from .source import Progress, SourceFile

__all__ = ["IngestReport", "check", "ingest_summary", "read"]

_FATAL = {"xml", "empty", "columns", "preamble", "format"}


@dataclass(frozen=True, slots=True)
class IngestReport:
    """What a full read of one file found; ``ok`` when it may be persisted."""

    file: str
    sha256: str
    size: int
    format: str  # saft | sie4 | csv
    source_format: str | None  # from the header, e.g. saft-1.30, sie4, csv:datev-extf
    profile: str | None
    company_id: str | None
    company_name: str | None
    currency: str | None
    period_start: date | None
    period_end: date | None
    counts: dict[str, int]
    total_debit: Decimal
    total_credit: Decimal
    first_date: date | None
    last_date: date | None
    schema_validated: bool
    errors: int
    warnings: int
    truncated: bool
    problems: tuple[Problem, ...] = field(default=())

    @property
    def ok(self) -> bool:
        return self.errors == 0

    def raise_for_errors(self) -> None:
        """Raise the matching :class:`AdapterError` if the file has errors."""
        if not self.ok:
            raise _error_for(self.file, list(self.problems), self.errors, self.truncated)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready form (dates ISO, amounts as strings)."""
        out: dict[str, Any] = {}
        for name in self.__slots__:
            value = getattr(self, name)
            if isinstance(value, date):
                value = value.isoformat()
            elif isinstance(value, Decimal):
                value = str(value)
            elif name == "problems":
                value = [p.to_dict() for p in value]
            out[name] = value
        out["ok"] = self.ok
        return out


class _Run:
    """One pass over one file: reader, checker, problem log, byte source."""

    def __init__(
        self,
        path: Path,
        *,
        format: str | None,
        profile: str | Profile | None,
        artefacts_dir: Path | None,
        progress: Progress | None,
        validate_schema: bool | None,
        max_problems: int,
        header_defaults: Mapping[str, str] | None,
        profile_dirs: Iterable[Path],
    ) -> None:
        self.path = Path(path)
        self.log = ProblemLog(self.path.name, cap=max_problems)
        dirs = list(profile_dirs)
        chosen = find_profile(profile, dirs) if isinstance(profile, str | Path) else profile
        if format is None and chosen is not None:
            format = "csv"
        if format is None:
            format, chosen = detect_format(self.path, profile_dirs=dirs)
        if format not in FORMATS:
            raise ProfileError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
        if format == "csv" and chosen is None:
            _, chosen = detect_format(self.path, profile_dirs=dirs)
            if chosen is None:
                raise ProfileError(
                    f"{self.path.name}: no CSV profile recognises this file; name one",
                    problems=[
                        Problem(self.path.name, "no CSV profile recognises it", code="profile")
                    ],
                )
        self.format, self.profile = format, chosen
        self.artefacts_dir = artefacts_dir
        self.validate = artefacts_dir is not None if validate_schema is None else validate_schema
        self.schema_used = False
        self.source = SourceFile(self.path, progress=progress)
        self.header_defaults = header_defaults
        self.checker = LedgerChecker(self.log)
        self.fatal = False

    def _schemas(self, version: str, variant: str) -> SaftSchema | None:
        if not self.validate:
            return None
        path = schema_path(self.artefacts_dir, version) if self.artefacts_dir else None
        if path is None or variant == "saft-dk":
            self.log.warn(
                f"no XSD is installed for {variant}; the file was not validated against a schema",
                code="schema-missing",
            )
            return None
        self.schema_used = True
        return SaftSchema(path, version)

    def records(self) -> Iterator[Record]:
        reader: Any
        if self.format == "saft":
            reader = SaftReader(self.source, log=self.log, schemas=self._schemas)
        elif self.format == "sie4":
            reader = SieReader(
                decode_lines(self.source, log=self.log),
                log=self.log,
                period=_named_period(self.header_defaults),
            )
        else:
            assert self.profile is not None
            reader = CsvReader(
                self.source,
                profile=self.profile,
                log=self.log,
                header_defaults=self.header_defaults,
                reopen=lambda: self.path.open("rb"),
            )
        self.checker.facts = reader.facts
        try:
            for record in reader.records():
                self.checker.observe(record)
                yield record
        except XmlError as exc:
            self.fatal = True
            self.log.add(exc.detail, line=exc.line, code="xml")
        self.fatal = self.fatal or any(
            p.code in _FATAL for p in self.log.problems if p.severity == "error"
        )
        if not self.fatal:
            self.checker.finish()
        self.variant = reader.variant

    def report(self) -> IngestReport:
        sha = self.source.sha256()
        self.source.release()
        h, st = self.checker.header, self.checker.stats
        return IngestReport(
            file=str(self.path),
            sha256=sha,
            size=self.source.total,
            format=self.format,
            source_format=h.source_format if h else getattr(self, "variant", None),
            profile=self.profile.name if self.profile else None,
            company_id=h.company_id if h else None,
            company_name=h.company_name if h else None,
            currency=h.currency if h else None,
            period_start=h.period_start if h else None,
            period_end=h.period_end if h else None,
            counts={
                "accounts": st.accounts,
                "parties": st.parties,
                "tax_codes": st.tax_codes,
                "journals": st.journals,
                "transactions": st.transactions,
                "lines": st.lines,
            },
            total_debit=st.total_debit,
            total_credit=st.total_credit,
            first_date=st.first_date,
            last_date=st.last_date,
            schema_validated=self.schema_used,
            errors=self.log.errors,
            warnings=self.log.warnings,
            truncated=self.log.truncated,
            problems=tuple(self.log.problems),
        )


def _named_period(defaults: Mapping[str, str] | None) -> tuple[date, date] | None:
    start, end = (defaults or {}).get("period_start"), (defaults or {}).get("period_end")
    if not start or not end:
        return None
    return date.fromisoformat(start), date.fromisoformat(end)


def _error_for(file: str, problems: list[Problem], errors: int, truncated: bool) -> AdapterError:
    name = Path(file).name
    fatal = any(p.code in _FATAL or p.code == "encoding" for p in problems if p.severity == "error")
    cls = UnreadableSource if fatal else LedgerRejected
    first = next((p for p in problems if p.severity == "error"), None)
    detail = f"{name}: {errors} error(s)" + (f"; first: {first}" if first else "")
    return cls(detail, problems=problems, truncated=truncated)


def check(
    path: str | Path,
    *,
    format: str | None = None,
    profile: str | Profile | None = None,
    artefacts_dir: Path | None = None,
    progress: Progress | None = None,
    validate_schema: bool | None = None,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
    header_defaults: Mapping[str, str] | None = None,
    profile_dirs: Iterable[Path] = (),
) -> IngestReport:
    """Read a whole file without keeping it and report what an import would find.

    Faults in the content come back in the report; only a file no reader
    recognises (:class:`UnknownFormat`) or a bad profile (:class:`ProfileError`) raises.
    """
    run = _Run(
        Path(path),
        format=format,
        profile=profile,
        artefacts_dir=artefacts_dir,
        progress=progress,
        validate_schema=validate_schema,
        max_problems=max_problems,
        header_defaults=header_defaults,
        profile_dirs=profile_dirs,
    )
    for _ in run.records():
        pass
    return run.report()


ingest_summary = check


def read(
    path: str | Path,
    *,
    format: str | None = None,
    profile: str | Profile | None = None,
    artefacts_dir: Path | None = None,
    progress: Progress | None = None,
    validate_schema: bool | None = None,
    max_problems: int = DEFAULT_MAX_PROBLEMS,
    header_defaults: Mapping[str, str] | None = None,
    profile_dirs: Iterable[Path] = (),
    expect_sha256: str | None = None,
) -> Iterator[Record]:
    """Stream a file's ledger records; raises :class:`AdapterError` at the end if it is faulty."""
    run = _Run(
        Path(path),
        format=format,
        profile=profile,
        artefacts_dir=artefacts_dir,
        progress=progress,
        validate_schema=validate_schema,
        max_problems=max_problems,
        header_defaults=header_defaults,
        profile_dirs=profile_dirs,
    )
    try:
        yield from run.records()
    finally:
        report = run.report()
    report.raise_for_errors()
    if expect_sha256 is not None and report.sha256 != expect_sha256:
        raise UnreadableSource(
            f"{Path(path).name} changed since it was checked (SHA-256 {report.sha256})",
            problems=[
                Problem(Path(path).name, "the file changed since it was checked", code="changed")
            ],
        )
