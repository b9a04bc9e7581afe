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
from lxml import etree

from schemas.engine import on_saxon_thread

__all__ = ["SchematronError", "compile_eforms", "compile_preaward", "compile_schematron"]

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

    def compile(self, sch: Path, *, fixups: bool = False) -> str:
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
        return _fix_skeleton_output(text) if fixups else text


def compile_schematron(sch: Path, out: Path, *, iso_dir: Path, fixups: bool = False) -> Path:
    """Compile one .sch file into an XSLT 2.0 stylesheet that writes SVRL.

    ``fixups`` repairs the skeleton's attribute-context and brace defects (as for eForms).
    """
    text = on_saxon_thread(lambda: _Compiler(iso_dir).compile(sch, fixups=fixups))
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


_XSL = "{http://www.w3.org/1999/XSL/Transform}"
_SVRL = "{http://purl.oclc.org/dsdl/svrl}"
# What the skeleton's pattern modes walk into, by its only-child-elements / visit-text switches.
_CHILD_AXES = ("*", "*|comment()|processing-instruction()", "node()")
_FIXUP_PARSER = etree.XMLParser(
    huge_tree=True, resolve_entities=False, no_network=True, load_dtd=False
)


def _fix_skeleton_output(text: str) -> str:
    """Repair two known defects of the ISO skeleton's output (the eForms SDK relies on both).

    1. Rules whose context is an attribute never fire: the skeleton's ``context-xpath``
       tests ``parent::node()`` at the document node, so ``@*|`` is never added to the
       apply-templates of the pattern modes (Schematron/schematron issue #29, which the
       SDK's schematron README asks implementers to fix).
    2. Each test is copied into the ``test`` attribute of a literal ``svrl:failed-assert``,
       an attribute value template in the generated XSLT, so a regex quantifier such as
       ``{2,}`` becomes an expression Saxon refuses (XPST0003); braces there are doubled.
    """
    # The input is the skeleton's own output from hash-checked artefacts, never a document.
    root = etree.fromstring(text.encode("utf-8"), _FIXUP_PARSER)
    for el in root.iterchildren(f"{_XSL}template"):
        # ...and their findings get no location, the path mode matching elements only.
        if el.get("mode") == "schematron-select-full-path" and el.get("match") == "*":
            el.set("match", "*|@*")
    for el in root.iter(f"{_XSL}apply-templates"):
        if el.get("select") in _CHILD_AXES and (el.get("mode") or "").startswith("M"):
            el.set("select", "@*|" + el.get("select", ""))
    for el in root.iter(f"{_SVRL}failed-assert", f"{_SVRL}successful-report", f"{_SVRL}fired-rule"):
        for name in ("test", "context"):
            value = el.get(name)
            if value and ("{" in value or "}" in value):
                el.set(name, value.replace("{", "{{").replace("}", "}}"))
    return etree.tostring(root, encoding="unicode")


EFORMS_SET = "eforms-sdk-1.15.1"
EFORMS_STATIC = "eforms-static"
EFORMS_DYNAMIC = "eforms-dynamic"
_SCH = "http://purl.oclc.org/dsdl/schematron"


def _eforms_dynamic_only(sdk: Path, out_dir: Path) -> Path:
    # The SDK's dynamic complete-validation.sch is the static rules plus stage 6 (rules
    # reading outside the notice). Compiling only the extra files keeps install time
    # halved: the header (namespaces, lets) of the dynamic file with its own includes.
    source = sdk / "schematrons" / "dynamic" / "complete-validation.sch"
    root = etree.parse(str(source), _FIXUP_PARSER).getroot()
    keep = {"config.sch"} | {
        p.name for p in (sdk / "schematrons" / "dynamic").glob("validation-stage-6*.sch")
    }
    for el in list(root):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == f"{{{_SCH}}}phase" or (
            tag == f"{{{_SCH}}}include" and el.get("href") not in keep
        ):
            root.remove(el)
        elif tag == f"{{{_SCH}}}include":
            el.set("href", f"../schematrons/dynamic/{el.get('href')}")
    wrapper = out_dir / f"{EFORMS_DYNAMIC}.sch"
    wrapper.write_bytes(etree.tostring(root, xml_declaration=True, encoding="utf-8"))
    return wrapper


def compile_eforms(artefacts_dir: Path, *, force: bool = False) -> list[str]:
    """Compile the eForms SDK's static rules and its dynamic-only rules into ``compiled/``.

    Returns the rule sets compiled now; existing outputs are kept unless ``force``.
    """
    sdk = artefacts_dir / EFORMS_SET
    out_dir = sdk / COMPILED_DIR
    todo = [
        n for n in (EFORMS_STATIC, EFORMS_DYNAMIC) if force or not (out_dir / f"{n}.xslt").is_file()
    ]
    if not todo:
        return []
    out_dir.mkdir(parents=True, exist_ok=True)
    # Saxon only on the engine's thread (see schemas.engine).
    compiler = on_saxon_thread(_Compiler, artefacts_dir / ISO_SET)
    for name in todo:
        if name == EFORMS_STATIC:
            sch = sdk / "schematrons" / "static" / "complete-validation.sch"
        else:
            sch = _eforms_dynamic_only(sdk, out_dir)
        text = on_saxon_thread(compiler.compile, sch, fixups=True)
        tmp = out_dir / f".{name}.xslt.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out_dir / f"{name}.xslt")
    return todo
