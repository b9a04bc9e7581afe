"""The OpenAPI document as clients' tools expect it.

One pass over the generated schema adds what FastAPI leaves out: the bearer
security scheme (Swagger's *Authorize* button), operation ids and summaries for
people, every 4xx as ``application/problem+json`` (one shared responses dict),
and an example for each request body.
"""

from __future__ import annotations

import copy
import inspect
import re
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute

from gateway.web import deps

__all__ = ["PROBLEM_RESPONSES", "install_openapi"]

_PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM_RESPONSES: dict[str, str] = {
    "400": "The request is malformed or refers to something that does not fit",
    "401": "No API key, or one the gateway does not know: send `Authorization: Bearer <key>`",
    "403": "The key's roles do not allow this for the organisation",
    "404": "No such resource in the caller's organisation",
    "409": "The resource is not in a state that allows this",
    "412": "`If-Match` names an ETag that is no longer current: read again and retry",
    "413": "The body is over the configured size limit",
    "422": "A field or a document was refused; `errors` or `findings` say which and where",
    "428": "This change needs `If-Match` with the resource's current ETag",
}

_PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "description": "RFC 9457 problem details; `type` links to a page explaining the problem.",
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "format": "uri"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {"type": "array", "items": {"type": "object"}},
        "findings": {"type": "array", "items": {"type": "object"}},
    },
    "additionalProperties": True,
}

_SECURITY_SCHEME = {
    "type": "http",
    "scheme": "bearer",
    "bearerFormat": "API key",
    "description": "An API key made by `gateway key create`, sent as `Authorization: Bearer <key>`",
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


def _api_routes(app: FastAPI) -> list[Any]:
    """The API routes with their effective path, through routers included in routers."""
    try:
        from fastapi.routing import iter_route_contexts  # FastAPI >= 0.160 nests routers
    except ImportError:  # pragma: no cover - older FastAPI keeps a flat list
        return [r for r in app.routes if isinstance(r, APIRoute) and r.include_in_schema]
    return [
        ctx
        for ctx in iter_route_contexts(app.routes)
        if isinstance(ctx.original_route, APIRoute) and ctx.include_in_schema
    ]


def _needs_key(route: APIRoute) -> bool:
    stack = list(route.dependant.dependencies)
    while stack:
        dep = stack.pop()
        if dep.call is deps._actor:
            return True
        stack.extend(dep.dependencies)
    return False


def _doc_summary(route: APIRoute) -> str | None:
    doc = inspect.getdoc(route.endpoint)
    return doc.strip().splitlines()[0].rstrip(".") if doc else None


def _operation_ids(routes: list[APIRoute]) -> dict[int, str]:
    names: dict[int, str] = {id(r): _camel(r.name) for r in routes}
    taken: dict[str, int] = {}
    for r in routes:
        taken[names[id(r)]] = taken.get(names[id(r)], 0) + 1
    for r in routes:
        if taken[names[id(r)]] > 1:  # the same function name in two domains
            domain = r.endpoint.__module__.split(".")[0]
            names[id(r)] = _camel(f"{domain}_{r.name}")
    return names


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return components.get(ref.rsplit("/", 1)[-1], {})  # type: ignore[no-any-return]
    return schema


def example_of(schema: dict[str, Any], components: dict[str, Any], depth: int = 0) -> Any:
    """A value that fits ``schema``, preferring what the schema itself gives as example."""
    schema = _resolve(schema, components)
    for key in ("example", "default", "const"):
        if schema.get(key) is not None:
            return schema[key]
    if schema.get("examples"):
        return schema["examples"][0]
    if schema.get("enum"):
        return schema["enum"][0]
    for key in ("anyOf", "oneOf", "allOf"):
        options = [o for o in schema.get(key, []) if o.get("type") != "null"]
        if options:
            return example_of(options[0], components, depth)
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        if depth > 8:
            return {}
        props = schema.get("properties", {})
        # What a person would send: the required fields and those the schema gives examples for.
        shown = [
            name
            for name, sub in props.items()
            if name in schema.get("required", ()) or "examples" in sub or "example" in sub
        ] or list(props)
        found = {name: example_of(props[name], components, depth + 1) for name in shown}
        extra = schema.get("additionalProperties")
        if not found and isinstance(extra, dict):
            found = {"key": example_of(extra, components, depth + 1)}
        return found
    if kind == "array":
        item = example_of(schema.get("items", {}), components, depth + 1)
        return [item] * max(int(schema.get("minItems", 1)), 1)
    if kind == "integer":
        return int(schema.get("minimum", 1))
    if kind == "number":
        return schema.get("minimum", 100.0)
    if kind == "boolean":
        return True
    return _string_example(schema)


def _string_example(schema: dict[str, Any]) -> str:
    fmt = schema.get("format")
    by_format = {
        "date-time": "2026-12-01T10:00:00Z",
        "date": "2026-12-01",
        "email": "officer@example.dk",
        "uuid": "0f8c1d2e-3b4a-4c5d-8e9f-0a1b2c3d4e5f",
        "uri": "https://example.dk/",
    }
    if fmt in by_format:
        return by_format[fmt]
    return _fit(str(schema.get("title", "text")).lower(), schema)


def _fit(text: str, schema: dict[str, Any]) -> str:
    """``text`` bent to the schema's pattern and length limits, as far as simple edits go."""
    low, high = int(schema.get("minLength", 0)), schema.get("maxLength")
    pattern = schema.get("pattern")
    counts = [int(n) for n in re.findall(r"\{(\d+)", pattern or "")] or [8]
    candidates = [
        text,
        text.replace(" ", "-"),
        text.replace(" ", "_"),
        text.replace(" ", ""),
        "1" * counts[0],
        "A" * counts[0],
    ]
    for candidate in candidates:
        fitted = candidate + "x" * max(low - len(candidate), 0)
        if high is not None:
            fitted = fitted[: int(high)]
        if pattern is None or re.search(pattern, fitted):
            return fitted
    return text


def _problem_content() -> dict[str, Any]:
    return {"application/problem+json": {"schema": _PROBLEM_REF}}


def _document(op: dict[str, Any], route: APIRoute, secured: bool, method: str) -> None:
    responses: dict[str, Any] = op.setdefault("responses", {})
    wanted = {"400"}
    if secured:
        wanted |= {"401", "403"}
    if route.dependant.path_params:
        wanted.add("404")
    if route.dependant.query_params or route.dependant.body_params or "requestBody" in op:
        wanted.add("422")
    if method in {"post", "put", "patch", "delete"}:
        wanted.add("409")
    if any(p.alias.lower() == "if-match" for p in route.dependant.header_params):
        wanted |= {"412", "428"}
    for code in sorted(wanted | {c for c in responses if c.startswith("4")}):
        entry = responses.setdefault(code, {})
        entry["description"] = entry.get("description") or PROBLEM_RESPONSES.get(code, "Refused")
        if entry["description"] in {"Validation Error", ""}:
            entry["description"] = PROBLEM_RESPONSES["422"]
        entry["content"] = _problem_content()


# A UBL skeleton for the routes that take a document; Swagger shows it in "Try it out".
_XML_EXAMPLE = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"\n'
    '  xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">\n'
    "  <cbc:CustomizationID>urn:cen.eu:en16931:2017#compliant#"
    "urn:fdc:peppol.eu:2017:poacc:billing:3.0</cbc:CustomizationID>\n"
    "  <cbc:ID>INV-1001</cbc:ID>\n  <!-- the rest of the document -->\n</Invoice>\n"
)


def _add_examples(op: dict[str, Any], components: dict[str, Any]) -> None:
    for media, body in op.get("requestBody", {}).get("content", {}).items():
        if "example" in body or "examples" in body:
            continue
        schema = body.get("schema", {})
        if "json" in media:
            body["example"] = example_of(schema, components)
        elif "xml" in media:
            body["example"] = _XML_EXAMPLE


def _drop_auth_headers(op: dict[str, Any]) -> None:
    # The security scheme carries the key; a header parameter of the same name would
    # show Swagger users a second, useless Authorization field.
    params = [
        p
        for p in op.get("parameters", [])
        if not (p.get("in") == "header" and p.get("name", "").lower() == "authorization")
    ]
    if params:
        op["parameters"] = params
    else:
        op.pop("parameters", None)


def build_openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document of ``app`` with the gateway's conventions applied."""
    spec = get_openapi(
        title=app.title, version=app.version, description=app.description, routes=app.routes
    )
    components = spec.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    schemas["Problem"] = _PROBLEM_SCHEMA
    schemas.pop("HTTPValidationError", None)
    schemas.pop("ValidationError", None)
    components["securitySchemes"] = {"bearer": _SECURITY_SCHEME}
    routes = _api_routes(app)
    ids = _operation_ids(routes)
    for route in routes:
        secured = _needs_key(route)
        for method in route.methods:
            op = spec["paths"].get(route.path_format, {}).get(method.lower())
            if op is None:
                continue
            op["operationId"] = ids[id(route)]
            op["summary"] = route.summary or _doc_summary(route) or op.get("summary", "")
            if secured:
                op["security"] = [{"bearer": []}]
            _drop_auth_headers(op)
            _document(op, route, secured, method.lower())
            _add_examples(op, schemas)
    return copy.deepcopy(spec)


def install_openapi(app: FastAPI) -> None:
    """Serve :func:`build_openapi`'s document at ``/openapi.json`` (computed once)."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = build_openapi(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
