"""Regenerate the OpenAPI contracts the template ships, from the services it ships.

A generated repo commits each service's OpenAPI document and its tests fail when
the document drifts from the app, so the template must carry documents that
match its own services exactly. This script renders the template, exports the
contracts there with the generated repo's own tool (`python -m shared_contracts
export`), and writes them back into template/libs/shared-contracts/openapi/,
turning the domain service's name back into Jinja.

    python tools/sync_contracts.py           # rewrite the template's contracts
    python tools/sync_contracts.py --check   # exit 1 if they are out of date

Run it after changing a service's API; the template tests run the generated
repo's drift check and fail until you do.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

import copier

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # a script, run by path
from tools.scratch import tool_env

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "template" / "libs" / "shared-contracts" / "openapi"
# A service name that cannot occur in a contract by accident.
PROBE_SERVICE = "zqprobe"
PROBE_PACKAGE = f"{PROBE_SERVICE}_service"
# Answers that must never leak into a contract (they would need their own Jinja).
PROBE_ANSWERS = {
    "first_service": PROBE_SERVICE,
    "project_name": "Zq Probe Project",
    "project_slug": "zq-probe-project",
    "organization": "zq-probe-org",
    "owner_team": "zq-probe-team",
}


def export_contracts(workdir: Path) -> dict[str, str]:
    """Render the template with probe answers and export its contracts."""
    repo = workdir / "repo"
    copier.run_copy(
        str(ROOT), repo, data=PROBE_ANSWERS, defaults=True, unsafe=True, vcs_ref="HEAD", quiet=True
    )
    env = tool_env()
    for command in (
        ["uv", "sync", "--all-packages", "--quiet"],
        ["uv", "run", "--frozen", "python", "-m", "shared_contracts", "export"],
    ):
        subprocess.run(command, cwd=repo, env=env, check=True)
    exported = repo / "libs" / "shared-contracts" / "openapi"
    return {path.name: path.read_text(encoding="utf-8") for path in sorted(exported.glob("*.json"))}


def to_template(name: str, text: str) -> tuple[str, str]:
    """The template file name and content for one exported contract."""
    for answer in PROBE_ANSWERS.values():
        if answer != PROBE_SERVICE and answer in text:
            raise SystemExit(f"{name} contains the answer {answer!r}; keep answers out of APIs")
    if "{{" in text or "{%" in text:
        raise SystemExit(f"{name} contains Jinja syntax; it would need {{% raw %}}")
    if name != f"{PROBE_SERVICE}.json":
        if PROBE_SERVICE in text:
            raise SystemExit(f"{name} mentions the domain service; make it a .jinja contract")
        return name, text
    templated = text.replace(PROBE_PACKAGE, "{{ domain_package }}").replace(
        PROBE_SERVICE, "{{ first_service }}"
    )
    return "{{ first_service }}.json.jinja", templated


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale contracts")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="goldenpath-contracts-") as tmp:
        wanted = dict(to_template(name, text) for name, text in export_contracts(Path(tmp)).items())
    stale = [
        name
        for name, text in wanted.items()
        if not (CONTRACTS / name).is_file()
        or (CONTRACTS / name).read_text(encoding="utf-8") != text
    ]
    extra = sorted({path.name for path in CONTRACTS.glob("*")} - set(wanted))
    if args.check:
        for name in [*stale, *extra]:
            print(f"stale contract: {CONTRACTS.relative_to(ROOT) / name}")
        return 1 if stale or extra else 0
    CONTRACTS.mkdir(parents=True, exist_ok=True)
    for name in stale:
        (CONTRACTS / name).write_text(wanted[name], encoding="utf-8")
        print(f"wrote {CONTRACTS.relative_to(ROOT) / name}")
    for name in extra:
        (CONTRACTS / name).unlink()
        print(f"removed {CONTRACTS.relative_to(ROOT) / name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
