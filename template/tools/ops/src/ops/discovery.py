"""Find the repository's services from their `catalog-info.yaml` files.

The one reader of the `goldenpath.dev/*` annotations: `ops dev`, `ops db migrate`, the
deploy matrix, the load benchmark, the contract tools and the docs hooks all call
`discover_services`, so adding a service directory is all it takes for every tool to
pick it up. It reads the repository, so it lives here and not in the runtime library:
no container image needs it.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, Field, StringConstraints, ValidationError

from ops.errors import EXIT_USAGE, OpsError

CATALOG_GLOB = "services/*/catalog-info.yaml"
PORT_ANNOTATION = "goldenpath.dev/port"
APP_ANNOTATION = "goldenpath.dev/app"
MIGRATIONS_ANNOTATION = "goldenpath.dev/migrations"


class DiscoveryError(OpsError):
    """A catalog file is broken (not YAML, no Component, duplicate name or port)."""

    default_exit_code = EXIT_USAGE


@dataclass(frozen=True)
class ServiceInfo:
    """A Python service: `app` is the factory's import string, `module:callable`;
    `migrations` the package holding its Alembic environment, when it has a database."""

    name: str
    directory: Path
    port: int
    app: str
    migrations: str | None

    @property
    def package(self) -> str:
        """The service's top-level package: what `python -m <package> migrate` runs."""
        return self.app.partition(":")[0].split(".")[0]

    def load_factory(self) -> Callable[..., Any]:
        """Import the app factory named by `app` (its package must be installed)."""
        module_name, _, attribute = self.app.partition(":")
        factory = getattr(importlib.import_module(module_name), attribute)
        if not callable(factory):
            msg = f"{self.app} (service {self.name}) is not callable"
            raise DiscoveryError(msg)
        return factory  # type: ignore[no-any-return]


@dataclass(frozen=True)
class SkippedService:
    """A catalog file that describes no runnable Python service, and why."""

    catalog: Path
    reason: str


@dataclass(frozen=True)
class Discovery:
    services: list[ServiceInfo]
    skipped: list[SkippedService]


def discover_services(repo_root: Path | str) -> list[ServiceInfo]:
    """The services under `repo_root/services`, sorted by name. See `scan_services` for
    the catalog files that were skipped."""
    return scan_services(repo_root).services


def scan_services(repo_root: Path | str) -> Discovery:
    root = Path(repo_root).resolve()
    services: list[ServiceInfo] = []
    skipped: list[SkippedService] = []
    for catalog in sorted(root.glob(CATALOG_GLOB)):
        result = _read_catalog(catalog)
        if isinstance(result, ServiceInfo):
            services.append(result)
        else:
            skipped.append(SkippedService(catalog=catalog, reason=result))
    _check_unique(services)
    return Discovery(services=sorted(services, key=lambda s: s.name), skipped=skipped)


class _Annotations(BaseModel):
    """The ``goldenpath.dev/*`` annotations of a Python service's Component."""

    app: Annotated[str, StringConstraints(pattern=r"^[\w.]+:\w+$")] = Field(alias=APP_ANNOTATION)
    port: Annotated[int, Field(gt=0, lt=65536)] = Field(alias=PORT_ANNOTATION)
    migrations: str | None = Field(default=None, alias=MIGRATIONS_ANNOTATION)


class _Metadata(BaseModel):
    name: str
    annotations: dict[str, Any] | None = None


# Why a catalog file describes no runnable service, by pydantic error type.
_SKIP_REASONS: dict[str, str] = {
    "missing": "no {annotation} annotation",
    "int_parsing": "{annotation} is not a number: {value!r}",
    "int_type": "{annotation} is not a number: {value!r}",
    "greater_than": "{annotation} is out of range: {value}",
    "less_than": "{annotation} is out of range: {value}",
    "string_pattern_mismatch": "{annotation} must be 'module:factory', got {value!r}",
    "string_type": "{annotation} must be 'module:factory', got {value!r}",
}


def _skip_reason(error: ValidationError) -> str:
    first = error.errors()[0]
    annotation = str(first["loc"][0])
    template = _SKIP_REASONS.get(first["type"], "{annotation}: {message}")
    return template.format(annotation=annotation, value=first["input"], message=first["msg"])


def _read_catalog(catalog: Path) -> ServiceInfo | str:
    """The service, or the reason the file describes none."""
    try:
        documents = list(yaml.safe_load_all(catalog.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        msg = f"{catalog}: not valid YAML: {exc}"
        raise DiscoveryError(msg) from exc
    component = next(
        (doc for doc in documents if isinstance(doc, dict) and doc.get("kind") == "Component"),
        None,
    )
    if component is None:
        return "no Component document"
    try:
        metadata = _Metadata.model_validate(component.get("metadata"))
    except ValidationError as exc:
        msg = f"{catalog}: the Component has no metadata.name"
        raise DiscoveryError(msg) from exc
    annotations = metadata.annotations or {}
    if not annotations.get(APP_ANNOTATION):
        return f"no {APP_ANNOTATION} annotation (not a Python service)"
    try:
        found = _Annotations.model_validate(annotations)
    except ValidationError as exc:
        return _skip_reason(exc)
    return ServiceInfo(
        name=metadata.name,
        directory=catalog.parent,
        port=found.port,
        app=found.app,
        migrations=found.migrations or None,
    )


def _check_unique(services: list[ServiceInfo]) -> None:
    for field_name in ("name", "port"):
        seen: dict[object, Path] = {}
        for service in services:
            value = getattr(service, field_name)
            if value in seen:
                msg = (
                    f"duplicate service {field_name} {value!r} in {seen[value]} and "
                    f"{service.directory}"
                )
                raise DiscoveryError(msg)
            seen[value] = service.directory
