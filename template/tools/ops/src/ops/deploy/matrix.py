"""Print the CI build matrix: one entry per service that ships a container image.

The services come from ``services/*/catalog-info.yaml`` (``ops.discovery``),
so a new service directory gets its image built, scanned, signed and deployed with
no workflow edit. A discovered service without a ``Dockerfile`` has nothing to
build and is left out (with a note on stderr). Output is one line of JSON,
``{"include": [{"service", "directory", "dockerfile", "image"}, ...]}``, the shape
``strategy.matrix`` takes through ``fromJSON``.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

from ops.discovery import discover_services
from ops.errors import EXIT_USAGE, OpsError

# An OCI repository prefix: registry host and path, lower case, no trailing slash.
REGISTRY_RE = re.compile(r"[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*")


def build_matrix(root: Path, registry: str) -> tuple[list[dict[str, str]], list[str]]:
    """The matrix entries and a note for every service left out."""
    entries: list[dict[str, str]] = []
    notes: list[str] = []
    for service in discover_services(root):
        directory = service.directory.relative_to(root).as_posix()
        dockerfile = service.directory / "Dockerfile"
        if not dockerfile.is_file():
            notes.append(f"{service.name}: no Dockerfile in {directory}, no image to build")
            continue
        entries.append(
            {
                "service": service.name,
                "directory": directory,
                "dockerfile": f"{directory}/Dockerfile",
                "image": f"{registry}/{service.name}",
            }
        )
    return entries, notes


def print_matrix(root: Path, registry: str) -> None:
    """Print the matrix as one line of JSON; notes about skipped services go to stderr."""
    registry = registry.rstrip("/")
    if not REGISTRY_RE.fullmatch(registry):
        msg = f"{registry!r} is not a lower-case registry prefix"
        raise OpsError(msg, exit_code=EXIT_USAGE)
    entries, notes = build_matrix(root, registry)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    print(json.dumps({"include": entries}, separators=(",", ":")))
