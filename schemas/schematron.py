"""Compile Schematron (.sch) into XSLT with the ISO reference skeleton.

Rule sets published only as ``.sch`` (Peppol pre-award) are compiled once, at
install time, in three steps: include expansion (``iso_dsdl_include.xsl``),
abstract-pattern expansion (``iso_abstract_expand.xsl``), then the SVRL skeleton
for XSLT 2 (``iso_svrl_for_xslt2.xsl``). The inputs are hash-checked artefacts and
the include step must read files, so this uses its own Saxon processor, not the
validation engine's (which may read nothing).
"""

from __future__ import annotations

import re
from pathlib import Path

import saxonche

from schemas.engine import on_saxon_thread

__all__ = ["SchematronError", "compile_preaward", "compile_schematron"]

_STEPS = ("iso_dsdl_include.xsl", "iso_abstract_expand.xsl", "iso_svrl_for_xslt2.xsl")
_TX = re.compile(r"^PEPPOL-(T\d{3})\.sch$")
PREAWARD_SET = "peppol-preaward"
ISO_SET = "iso-schematron"
COMPILED_DIR = "compiled"


class SchematronError(RuntimeError):
    """A Schematron file could not be compiled; ``detail`` names it."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


class _Compiler:
    def __init__(self, iso_dir: Path) -> None:
        self.proc = saxonche.PySaxonProcessor(license=False)
        xslt = self.proc.new_xslt30_processor()
        self.steps = []
        for name in _STEPS:
            path = iso_dir / name
            if not path.is_file():
                raise SchematronError(f"ISO Schematron skeleton {path} is not installed")
            try:
                self.steps.append(xslt.compile_stylesheet(stylesheet_file=str(path)))
            except saxonche.PySaxonApiError as exc:
                raise SchematronError(f"cannot compile {path}: {exc}") from exc

    def compile(self, sch: Path) -> str:
        include, expand, skeleton = self.steps
        try:
            # The first step reads the file itself, so relative includes resolve.
            text = include.transform_to_string(source_file=str(sch))
            for step in (expand, skeleton):
                node = self.proc.parse_xml(xml_text=text)
                text = step.transform_to_string(xdm_node=node)
        except saxonche.PySaxonApiError as exc:
            raise SchematronError(f"cannot compile {sch.name}: {exc}") from exc
        if not text:
            raise SchematronError(f"compiling {sch.name} produced nothing")
        return text


def compile_schematron(sch: Path, out: Path, *, iso_dir: Path) -> Path:
    """Compile one .sch file into an XSLT 2.0 stylesheet that writes SVRL."""
    text = on_saxon_thread(lambda: _Compiler(iso_dir).compile(sch))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def compile_preaward(artefacts_dir: Path, *, force: bool = False) -> list[str]:
    """Compile every Peppol pre-award transaction's .sch into ``peppol-preaward/compiled/``.

    Returns the transactions compiled now; existing outputs are kept unless ``force``.
    """
    rules = artefacts_dir / PREAWARD_SET / "rules"
    out_dir = artefacts_dir / PREAWARD_SET / COMPILED_DIR
    sources = sorted(p for p in rules.glob("*/*.sch") if _TX.match(p.name))
    todo = [p for p in sources if force or not (out_dir / f"{p.stem}.xslt").is_file()]
    if not todo:
        return []
    # Saxon only on the engine's thread (see schemas.engine).
    compiler = on_saxon_thread(_Compiler, artefacts_dir / ISO_SET)
    done = []
    for sch in todo:
        text = on_saxon_thread(compiler.compile, sch)
        out_dir.mkdir(parents=True, exist_ok=True)
        tmp = out_dir / f".{sch.stem}.xslt.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out_dir / f"{sch.stem}.xslt")
        done.append(sch.stem)
    return done
