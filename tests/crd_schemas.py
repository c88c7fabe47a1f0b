"""Validate custom resources (Argo CD, Argo Rollouts, Prometheus Operator, KEDA, Velero).

kubernetes-validate knows only the built-in kinds and merely warns about the rest, so the
objects that drive deployments (Application, Rollout, ServiceMonitor, ScaledObject, Velero
Schedule...) need schemas of their own. ``tools/infra_tools.py`` generates them into
``.tools/crd-validate/schemas`` from pinned, typed models of each project's Go API types
(see ``tools/crd-validate/``). Every object in those schemas is closed, so a misspelled
field is reported instead of being dropped by the API server.

    from tests.crd_schemas import crd_errors
    assert crd_errors(docs) == []

Objects outside the covered API groups are ignored; a kind inside a covered group
without a schema raises, so a new custom resource cannot slip through unchecked.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import ValidationError, best_match

from tools.infra_tools import CRD_SCHEMAS, crd_sources_digest

# API groups whose every kind must have a schema.
CRD_GROUPS = frozenset({"argoproj.io", "monitoring.coreos.com", "keda.sh", "velero.io"})


class MissingSchemaError(LookupError):
    """A custom resource of a covered API group that no schema describes."""


def _schemas_dir() -> Path:
    marker = CRD_SCHEMAS.parent / ".digest"
    if not marker.is_file() or not CRD_SCHEMAS.is_dir():
        msg = f"no CRD schemas in {CRD_SCHEMAS}: run `python tools/infra_tools.py`"
        raise RuntimeError(msg)
    if marker.read_text(encoding="utf-8") != crd_sources_digest():
        msg = f"the CRD schemas in {CRD_SCHEMAS} are stale: run `python tools/infra_tools.py`"
        raise RuntimeError(msg)
    return CRD_SCHEMAS


@functools.cache
def _validator(api_version: str, kind: str) -> jsonschema.protocols.Validator:
    path = _schemas_dir() / f"{api_version.replace('/', '_')}_{kind}.json"
    if not path.is_file():
        msg = f"no schema for {api_version} {kind} (add it to tools/crd-validate/)"
        raise MissingSchemaError(msg)
    schema = json.loads(path.read_text(encoding="utf-8"))
    validator_class = jsonschema.validators.validator_for(schema)
    validator: jsonschema.protocols.Validator = validator_class(schema)
    return validator


def covered_kinds() -> list[str]:
    """``apiVersion kind`` of every resource that has a schema."""
    names = sorted(path.stem for path in _schemas_dir().glob("*.json"))
    return [" ".join(name.rsplit("_", 1)).replace("_", "/", 1) for name in names]


def _location(error: ValidationError) -> str:
    path = ""
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path.lstrip(".") or "(root)"


def _deepest(error: ValidationError) -> ValidationError:
    """For anyOf/oneOf failures, the alternative that got furthest."""
    while error.context:
        best = best_match(error.context)
        if best is None:
            break
        error = best
    return error


def _is_covered(doc: Any) -> bool:
    if not isinstance(doc, dict) or not isinstance(doc.get("apiVersion"), str):
        return False
    return doc["apiVersion"].split("/")[0] in CRD_GROUPS


def object_errors(doc: dict[str, Any]) -> list[str]:
    """Readable schema errors of one custom resource (``[]`` when valid)."""
    api_version, kind = doc["apiVersion"], doc.get("kind")
    if not isinstance(kind, str):
        return [f"{api_version} object without a kind"]
    validator = _validator(api_version, kind)
    name = (doc.get("metadata") or {}).get("name", "<unnamed>")
    errors = sorted(validator.iter_errors(doc), key=lambda error: list(error.absolute_path))
    messages = []
    for error in errors:
        deepest = _deepest(error)
        messages.append(f"{kind}/{name}: {_location(deepest)}: {deepest.message}")
    return messages


def crd_errors(docs: Iterable[Any]) -> list[str]:
    """One message per schema error of the custom resources among ``docs``.

    Built-in kinds and resources of other API groups are skipped (None documents too).
    Raises MissingSchemaError for a kind of a covered group that has no schema.
    """
    errors: list[str] = []
    for doc in docs:
        if _is_covered(doc):
            errors.extend(object_errors(doc))
    return errors
