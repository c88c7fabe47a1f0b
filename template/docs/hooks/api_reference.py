"""mkdocs hook: the Services section, generated from the OpenAPI contracts at build time.

Every service found under ``services/*/catalog-info.yaml`` gets a page
``services/<name>.md`` rendered from its committed contract
``libs/shared-contracts/openapi/<name>.json`` by ``shared_contracts.docs`` (the
renderer behind ``python -m shared_contracts docs``), and a table of the services
is appended to ``docs/services/index.md``; the navigation (``docs/.nav.yml``) lists
the pages of ``services/``. Nothing is written to ``docs/``: the pages exist only in the
build, so they cannot drift from the contracts. A service without a contract, or
a contract that is not a JSON object, fails the build.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from mkdocs.structure.pages import Page
from ops.discovery import ServiceInfo, discover_services
from ops.markdown import cell
from shared_contracts.docs import render_reference
from shared_contracts.openapi import contracts_dir

SECTION_DIR = "services"
INDEX_URI = f"{SECTION_DIR}/index.md"


@dataclass(frozen=True)
class Contract:
    """One committed OpenAPI document and the service it belongs to, if discovered."""

    name: str
    document: Mapping[str, Any]
    service: ServiceInfo | None


def load_contracts(repo_root: Path) -> list[Contract]:
    """Every committed contract; fails when a discovered service has none."""
    directory = contracts_dir(repo_root)
    services = discover_services(repo_root)
    missing = [s.name for s in services if not (directory / f"{s.name}.json").is_file()]
    if missing:
        msg = (
            f"no OpenAPI contract for {', '.join(missing)} in {directory}; "
            "run `make contracts` and commit the result"
        )
        raise PluginError(msg)
    by_name = {service.name: service for service in services}
    contracts = []
    for path in sorted(directory.glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            msg = f"cannot read the contract {path}: {error}"
            raise PluginError(msg) from error
        if not isinstance(document, Mapping):
            msg = f"the contract {path} is not a JSON object"
            raise PluginError(msg)
        contracts.append(Contract(path.stem, document, by_name.get(path.stem)))
    return contracts


def render_index(contracts: Sequence[Contract]) -> str:
    """The table of services appended to services/index.md."""
    lines = [
        "| Service | API | Version | Local URL |",
        "| --- | --- | --- | --- |",
    ]
    for contract in contracts:
        info = contract.document.get("info") or {}
        service = contract.service
        url = f"`http://127.0.0.1:{service.port}`" if service else "-"
        title = cell(info.get("title") or contract.name)
        version = cell(info.get("version", ""))
        lines.append(f"| [{contract.name}]({contract.name}.md) | {title} | {version} | {url} |")
    return "\n".join(lines) + "\n"


def repo_root_of(config: MkDocsConfig) -> Path:
    return Path(config.config_file_path).resolve().parent


def on_files(files: Files, config: MkDocsConfig) -> Files:
    """Add one generated page per contract next to services/index.md."""
    if files.get_file_from_path(INDEX_URI) is None:
        msg = f"docs/{INDEX_URI} is missing; the generated service pages are listed there"
        raise PluginError(msg)
    for contract in load_contracts(repo_root_of(config)):
        page = render_reference(contract.document, contract.name)
        files.append(File.generated(config, f"{SECTION_DIR}/{contract.name}.md", content=page))
    return files


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    """Append the table of services to services/index.md."""
    if page.file.src_uri != INDEX_URI:
        return markdown
    table = render_index(load_contracts(repo_root_of(config)))
    return f"{markdown.rstrip()}\n\n{table}"
