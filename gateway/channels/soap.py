"""A generic SOAP channel (zeep): the payload is the operation's input element, sent as is.

The pipeline hands over the document to deliver; for a SOAP authority that
document is the request body element (``…_I``). The channel reads it into the
operation's input with zeep (so the WSDL's types decide what is sent), lets a
hook adjust it (a transaction id, a timestamp), signs with the configured
WS-Security plugin, posts over the given TLS session and reads the answer
with the hardened parser. What the answer means (a transmission id, a
refusal) and how a receipt is fetched are the authority's business: hooks.
WSDLs and XSDs are read from one folder only; nothing is fetched.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlparse

import requests
import zeep
import zeep.exceptions
import zeep.helpers
from lxml import etree

from gateway.channels.base import (
    ChannelError,
    OutboundMessage,
    ReceiptOutcome,
    SendOutcome,
    SendResult,
)
from schemas import xmlsafe

__all__ = ["OneFolderTransport", "SoapChannel", "SoapContractError", "SoapEndpoint", "SoapFault"]

_log = logging.getLogger("gateway.channels.soap")
SOAP_NS = "http://schemas.xmlsoap.org/soap/envelope/"
_ANSWER_LIMITS = xmlsafe.XmlLimits(max_bytes=20 * 1024 * 1024, max_depth=60)


class SoapFault(ChannelError):
    """The service answered with a SOAP fault."""

    def __init__(self, code: str, text: str) -> None:
        super().__init__(f"SOAP fault {code}: {text}")
        self.code = code
        self.text = text

    @property
    def client_side(self) -> bool:
        """A fault the sender caused (resending the same message will not help)."""
        local = self.code.rsplit(":", 1)[-1].lower()
        return local in ("client", "sender") or "security" in local or "wsse" in self.code


class SoapContractError(ChannelError):
    """The WSDL could not be loaded or the payload does not fit the operation."""


@dataclass(frozen=True, slots=True)
class SoapEndpoint:
    """One operation of one WSDL at one address."""

    wsdl: Path
    operation: str
    address: str
    binding: str | None = None  # "{ns}Name"; the WSDL's first binding when None
    soap_action: str | None = None  # the operation's own when None


class OneFolderTransport(zeep.Transport):
    """Loads WSDLs and XSDs from one folder and nowhere else (no network, no other files)."""

    def __init__(
        self,
        root: Path,
        session: requests.Session,
        timeout: float,
        *,
        refuse: Callable[[str], Exception] = SoapContractError,
    ) -> None:
        super().__init__(session=session, timeout=timeout, operation_timeout=timeout)
        self._root = root.resolve()
        self._refuse = refuse

    def load(self, url: str) -> bytes:
        parsed = urlparse(url)
        if parsed.scheme in ("", "file"):
            path = Path(unquote(parsed.path) if parsed.scheme else url).resolve()
            if path.is_relative_to(self._root) and path.is_file():
                return path.read_bytes()
        raise self._refuse(f"refusing to fetch {url}: contracts are read from {self._root} only")


Prepare = Callable[[OutboundMessage, dict[str, Any]], dict[str, Any]]
OnAnswer = Callable[[OutboundMessage, etree._Element], SendOutcome]
OnFault = Callable[[OutboundMessage, SoapFault], SendOutcome]
Poll = Callable[["SoapChannel", OutboundMessage, str], ReceiptOutcome]


def _default_answer(message: OutboundMessage, answer: etree._Element) -> SendOutcome:
    return SendOutcome(SendResult.DELIVERED, transmission_id=message.message_id)


def _default_fault(message: OutboundMessage, fault: SoapFault) -> SendOutcome:
    if fault.client_side:
        return SendOutcome(SendResult.REJECTED, detail=str(fault))
    return SendOutcome(SendResult.RETRY, detail=str(fault))


class SoapChannel:
    """Sends the payload element through one SOAP operation; hooks interpret the answers."""

    def __init__(
        self,
        *,
        name: str,
        send: SoapEndpoint,
        contract_root: Path,
        session: requests.Session | None = None,
        wsse: Any | None = None,
        prepare: Prepare | None = None,
        on_answer: OnAnswer | None = None,
        on_fault: OnFault | None = None,
        poll: Poll | None = None,
        verify: Callable[[etree._Element], None] | None = None,
        address: Callable[[OutboundMessage], str] | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.name = name
        self.endpoint = send
        self.session = session or requests.Session()
        self._transport = OneFolderTransport(contract_root, self.session, timeout)
        self._wsse = wsse
        self._prepare = prepare
        self._on_answer = on_answer or _default_answer
        self._on_fault = on_fault or _default_fault
        self._poll = poll
        self._verify = verify
        self._address = address
        self._clients: dict[Path, zeep.Client] = {}
        self._lock = threading.Lock()

    def client(self, wsdl: Path) -> zeep.Client:
        """The zeep client of one WSDL (loaded once)."""
        wsdl = wsdl.resolve()
        with self._lock:
            if wsdl not in self._clients:
                settings = zeep.Settings(
                    strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True
                )
                try:
                    self._clients[wsdl] = zeep.Client(
                        str(wsdl), transport=self._transport, wsse=self._wsse, settings=settings
                    )
                except SoapContractError:
                    raise
                except (OSError, zeep.exceptions.Error, etree.XMLSyntaxError) as exc:
                    raise SoapContractError(f"cannot load {wsdl.name}: {exc}") from exc
            return self._clients[wsdl]

    def input_from_payload(self, endpoint: SoapEndpoint, payload: bytes) -> dict[str, Any]:
        """The operation's input read from the payload element by the WSDL's types."""
        client = self.client(endpoint.wsdl)
        try:
            root = xmlsafe.parse(payload).getroot()
            # Comments and processing instructions carry no data; zeep's parser trips on them.
            etree.strip_tags(root, etree.Comment, etree.ProcessingInstruction)
            element = client.get_element(root.tag)
            value = element.parse(root, client.wsdl.types)
        except xmlsafe.XmlError as exc:
            raise SoapContractError(f"the payload is not XML: {exc.detail}") from exc
        except (zeep.exceptions.Error, LookupError, ValueError) as exc:
            raise SoapContractError(
                f"the payload does not fit {endpoint.operation}: {exc}"
            ) from exc
        data = zeep.helpers.serialize_object(value, dict)
        if not isinstance(data, dict):
            raise SoapContractError(f"the payload does not fit {endpoint.operation}")
        return data

    def envelope(self, endpoint: SoapEndpoint, **request: Any) -> etree._Element:
        """The (signed) SOAP envelope of one request."""
        client = self.client(endpoint.wsdl)
        binding = endpoint.binding or next(iter(client.wsdl.bindings))
        service = client.create_service(binding, endpoint.address)
        try:
            return client.create_message(service, endpoint.operation, **request)
        except (zeep.exceptions.Error, TypeError, ValueError) as exc:
            raise SoapContractError(
                f"cannot build the {endpoint.operation} request: {exc}"
            ) from exc

    def call(self, endpoint: SoapEndpoint, **request: Any) -> etree._Element:
        """Send one request; return the answer's body element; a fault raises :class:`SoapFault`."""
        envelope = self.envelope(endpoint, **request)
        headers = {
            "SOAPAction": f'"{endpoint.soap_action or endpoint.operation}"',
            "Content-Type": "text/xml; charset=utf-8",
        }
        try:
            response = self._transport.post_xml(endpoint.address, envelope, headers)
        except requests.RequestException as exc:
            raise ChannelError(f"cannot reach {endpoint.address}: {exc}") from exc
        try:
            root = xmlsafe.parse(response.content, limits=_ANSWER_LIMITS).getroot()
        except xmlsafe.XmlError as exc:
            raise ChannelError(
                f"HTTP {response.status_code} with unreadable XML: {exc.detail}"
            ) from exc
        fault = root.find(f"{{{SOAP_NS}}}Body/{{{SOAP_NS}}}Fault")
        if fault is not None:
            raise SoapFault(
                (fault.findtext("faultcode") or "").strip(),
                (fault.findtext("faultstring") or "").strip(),
            )
        if response.status_code != 200:
            raise ChannelError(f"{endpoint.address} answered HTTP {response.status_code}")
        if self._verify is not None:
            self._verify(root)
        body = root.find(f"{{{SOAP_NS}}}Body")
        if body is None or not len(body):
            raise ChannelError("the answer has an empty SOAP body")
        return body[0]

    def endpoint_for(self, message: OutboundMessage) -> SoapEndpoint:
        """The send endpoint, at the address the routing table gave when a hook derives it."""
        if self._address is None:
            return self.endpoint
        return replace(self.endpoint, address=self._address(message))

    def send(self, message: OutboundMessage) -> SendOutcome:
        endpoint = self.endpoint_for(message)
        try:
            request = self.input_from_payload(endpoint, message.payload)
            if self._prepare is not None:
                request = self._prepare(message, request)
            answer = self.call(endpoint, **request)
        except SoapContractError as exc:
            return SendOutcome(SendResult.REJECTED, detail=str(exc))
        except SoapFault as fault:
            return self._on_fault(message, fault)
        except ChannelError as exc:
            _log.warning("channels.soap.transport_error", extra={"error": str(exc)})
            return SendOutcome(SendResult.RETRY, detail=str(exc))
        return self._on_answer(message, answer)

    def poll_receipt(self, message: OutboundMessage, transmission_id: str) -> ReceiptOutcome:
        if self._poll is None:
            # A service without a receipt operation: its answer to the send was the receipt.
            return ReceiptOutcome(ready=True, receipt=transmission_id.encode())
        try:
            return self._poll(self, message, transmission_id)
        except SoapFault as fault:
            return ReceiptOutcome(ready=False, rejected=fault.client_side, detail=str(fault))
        except ChannelError as exc:
            return ReceiptOutcome(ready=False, detail=str(exc))
