"""The rule engines: Saxon for the official XSLT 2.0 Schematron, lxml for XSD.

Each stylesheet and schema is compiled once per process and cached. The cache is
keyed by process id: a forked Celery worker never touches its parent's Saxon
processor (a GraalVM isolate does not survive ``fork``) and compiles lazily on
first use. Each compiled stylesheet carries a lock. Measured with saxonche 12.9:
four threads sharing one executable ran 80 EN 16931 validations in 0.81 s against
0.83 s serially, because saxonche holds the GIL; the lock costs nothing and keeps
Saxon's per-executable state out of reach of concurrent calls.

Every call into saxonche runs on one dedicated thread per process
(:func:`on_saxon_thread`). SaxonC's GraalVM isolate is attached to the first
thread that uses it; a dynamic error raised on any other thread (a FORG0001 in a
rule set, reached from a web server's thread pool) kills the whole process with
"Fatal error: StackOverflowError ... wrong IsolateThread". One thread costs no
throughput: saxonche holds the GIL anyway.

Saxon may read no external resource: ``allowedProtocols`` is empty, so
``doc()``, ``unparsed-text()`` and external entities fail. The official
stylesheets need none of them, and documents reach Saxon only after the hardened
parser accepted them.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import saxonche
from lxml import etree

__all__ = [
    "CompiledSchema",
    "CompiledStylesheet",
    "EngineError",
    "RuleRunError",
    "clear_caches",
    "on_saxon_thread",
    "saxon_document",
    "saxon_processor",
    "schema",
    "stylesheet",
]

_SAXON_SETTINGS = {
    "http://saxon.sf.net/feature/allowedProtocols": "",
    "http://saxon.sf.net/feature/parserFeature?uri=http://xml.org/sax/features/external-general-entities": "false",
    "http://saxon.sf.net/feature/parserFeature?uri=http://xml.org/sax/features/external-parameter-entities": "false",
    "http://saxon.sf.net/feature/parserFeature?uri=http://apache.org/xml/features/nonvalidating/load-external-dtd": "false",
}


class EngineError(RuntimeError):
    """A rule set or schema cannot be loaded or run; ``detail`` names the file."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


_T = TypeVar("_T")
# GraalVM wants deep stacks; Python's default thread stack is the platform's.
_SAXON_STACK = 64 * 1024 * 1024


class _SaxonThread:
    """The one thread of this process that talks to saxonche."""

    def __init__(self) -> None:
        self.ident: int | None = None
        previous = threading.stack_size()
        try:
            threading.stack_size(_SAXON_STACK)
            self.executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="saxon", initializer=self._mark
            )
            self.executor.submit(lambda: None).result()  # start it under the large stack size
        finally:
            threading.stack_size(previous)

    def _mark(self) -> None:
        self.ident = threading.get_ident()


_saxon_threads: dict[int, _SaxonThread] = {}
_saxon_threads_lock = threading.Lock()


def on_saxon_thread(fn: Callable[..., _T], *args: object, **kwargs: object) -> _T:
    """Call ``fn`` on this process's Saxon thread (directly when already on it)."""
    pid = os.getpid()
    worker = _saxon_threads.get(pid)
    if worker is None:
        with _saxon_threads_lock:
            worker = _saxon_threads.get(pid)
            if worker is None:
                worker = _saxon_threads[pid] = _SaxonThread()
    if threading.get_ident() == worker.ident:
        return fn(*args, **kwargs)
    return worker.executor.submit(fn, *args, **kwargs).result()


class RuleRunError(EngineError):
    """A compiled rule set stopped on a dynamic error while running over a document.

    ``saxon`` keeps Saxon's own text (error code, message, stylesheet line).
    """

    def __init__(self, detail: str, *, path: Path, saxon: str) -> None:
        super().__init__(detail)
        self.path = path
        self.saxon = saxon


@dataclass(slots=True)
class CompiledStylesheet:
    """One compiled XSLT with the lock that serialises its use."""

    path: Path
    executable: saxonche.PyXsltExecutable
    lock: threading.Lock

    def run(self, document: str | saxonche.PyXdmNode) -> str:
        """Run over a document (text or a node from :func:`saxon_document`), returning its output."""
        return on_saxon_thread(self._run, document)

    def _run(self, document: str | saxonche.PyXdmNode) -> str:
        node = saxon_document(document) if isinstance(document, str) else document
        with self.lock:
            try:
                out = self.executable.transform_to_string(xdm_node=node)
            except saxonche.PySaxonApiError as exc:
                raise RuleRunError(
                    f"{self.path.name} failed: {exc}", path=self.path, saxon=str(exc)
                ) from exc
        if out is None:
            raise EngineError(f"{self.path.name} produced no output")
        return out


def saxon_document(xml_text: str) -> saxonche.PyXdmNode:
    """Build Saxon's tree once for a document the hardened parser accepted (and re-serialised)."""
    return on_saxon_thread(_saxon_document, xml_text)


def _saxon_document(xml_text: str) -> saxonche.PyXdmNode:
    try:
        return saxon_processor().parse_xml(xml_text=xml_text)
    except saxonche.PySaxonApiError as exc:
        raise EngineError(f"Saxon could not read the document: {exc}") from exc


@dataclass(slots=True)
class CompiledSchema:
    """One loaded XSD with the lock that serialises its use."""

    path: Path
    schema: etree.XMLSchema
    lock: threading.Lock

    def errors(self, tree: etree._ElementTree) -> list[etree._LogEntry]:
        """Schema errors of a parsed document (empty when it conforms)."""
        with self.lock:
            ok = self.schema.validate(tree)
            return [] if ok else list(self.schema.error_log)


class _ProcessState:
    def __init__(self) -> None:
        self.pid = os.getpid()
        self.processor: saxonche.PySaxonProcessor | None = None
        self.xslt: saxonche.PyXslt30Processor | None = None
        self.stylesheets: dict[Path, CompiledStylesheet] = {}
        self.schemas: dict[Path, CompiledSchema] = {}
        self.lock = threading.Lock()


_state = _ProcessState()
_state_lock = threading.Lock()


def _current() -> _ProcessState:
    global _state
    if _state.pid != os.getpid():
        # Forked: drop everything inherited; compile again in this process when needed.
        with _state_lock:
            if _state.pid != os.getpid():
                _state = _ProcessState()
    return _state


def saxon_processor() -> saxonche.PySaxonProcessor:
    """This process's Saxon processor, created on first use with external access off."""
    return on_saxon_thread(_saxon_processor)


def _saxon_processor() -> saxonche.PySaxonProcessor:
    state = _current()
    if state.processor is None:
        with state.lock:
            if state.processor is None:
                proc = saxonche.PySaxonProcessor(license=False)
                for key, value in _SAXON_SETTINGS.items():
                    proc.set_configuration_property(key, value)
                state.xslt = proc.new_xslt30_processor()
                state.processor = proc
    return state.processor


def stylesheet(path: Path) -> CompiledStylesheet:
    """The compiled stylesheet at ``path``, compiled on first use in this process."""
    state = _current()
    found = state.stylesheets.get(path if path.is_absolute() else path.absolute())
    if found is not None:
        return found
    return on_saxon_thread(_stylesheet, path)


def _stylesheet(path: Path) -> CompiledStylesheet:
    state = _current()
    path = path if path.is_absolute() else path.absolute()
    found = state.stylesheets.get(path)  # no filesystem call once cached
    if found is not None:
        return found
    key = path.resolve()
    saxon_processor()
    with state.lock:
        found = state.stylesheets.get(key)
        if found is None:
            if not key.is_file():
                raise EngineError(
                    f"rule set {path} is not installed: run `gateway artefacts install`"
                )
            assert state.xslt is not None
            try:
                executable = state.xslt.compile_stylesheet(stylesheet_file=str(key))
            except saxonche.PySaxonApiError as exc:
                raise EngineError(f"cannot compile {path}: {exc}") from exc
            if executable is None:
                raise EngineError(f"cannot compile {path}")
            found = CompiledStylesheet(key, executable, threading.Lock())
            state.stylesheets[key] = found
        state.stylesheets[path] = found
    return found


def schema(path: Path) -> CompiledSchema:
    """The XSD at ``path``, loaded once per process (schema files are trusted artefacts)."""
    state = _current()
    path = path if path.is_absolute() else path.absolute()
    found = state.schemas.get(path)
    if found is not None:
        return found
    key = path.resolve()
    with state.lock:
        found = state.schemas.get(key)
        if found is None:
            if not key.is_file():
                raise EngineError(
                    f"schema {path} is not installed: run `gateway artefacts install`"
                )
            try:
                # A trusted artefact (hash-checked at install), parsed from its path so
                # its relative xsd:import/include resolve; still no network, no entities.
                parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
                loaded = etree.XMLSchema(etree.parse(str(key), parser))
            except (etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
                raise EngineError(f"cannot load schema {path}: {exc}") from exc
            found = CompiledSchema(key, loaded, threading.Lock())
            state.schemas[key] = found
        state.schemas[path] = found
    return found


def clear_caches() -> None:
    """Forget every compiled stylesheet and schema of this process."""
    state = _current()
    with state.lock:
        state.stylesheets.clear()
        state.schemas.clear()
