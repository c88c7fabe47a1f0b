"""`python -m shared_contracts export | check | compat --against REF | docs --out DIR |
conform [--max-examples N] [--seed S] [--service NAME]`."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ops.discovery import DiscoveryError, ServiceInfo, scan_services

from .compat import breaking_changes
from .conformance import Budget, ConformanceError
from .conformance import run as run_conformance
from .docs import render_reference
from .openapi import (
    ContractError,
    app_schema,
    contract_path,
    contracts_dir,
    find_repo_root,
    render,
    schema_at_ref,
)


def _say(message: str) -> None:
    sys.stdout.write(message + "\n")


def _fail(message: str) -> None:
    sys.stderr.write(message + "\n")


def _services(root: Path) -> list[ServiceInfo]:
    scan = scan_services(root)
    for skipped in scan.skipped:
        _say(f"skip {skipped.catalog.relative_to(root)}: {skipped.reason}")
    return scan.services


def export(root: Path) -> int:
    """Write every service's contract; remove contracts of services that are gone."""
    directory = contracts_dir(root)
    directory.mkdir(parents=True, exist_ok=True)
    services = _services(root)
    written: set[str] = set()
    for service in services:
        path = contract_path(root, service)
        text = render(app_schema(service))
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            _say(f"wrote {path.relative_to(root)}")
        written.add(path.name)
    for stale in sorted(directory.glob("*.json")):
        if stale.name not in written:
            stale.unlink()
            _say(f"removed {stale.relative_to(root)} (no such service)")
    return 0


def check(root: Path) -> int:
    """Fail when a committed contract differs from what its app serves."""
    problems: list[str] = []
    services = _services(root)
    for service in services:
        path = contract_path(root, service)
        if not path.is_file():
            problems.append(f"{path.relative_to(root)} is missing")
        elif path.read_text(encoding="utf-8") != render(app_schema(service)):
            problems.append(f"{path.relative_to(root)} differs from the {service.name} app")
    known = {contract_path(root, service).name for service in services}
    problems += [
        f"{stale.relative_to(root)} belongs to no service"
        for stale in sorted(contracts_dir(root).glob("*.json"))
        if stale.name not in known
    ]
    for problem in problems:
        _fail(problem)
    if problems:
        _fail("contracts are out of date: run `make contracts` and commit the result")
        return 1
    _say(f"{len(services)} contract(s) match their apps")
    return 0


def compat(root: Path, ref: str) -> int:
    """Fail when a service's API breaks clients of its contract at git `ref`."""
    breaking = 0
    for service in _services(root):
        old = schema_at_ref(root, service, ref)
        if old is None:
            _say(f"{service.name}: no contract at {ref}; nothing to compare")
            continue
        changes = breaking_changes(old, app_schema(service))
        for change in changes:
            _fail(f"{service.name}: {change}")
        breaking += len(changes)
        if not changes:
            _say(f"{service.name}: compatible with {ref}")
    if breaking:
        _fail(
            f"{breaking} breaking change(s) against {ref}: keep the old behaviour, or publish "
            "a new API version next to the old one"
        )
        return 1
    return 0


def docs(root: Path, out: Path) -> int:
    """Write one Markdown reference page per committed contract."""
    out.mkdir(parents=True, exist_ok=True)
    for path in sorted(contracts_dir(root).glob("*.json")):
        page = out / f"{path.stem}.md"
        page.write_text(
            render_reference(json.loads(path.read_text(encoding="utf-8")), path.stem),
            encoding="utf-8",
        )
        _say(f"wrote {page}")
    return 0


def conform(root: Path, budget: Budget, names: Sequence[str] | None) -> int:
    """Fail when schemathesis finds a service answering differently from its contract."""
    services = _services(root)
    unknown = sorted(set(names or ()) - {service.name for service in services})
    if unknown:
        _fail(f"unknown service(s): {', '.join(unknown)}")
        return 2
    results = run_conformance(root, services, budget, names=names)
    failed = [name for name, code in results.items() if code != 0]
    for service in services:
        if names and service.name not in names:
            continue
        code = results.get(service.name)
        if code is None:
            outcome = "no operations in its contract, nothing to check"
        elif code == 0:
            outcome = "conforms"
        else:
            outcome = f"FAILED (schemathesis exit {code})"
        _say(f"{service.name}: {outcome}")
    if failed:
        _fail(f"{len(failed)} service(s) do not conform to their contract: {', '.join(failed)}")
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m shared_contracts", description=__doc__)
    parser.add_argument(
        "--root", type=Path, default=None, help="repository root (default: found from the cwd)"
    )
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("export", help="write openapi/<service>.json from every app")
    commands.add_parser("check", help="fail when a committed contract drifted from its app")
    compat_parser = commands.add_parser("compat", help="fail on breaking changes against REF")
    compat_parser.add_argument("--against", required=True, metavar="REF", help="git ref")
    docs_parser = commands.add_parser("docs", help="write Markdown API reference pages")
    docs_parser.add_argument("--out", required=True, type=Path, metavar="DIR")
    conform_parser = commands.add_parser(
        "conform", help="run schemathesis against every service started on loopback"
    )
    conform_parser.add_argument(
        "--max-examples", type=int, default=100, metavar="N", help="per operation and phase"
    )
    conform_parser.add_argument(
        "--seed", type=int, default=None, help="random seed (default: a new one, printed)"
    )
    conform_parser.add_argument(
        "--service", action="append", dest="services", metavar="NAME", help="repeatable"
    )
    args = parser.parse_args(argv)
    try:
        root = args.root.resolve() if args.root else find_repo_root()
        if args.command == "export":
            return export(root)
        if args.command == "check":
            return check(root)
        if args.command == "compat":
            return compat(root, args.against)
        if args.command == "conform":
            return conform(root, Budget(args.max_examples, args.seed), args.services)
        return docs(root, args.out)
    except (ContractError, ConformanceError, DiscoveryError) as exc:
        _fail(f"error: {exc}")
        return 2
