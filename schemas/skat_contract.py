"""The contract of the tax agency's RSU VAT services, read from the installed WSDLs and XSDs.

The agency's schemas import one namespace from many small files (one element
per file), a pattern libxml2 cannot follow: it honours only the first import of
a namespace. We therefore compile one schema per service through a generated
driver that includes every file of each namespace, leaf namespaces first.
"""

from __future__ import annotations

import functools
import threading
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from schemas import xmlsafe

__all__ = [
    "CTX_NS",
    "NEM_NS",
    "SERVICES",
    "VIRK_NS",
    "WS_NS",
    "ServiceContract",
    "schema_errors",
    "service_for_element",
]

SET_NAME = "skat-vat-rsu"
WS_NS = "urn:oio:skat:nemvirksomhed:ws:1.0.0"
NEM_NS = "urn:oio:skat:nemvirksomhed:1.0.0"
CTX_NS = "http://rep.oio.dk/skat.dk/basis/kontekst/xml/schemas/2006/09/01/"
VIRK_NS = "http://rep.oio.dk/skat.dk/motor/class/virksomhed/xml/schemas/20080401/"
TSE_NS = "http://rep.oio.dk/skat.dk/TSE/angivelse/xml/schemas/2006/09/01/"
_XSD_NS = "http://www.w3.org/2001/XMLSchema"


@dataclass(frozen=True, slots=True)
class ServiceContract:
    """One of the three services: its folder, operation and message elements."""

    name: str
    operation: str
    service_id: str

    @property
    def request(self) -> str:
        return f"{{{WS_NS}}}{self.name}_I"

    @property
    def response(self) -> str:
        return f"{{{WS_NS}}}{self.name}_O"

    @property
    def soap_action(self) -> str:
        return self.operation

    def wsdl(self, artefacts_dir: Path) -> Path:
        return Path(artefacts_dir) / SET_NAME / self.name / f"{self.name}.wsdl"

    def folder(self, artefacts_dir: Path) -> Path:
        return Path(artefacts_dir) / SET_NAME / self.name


SERVICES: dict[str, ServiceContract] = {
    s.name: s
    for s in (
        ServiceContract(
            "VirksomhedKalenderHent", "getVirksomhedKalenderHent", "VirksomhedKalenderHentService"
        ),
        ServiceContract(
            "ModtagMomsangivelseForeloebig",
            "getModtagMomsangivelseForeloebig",
            "ModtagMomsangivelseForelobig",
        ),
        ServiceContract(
            "MomsangivelseKvitteringHent",
            "getMomsangivelseKvitteringHent",
            "MomsangivelseKvitteringHentService",
        ),
    )
}


def service_for_element(tag: str) -> tuple[ServiceContract, str] | None:
    """The service and direction (``"I"``/``"O"``) of a request or response element."""
    for service in SERVICES.values():
        if tag == service.request:
            return service, "I"
        if tag == service.response:
            return service, "O"
    return None


class _DriverResolver(etree.Resolver):
    def __init__(self, documents: dict[str, tuple[str, str]]) -> None:
        super().__init__()
        self._documents = documents

    def resolve(self, system_url, public_id, context):  # type: ignore[no-untyped-def]
        found = self._documents.get(system_url)
        if found is None:
            return None
        text, base = found
        return self.resolve_string(text, context, base_url=base)


def _namespace_files(folder: Path) -> dict[str, list[Path]]:
    by_ns: dict[str, list[Path]] = defaultdict(list)
    for path in sorted(folder.rglob("*.xsd")):
        root = xmlsafe.parse_file(path).getroot()
        by_ns[root.get("targetNamespace", "")].append(path)
    return by_ns


def _imports(paths: list[Path]) -> set[str]:
    found: set[str] = set()
    for path in paths:
        root = xmlsafe.parse_file(path).getroot()
        found.update(i.get("namespace", "") for i in root.iter(f"{{{_XSD_NS}}}import"))
    return found


def _leaf_first(by_ns: dict[str, list[Path]]) -> list[str]:
    pending = {ns: _imports(paths) & set(by_ns) - {ns} for ns, paths in by_ns.items()}
    order: list[str] = []
    while pending:
        ready = sorted(ns for ns, deps in pending.items() if deps <= set(order))
        if not ready:  # a cycle: take the rest as they come
            ready = sorted(pending)
        for ns in ready:
            order.append(ns)
            del pending[ns]
    return order


_lock = threading.Lock()


@functools.lru_cache(maxsize=8)
def _compiled(folder: Path) -> etree.XMLSchema:
    by_ns = _namespace_files(folder)
    documents: dict[str, tuple[str, str]] = {}
    imports = []
    for index, ns in enumerate(_leaf_first(by_ns)):
        url = f"gateway-skat:/{index}.xsd"
        includes = "".join(f'<xs:include schemaLocation="{p.as_uri()}"/>' for p in by_ns[ns])
        documents[url] = (
            f'<xs:schema xmlns:xs="{_XSD_NS}" targetNamespace="{ns}" '
            f'elementFormDefault="qualified">{includes}</xs:schema>',
            by_ns[ns][0].as_uri(),
        )
        imports.append(f'<xs:import namespace="{ns}" schemaLocation="{url}"/>')
    driver = f'<xs:schema xmlns:xs="{_XSD_NS}">{"".join(imports)}</xs:schema>'
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    parser.resolvers.add(_DriverResolver(documents))
    tree = etree.fromstring(driver.encode(), parser=parser, base_url=folder.as_uri() + "/")
    return etree.XMLSchema(tree)


def schema_errors(element: etree._Element, *, artefacts_dir: Path) -> list[str]:
    """XSD findings for a request or response element of one of the services (empty: valid)."""
    match = service_for_element(element.tag)
    if match is None:
        return [f"{etree.QName(element).localname} is not a message of the RSU VAT services"]
    folder = match[0].folder(artefacts_dir).resolve()
    with _lock:  # compile once; XMLSchema objects are not shared across threads mid-build
        schema = _compiled(folder)
    # Validate a detached copy: the element may sit inside a SOAP envelope.
    copy = etree.fromstring(etree.tostring(element))
    with _lock:
        valid = schema.validate(copy)
        log = list(schema.error_log)
    if valid:
        return []
    return [e.message for e in log]
