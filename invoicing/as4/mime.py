"""MIME multipart/related packaging of a SOAP 1.2 envelope with its attachments (SwA)."""

from __future__ import annotations

import base64
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import Message

from invoicing.as4.errors import As4Refused

__all__ = ["MimePackage", "pack", "unpack"]

_SOAP_CID = "soap-envelope@gateway"


@dataclass(frozen=True, slots=True)
class MimePackage:
    """The SOAP envelope bytes and the attachments keyed by Content-ID (without brackets)."""

    envelope: bytes
    attachments: dict[str, bytes]


def pack(envelope: bytes, attachments: Mapping[str, bytes]) -> tuple[bytes, str]:
    """Return the HTTP body and its Content-Type for an envelope and its attachments."""
    boundary = "MIMEBoundary_" + secrets.token_hex(16)
    dash = b"--" + boundary.encode("ascii")
    chunks = [
        dash,
        b"\r\nContent-Type: application/soap+xml; charset=UTF-8\r\n"
        b"Content-Transfer-Encoding: binary\r\n"
        b"Content-ID: <" + _SOAP_CID.encode() + b">\r\n\r\n",
        envelope,
    ]
    for cid, content in attachments.items():
        chunks += [
            b"\r\n",
            dash,
            b"\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Transfer-Encoding: binary\r\n"
            b"Content-ID: <" + cid.encode("ascii") + b">\r\n\r\n",
            content,
        ]
    chunks += [b"\r\n", dash, b"--\r\n"]
    content_type = (
        f'multipart/related; type="application/soap+xml"; '
        f'boundary="{boundary}"; start="<{_SOAP_CID}>"'
    )
    return b"".join(chunks), content_type


def _params(content_type: str) -> Message:
    msg = Message()
    msg["Content-Type"] = content_type
    return msg


def _split_headers(part: bytes) -> tuple[dict[str, str], bytes]:
    head, sep, body = part.partition(b"\r\n\r\n")
    if not sep:
        head, sep, body = part.partition(b"\n\n")
    if not sep:
        raise As4Refused("a MIME part has no header block", code="EBMS:0004")
    headers: dict[str, str] = {}
    for line in head.decode("latin-1").splitlines():
        if line[:1] in (" ", "\t") and headers:
            last = next(reversed(headers))
            headers[last] += " " + line.strip()
            continue
        name, colon, value = line.partition(":")
        if colon:
            headers[name.strip().lower()] = value.strip()
    return headers, body


def _decode(headers: Mapping[str, str], body: bytes) -> bytes:
    encoding = headers.get("content-transfer-encoding", "binary").lower()
    if encoding == "base64":
        try:
            return base64.b64decode(body, validate=False)
        except ValueError as exc:
            raise As4Refused("a MIME part is not valid base64", code="EBMS:0004") from exc
    return body


def unpack(body: bytes, content_type: str) -> MimePackage:
    """Split a multipart/related body into its SOAP envelope and attachments."""
    params = _params(content_type)
    ctype = params.get_content_type()
    if ctype in ("application/soap+xml", "text/xml"):
        return MimePackage(envelope=body, attachments={})
    if ctype != "multipart/related":
        raise As4Refused(f"content type {ctype} is not multipart/related", code="EBMS:0004")
    boundary = params.get_param("boundary")
    if not isinstance(boundary, str) or not boundary:
        raise As4Refused("multipart/related without boundary", code="EBMS:0004")
    start = params.get_param("start")
    delimiter = b"--" + boundary.encode("latin-1")
    pieces = body.split(delimiter)
    if len(pieces) < 3:
        raise As4Refused("multipart body holds no parts", code="EBMS:0004")
    parts: list[tuple[dict[str, str], bytes]] = []
    for piece in pieces[1:]:
        if piece.startswith(b"--"):
            break
        # The CRLF before a delimiter belongs to the delimiter, not to the content.
        piece = piece.removeprefix(b"\r\n").removeprefix(b"\n")
        if piece.endswith(b"\r\n"):
            piece = piece[:-2]
        elif piece.endswith(b"\n"):
            piece = piece[:-1]
        headers, content = _split_headers(piece)
        parts.append((headers, _decode(headers, content)))
    root_index = 0
    if isinstance(start, str) and start:
        wanted = start.strip().strip("<>")
        for i, (headers, _) in enumerate(parts):
            if headers.get("content-id", "").strip().strip("<>") == wanted:
                root_index = i
                break
    envelope = parts[root_index][1]
    attachments: dict[str, bytes] = {}
    for i, (headers, content) in enumerate(parts):
        if i == root_index:
            continue
        cid = headers.get("content-id", "").strip().strip("<>")
        if not cid:
            raise As4Refused("an attachment has no Content-ID", code="EBMS:0004")
        if cid in attachments:
            raise As4Refused(f"Content-ID {cid} appears twice", code="EBMS:0004")
        attachments[cid] = content
    return MimePackage(envelope=envelope, attachments=attachments)
