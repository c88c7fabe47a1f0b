"""Breaking-change detection between two OpenAPI 3.1 documents of one service.

A change is breaking when a client written against the old document can fail against
the new one:

| rule | example |
| --- | --- |
| `removed-path` | `/v1/items/{id}` is gone |
| `removed-operation` | `DELETE /v1/items/{id}` is gone |
| `removed-response` | `GET /v1/items` no longer answers 200 |
| `removed-media-type` | the request body is no longer accepted as JSON |
| `removed-response-property` | a response object lost `price` |
| `new-required-property` | a request body requires a property it did not |
| `new-required-parameter` | an operation requires a parameter it did not |
| `new-required-body` | an operation requires a body it did not |
| `narrowed-enum` | a request value the old document allowed is refused |
| `changed-type` | a request accepts fewer types, or a response returns more |

Additions (new paths, operations, optional parameters and properties, response
properties, request enum values) are compatible.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

Direction = Literal["request", "response"]
HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True, order=True)
class BreakingChange:
    location: str
    rule: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message} [{self.rule}]"


class _Resolver:
    """Follows local `$ref`s (`#/components/...`) inside one document."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.document = document

    def resolve(self, schema: Any) -> tuple[Mapping[str, Any], str | None]:
        ref: str | None = None
        seen: set[str] = set()
        while isinstance(schema, Mapping) and isinstance(schema.get("$ref"), str):
            ref = schema["$ref"]
            if ref in seen or not ref.startswith("#/"):
                break
            seen.add(ref)
            target: Any = self.document
            for part in ref[2:].split("/"):
                target = target.get(part.replace("~1", "/").replace("~0", "~"), {})
            schema = target
        return (schema if isinstance(schema, Mapping) else {}), ref


def _unwrap_nullable(schema: Mapping[str, Any]) -> tuple[Mapping[str, Any], bool]:
    """`anyOf: [X, {type: null}]` (pydantic's `X | None`) -> (X, True)."""
    options = schema.get("anyOf") or schema.get("oneOf")
    if isinstance(options, list):
        non_null = [option for option in options if option != {"type": "null"}]
        if len(non_null) == 1 and len(non_null) < len(options):
            return non_null[0], True
    return schema, False


def _types(schema: Mapping[str, Any], resolver: _Resolver) -> frozenset[str] | None:  # noqa: PLR0911 - one per shape
    """The JSON types a schema allows, or `None` when it does not constrain them."""
    resolved, _ = resolver.resolve(schema)
    declared = resolved.get("type")
    if isinstance(declared, str):
        return frozenset({declared})
    if isinstance(declared, list):
        return frozenset(str(item) for item in declared)
    options = resolved.get("anyOf") or resolved.get("oneOf")
    if isinstance(options, list):
        collected: set[str] = set()
        for option in options:
            option_types = _types(option, resolver)
            if option_types is None:
                return None
            collected |= option_types
        return frozenset(collected)
    if "properties" in resolved:
        return frozenset({"object"})
    if "enum" in resolved or "const" in resolved:
        values = resolved.get("enum", [resolved.get("const")])
        return frozenset(_json_type(value) for value in values)
    return None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _covers(wide: frozenset[str], narrow: frozenset[str]) -> bool:
    """Every value of a `narrow` type is also a value of a `wide` type."""
    return all(t in wide or (t == "integer" and "number" in wide) for t in narrow)


class _Comparer:
    def __init__(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        self.old = _Resolver(old)
        self.new = _Resolver(new)
        self.changes: list[BreakingChange] = []
        # Named schemas being compared on the current path: recursive models stop here.
        self._active: set[tuple[str | None, str | None, Direction]] = set()

    def add(self, location: str, rule: str, message: str) -> None:
        self.changes.append(BreakingChange(location, rule, message))

    def schema(self, old: Any, new: Any, location: str, direction: Direction) -> None:
        old_resolved, old_ref = self.old.resolve(old)
        new_resolved, new_ref = self.new.resolve(new)
        key = (old_ref, new_ref, direction)
        if old_ref is None and new_ref is None:
            self._compare(old_resolved, new_resolved, location, direction)
        elif key not in self._active:
            self._active.add(key)
            try:
                self._compare(old_resolved, new_resolved, location, direction)
            finally:
                self._active.discard(key)

    def _compare(
        self,
        old_resolved: Mapping[str, Any],
        new_resolved: Mapping[str, Any],
        location: str,
        direction: Direction,
    ) -> None:
        self._types(old_resolved, new_resolved, location, direction)
        if direction == "request":
            self._enum(old_resolved, new_resolved, location)
        old_inner, _ = _unwrap_nullable(old_resolved)
        new_inner, _ = _unwrap_nullable(new_resolved)
        if old_inner is not old_resolved or new_inner is not new_resolved:
            self.schema(old_inner, new_inner, location, direction)
            return
        self._object(old_resolved, new_resolved, location, direction)
        if "items" in old_resolved and "items" in new_resolved:
            self.schema(old_resolved["items"], new_resolved["items"], f"{location}[]", direction)

    def _types(
        self, old: Mapping[str, Any], new: Mapping[str, Any], location: str, direction: Direction
    ) -> None:
        old_types, new_types = _types(old, self.old), _types(new, self.new)
        if old_types is None or new_types is None or old_types == new_types:
            if old_types is None and new_types is not None and direction == "request":
                self.add(location, "changed-type", f"now only accepts {sorted(new_types)}")
            return
        if direction == "request" and not _covers(new_types, old_types):
            self.add(
                location,
                "changed-type",
                f"type changed from {sorted(old_types)} to {sorted(new_types)}",
            )
        if direction == "response" and not _covers(old_types, new_types):
            self.add(
                location,
                "changed-type",
                f"type changed from {sorted(old_types)} to {sorted(new_types)}",
            )

    def _enum(self, old: Mapping[str, Any], new: Mapping[str, Any], location: str) -> None:
        new_enum = new.get("enum")
        if not isinstance(new_enum, list):
            return
        old_enum = old.get("enum")
        if not isinstance(old_enum, list):
            self.add(location, "narrowed-enum", f"now restricted to {new_enum}")
            return
        removed = [value for value in old_enum if value not in new_enum]
        if removed:
            self.add(location, "narrowed-enum", f"no longer accepts {removed}")

    def _object(
        self, old: Mapping[str, Any], new: Mapping[str, Any], location: str, direction: Direction
    ) -> None:
        old_properties: Mapping[str, Any] = old.get("properties") or {}
        new_properties: Mapping[str, Any] = new.get("properties") or {}
        if direction == "request":
            old_required = set(old.get("required") or [])
            for name in sorted(set(new.get("required") or []) - old_required):
                self.add(
                    f"{location}.{name}",
                    "new-required-property",
                    "request property is now required",
                )
        else:
            for name in sorted(set(old_properties) - set(new_properties)):
                self.add(
                    f"{location}.{name}", "removed-response-property", "response property removed"
                )
        for name in sorted(set(old_properties) & set(new_properties)):
            self.schema(old_properties[name], new_properties[name], f"{location}.{name}", direction)

    def document(self, old: Mapping[str, Any], new: Mapping[str, Any]) -> None:
        old_paths: Mapping[str, Any] = old.get("paths") or {}
        new_paths: Mapping[str, Any] = new.get("paths") or {}
        for path in sorted(old_paths):
            if path not in new_paths:
                self.add(path, "removed-path", "path removed")
                continue
            for method in HTTP_METHODS:
                if method not in old_paths[path]:
                    continue
                location = f"{method.upper()} {path}"
                if method not in new_paths[path]:
                    self.add(location, "removed-operation", "operation removed")
                    continue
                self.operation(
                    old_paths[path][method],
                    new_paths[path][method],
                    location,
                    shared=(old_paths[path], new_paths[path]),
                )

    def operation(
        self,
        old: Mapping[str, Any],
        new: Mapping[str, Any],
        location: str,
        shared: tuple[Mapping[str, Any], Mapping[str, Any]],
    ) -> None:
        self.parameters(
            [*shared[0].get("parameters", []), *old.get("parameters", [])],
            [*shared[1].get("parameters", []), *new.get("parameters", [])],
            location,
        )
        self.request_body(old.get("requestBody"), new.get("requestBody"), location)
        self.responses(old.get("responses") or {}, new.get("responses") or {}, location)

    def parameters(self, old: list[Any], new: list[Any], location: str) -> None:
        def index(parameters: list[Any], resolver: _Resolver) -> dict[tuple[str, str], Any]:
            resolved = (resolver.resolve(parameter)[0] for parameter in parameters)
            return {(p.get("in", ""), p.get("name", "")): p for p in resolved}

        old_index, new_index = index(old, self.old), index(new, self.new)
        for key, parameter in sorted(new_index.items()):
            where = f"{location} {key[0]} parameter {key[1]!r}"
            previous = old_index.get(key)
            if parameter.get("required") and not (previous and previous.get("required")):
                self.add(where, "new-required-parameter", "parameter is now required")
            if previous is not None:
                self.schema(
                    previous.get("schema", {}), parameter.get("schema", {}), where, "request"
                )

    def request_body(self, old: Any, new: Any, location: str) -> None:
        old_body = self.old.resolve(old)[0] if old else None
        new_body = self.new.resolve(new)[0] if new else None
        if new_body is None:
            return
        if old_body is None:
            if new_body.get("required"):
                self.add(location, "new-required-body", "operation now requires a request body")
            return
        if new_body.get("required") and not old_body.get("required"):
            self.add(location, "new-required-body", "request body is now required")
        old_content: Mapping[str, Any] = old_body.get("content") or {}
        new_content: Mapping[str, Any] = new_body.get("content") or {}
        for media_type in sorted(old_content):
            where = f"{location} request {media_type}"
            if media_type not in new_content:
                self.add(where, "removed-media-type", "request media type no longer accepted")
                continue
            self.schema(
                old_content[media_type].get("schema", {}),
                new_content[media_type].get("schema", {}),
                where,
                "request",
            )

    def responses(self, old: Mapping[str, Any], new: Mapping[str, Any], location: str) -> None:
        for status in sorted(old):
            if not str(status).startswith("2"):
                continue  # error responses may evolve; clients handle them generically
            where = f"{location} response {status}"
            if status not in new:
                self.add(where, "removed-response", "success response removed")
                continue
            old_content: Mapping[str, Any] = self.old.resolve(old[status])[0].get("content") or {}
            new_content: Mapping[str, Any] = self.new.resolve(new[status])[0].get("content") or {}
            for media_type in sorted(set(old_content) & set(new_content)):
                self.schema(
                    old_content[media_type].get("schema", {}),
                    new_content[media_type].get("schema", {}),
                    f"{where} {media_type}",
                    "response",
                )
            for media_type in sorted(set(old_content) - set(new_content)):
                self.add(
                    f"{where} {media_type}", "removed-media-type", "response media type removed"
                )


def breaking_changes(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[BreakingChange]:
    """Every breaking change from `old` to `new`, sorted by location."""
    comparer = _Comparer(old, new)
    comparer.document(old, new)
    return sorted(set(comparer.changes))
