"""Every ``GW_`` variable is a field of ``Settings``, and the README's table lists exactly those."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from gateway.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("gateway", "schemas", "adapters", "reporting", "tendering", "invoicing", "sandbox")


def _settings_variables() -> set[str]:
    out = set()
    for name, info in Settings.model_fields.items():
        kind = info.annotation
        if isinstance(kind, type) and issubclass(kind, BaseModel):
            out |= {f"GW_{name}__{sub}".upper() for sub in kind.model_fields}
        else:
            out.add(f"GW_{name}".upper())
    return out


def _readme_variables() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `GW_")]
    return {v for row in rows for v in re.findall(r"`(GW_[A-Z0-9_]+)`", row.split(" | ")[0])}


def test_the_readme_table_lists_every_setting_and_nothing_else() -> None:
    documented, defined = _readme_variables(), _settings_variables()
    assert defined - documented == set(), "settings missing from the README's table"
    assert documented - defined == set(), "README names variables Settings does not read"


def test_the_code_reads_no_gw_variable_outside_settings() -> None:
    defined = _settings_variables()
    used: dict[str, str] = {}
    for package in SOURCES:
        for path in (ROOT / package).rglob("*.py"):
            for name in re.findall(r"[\"'](GW_[A-Z0-9_]+)[\"']", path.read_text(encoding="utf-8")):
                used.setdefault(name, str(path.relative_to(ROOT)))
    stray = {name: where for name, where in used.items() if name not in defined}
    assert stray == {}
