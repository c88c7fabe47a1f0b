#!/usr/bin/env python3
"""Print the CI build matrix: one entry per service that ships a container image.

The services come from ``services/*/catalog-info.yaml`` (``service_kit.discovery``),
so a new service directory gets its image built, scanned, signed and deployed with
no workflow edit. A discovered service without a ``Dockerfile`` has nothing to
build and is left out (with a note on stderr). Output is one line of JSON,
``{"include": [{"service", "directory", "dockerfile", "image"}, ...]}``, the shape
``strategy.matrix`` takes through ``fromJSON``.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Sequence
from pathlib import Path

from service_kit.discovery import DiscoveryError, discover_services

REPO_ROOT = Path(__file__).resolve().parents[2]
# An OCI repository prefix: registry host and path, lower case, no trailing slash.
REGISTRY_RE = re.compile(r"[a-z0-9.-]+(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)*")
EXIT_ERROR = 2


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


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--registry", required=True, help="image repository prefix, e.g. ghcr.io/acme"
    )
    parser.add_argument("--root", type=Path, default=REPO_ROOT, help="repository root")
    args = parser.parse_args(argv)
    registry = str(args.registry).rstrip("/")
    if not REGISTRY_RE.fullmatch(registry):
        print(f"error: {registry!r} is not a lower-case registry prefix", file=sys.stderr)
        return EXIT_ERROR
    try:
        entries, notes = build_matrix(args.root.resolve(), registry)
    except DiscoveryError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    print(json.dumps({"include": entries}, separators=(",", ":")))
    return 0


if __name__ == "__main__":
    sys.exit(main())
