"""Markdown API reference pages from OpenAPI documents, for the mkdocs site.

One page per service: the endpoints table, then each operation (parameters, request
body, responses), then every component schema. The page has a single H1 and no links,
so `mkdocs build --strict` has nothing to complain about wherever the page is placed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ops.markdown import cell

from .compat import HTTP_METHODS

REF_PREFIX = "#/components/schemas/"


def _table(header: Iterable[str], rows: Iterable[Iterable[Any]]) -> list[str]:
    names = list(header)
    lines = [
        "| " + " | ".join(names) + " |",
        "| " + " | ".join("---" for _ in names) + " |",
    ]
    lines.extend("| " + " | ".join(cell(value) for value in row) + " |" for row in rows)
    return lines


def type_label(schema: Mapping[str, Any]) -> str:  # noqa: PLR0911 - one return per schema shape
    """A short human description of a schema: `string (date-time)`, `array of Item`."""
    ref = schema.get("$ref")
    if isinstance(ref, str):
        return ref.removeprefix(REF_PREFIX)
    options = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(options, list):
        return " or ".join(type_label(option) for option in options)
    if "enum" in schema:
        return "one of " + ", ".join(f"`{value}`" for value in schema["enum"])
    if "const" in schema:
        return f"`{schema['const']}`"
    declared = schema.get("type")
    if declared == "array":
        return f"array of {type_label(schema.get('items') or {})}"
    if isinstance(declared, list):
        return " or ".join(str(item) for item in declared)
    if isinstance(declared, str):
        extra = schema.get("format")
        return f"{declared} ({extra})" if extra else declared
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return type_label(schema["allOf"][0])
    return "any"


def _schema_summary(content: Mapping[str, Any]) -> str:
    if not content:
        return "-"
    return "; ".join(
        f"`{media}`: {type_label(body.get('schema') or {})}" for media, body in content.items()
    )


def _operations(document: Mapping[str, Any]) -> list[tuple[str, str, Mapping[str, Any]]]:
    found = []
    for path, item in sorted((document.get("paths") or {}).items()):
        for method in HTTP_METHODS:
            if method in item:
                found.append((method.upper(), path, item[method]))
    return found


def _auth(operation: Mapping[str, Any], document: Mapping[str, Any]) -> str:
    requirements = operation.get("security", document.get("security")) or []
    names = sorted({name for requirement in requirements for name in requirement})
    return ", ".join(names) if names else "none"


def _scopes(operation: Mapping[str, Any], document: Mapping[str, Any]) -> str:
    requirements = operation.get("security", document.get("security")) or []
    scopes = sorted(
        {scope for requirement in requirements for names in requirement.values() for scope in names}
    )
    return f" (scopes {', '.join(f'`{scope}`' for scope in scopes)})" if scopes else ""


def _operation_section(
    method: str, path: str, operation: Mapping[str, Any], document: Mapping[str, Any]
) -> list[str]:
    lines = ["", f"### `{method} {path}`", ""]
    summary = operation.get("summary")
    description = operation.get("description")
    if summary:
        lines += [str(summary).strip(), ""]
    if description and description != summary:
        lines += [str(description).strip(), ""]
    lines += [f"Authentication: {_auth(operation, document)}{_scopes(operation, document)}."]
    parameters = operation.get("parameters") or []
    if parameters:
        lines += ["", "Parameters:", ""]
        lines += _table(
            ["Name", "In", "Type", "Required", "Description"],
            (
                [
                    f"`{p.get('name')}`",
                    p.get("in"),
                    type_label(p.get("schema") or {}),
                    "yes" if p.get("required") else "no",
                    p.get("description") or (p.get("schema") or {}).get("description", ""),
                ]
                for p in parameters
            ),
        )
    body = operation.get("requestBody")
    if body:
        required = "required" if body.get("required") else "optional"
        lines += ["", f"Request body ({required}): {_schema_summary(body.get('content') or {})}"]
    responses = operation.get("responses") or {}
    if responses:
        lines += ["", "Responses:", ""]
        lines += _table(
            ["Status", "Description", "Body"],
            (
                [
                    status,
                    response.get("description", ""),
                    _schema_summary(response.get("content") or {}),
                ]
                for status, response in sorted(responses.items())
            ),
        )
    links = [
        (status, name, link)
        for status, response in sorted(responses.items())
        for name, link in sorted((response.get("links") or {}).items())
    ]
    if links:
        lines += ["", "Links (what a client can do next with the response):", ""]
        lines += _table(
            ["Status", "Link", "Operation", "Parameters", "Description"],
            (
                [
                    status,
                    name,
                    f"`{link.get('operationId') or link.get('operationRef', '')}`",
                    ", ".join(
                        f"`{parameter}` = `{value}`"
                        for parameter, value in sorted((link.get("parameters") or {}).items())
                    ),
                    link.get("description", ""),
                ]
                for status, name, link in links
            ),
        )
    return lines


def _schema_section(name: str, schema: Mapping[str, Any]) -> list[str]:
    lines = ["", f"### `{name}`", ""]
    description = schema.get("description")
    if description:
        lines += [" ".join(str(description).split()), ""]
    properties: Mapping[str, Any] = schema.get("properties") or {}
    if not properties:
        return [*lines, f"Type: {type_label(schema)}."]
    required = set(schema.get("required") or [])
    return lines + _table(
        ["Property", "Type", "Required", "Description"],
        (
            [
                f"`{prop}`",
                type_label(details),
                "yes" if prop in required else "no",
                details.get("description", ""),
            ]
            for prop, details in properties.items()
        ),
    )


def render_reference(document: Mapping[str, Any], service: str) -> str:
    """The Markdown page for one service's OpenAPI document."""
    info: Mapping[str, Any] = document.get("info") or {}
    title = info.get("title") or service
    lines = [
        f"# {title} API reference",
        "",
        f"Service `{service}`, API version {info.get('version', 'unknown')}, "
        f"OpenAPI {document.get('openapi', '3.1')}. Generated from "
        f"`libs/shared-contracts/openapi/{service}.json` by "
        "`python -m shared_contracts docs`; do not edit by hand.",
    ]
    if info.get("description"):
        lines += ["", " ".join(str(info["description"]).split())]
    operations = _operations(document)
    lines += ["", "## Endpoints", ""]
    if operations:
        lines += _table(
            ["Method", "Path", "Summary", "Authentication"],
            (
                [method, f"`{path}`", operation.get("summary", ""), _auth(operation, document)]
                for method, path, operation in operations
            ),
        )
        for method, path, operation in operations:
            lines += _operation_section(method, path, operation, document)
    else:
        lines.append("This service publishes no endpoints.")
    schemas: Mapping[str, Any] = (document.get("components") or {}).get("schemas") or {}
    if schemas:
        lines += ["", "## Schemas"]
        for name, schema in sorted(schemas.items()):
            lines += _schema_section(name, schema)
    return "\n".join(lines) + "\n"
