"""Regenerate the hydrated Kustomize manifests the template ships, from its Helm chart.

A generated repo commits ``infra/kustomize/base`` and ``infra/kustomize/components/*``:
the service chart ``infra/helm/service`` rendered for a placeholder release, and its CI
fails when they drift from the chart. So the template must ship them matching its own
chart. Their inputs (the chart, ``infra/kustomize/hydrate.yaml``) and outputs take no
copier answers, so this script runs the generated repo's own hydration
(``ops deploy hydrate``, from the verbatim sources in ``template/tools/ops``) directly on
``template/``: one implementation, and the same result as in any render.

    python tools/sync_manifests.py           # rewrite the hydrated manifests
    python tools/sync_manifests.py --check   # exit 1 if they are out of date

Run it after changing the chart; the template tests run the generated repo's drift
check and fail until you do. helm comes from ``tools/infra_tools.py``.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "template"
# A script, run by path: this repository's tools and the generated repo's ops sources.
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(TEMPLATE / "tools" / "ops" / "src"))
from tools.infra_tools import install_layer_binaries, tool_path  # noqa: E402


def load_manifests() -> ModuleType:
    """The generated repo's ``ops.deploy.manifests``."""
    return importlib.import_module("ops.deploy.manifests")


def answer_free_inputs(manifests: ModuleType) -> list[str]:
    """Hydration inputs or outputs that copier would render (``.jinja``): they would
    need a render first, which this script does not do."""
    inputs = manifests.load_inputs(TEMPLATE)
    directories = [inputs.chart, *(output.directory for output in inputs.outputs)]
    return [
        str(path.relative_to(TEMPLATE))
        for directory in directories
        for path in sorted((TEMPLATE / directory).rglob("*.jinja"))
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    args = parser.parse_args()
    manifests = load_manifests()
    templated = answer_free_inputs(manifests)
    if templated:
        print("hydration inputs must not need copier answers:", *templated, sep="\n  ")
        return 2
    install_layer_binaries()
    try:
        changes = manifests.hydrate(TEMPLATE, str(tool_path("helm")), check=args.check)
    except manifests.ManifestError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for change in changes:
        print(f"{change} (under template/)")
    return 1 if args.check and changes else 0


if __name__ == "__main__":
    sys.exit(main())
