"""Build the Kubernetes manifests exactly as Argo CD does, and hydrate the Kustomize base.

Argo CD creates one Application per service and environment: the environment overlay
``infra/kustomize/overlays/<env>`` with the service's component
``services/<service>/deploy`` added to its ``components:``. ``render`` does the same
in a scratch copy and runs ``kubectl kustomize``, so what CI validates and what a
developer reviews is what the cluster gets.

``infra/kustomize/base`` and ``infra/kustomize/components/*`` are the service chart
``infra/helm/service`` rendered for a placeholder release named ``service``;
``hydrate`` regenerates them from the chart with the inputs in
``infra/kustomize/hydrate.yaml``, and ``hydrate --check`` fails when they drift.

    ops deploy services
    ops deploy render --env prod                  # every service
    ops deploy render --env dev --service auth -o auth-dev.yaml
    ops deploy hydrate [--check]

``render`` needs ``kubectl`` (1.27 or newer, for Kustomize 5) and ``hydrate`` needs
``helm`` (3.18 or newer), from PATH or ``--kubectl``/``--helm``. Needs only the core
install (PyYAML). Exit status: 0 on success, 1 when ``--check`` finds drift, 2 on errors.
"""

from __future__ import annotations

import copy
import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ops.errors import OpsError

SERVICES = Path("services")
KUSTOMIZE = Path("infra/kustomize")
OVERLAYS = KUSTOMIZE / "overlays"
HYDRATE_INPUTS = KUSTOMIZE / "hydrate.yaml"
KUSTOMIZATION = "kustomization.yaml"

HEADER = (
    "# Generated from infra/helm/service by ops deploy hydrate; edit the chart\n"
    "# (or infra/kustomize/hydrate.yaml) and run it again. CI fails when this file drifts.\n"
)
# Labels and annotations that describe a Helm release. Argo CD, not Helm, applies the
# hydrated manifests, and the image version is the overlay's digest, not appVersion.
HELM_ONLY_LABELS = ("helm.sh/chart", "app.kubernetes.io/managed-by", "app.kubernetes.io/version")
HELM_ANNOTATION_PREFIX = "helm.sh/"

EXIT_DRIFT = 1
EXIT_ERROR = 2

Document = dict[str, Any]


class ManifestError(OpsError):
    """The manifests cannot be built; the message says why and what to do."""

    default_exit_code = EXIT_ERROR


# Discovery


def discover_services(root: Path) -> list[str]:
    """Services that deploy: every ``services/<name>/deploy/kustomization.yaml``."""
    return sorted(
        path.parent.parent.name for path in (root / SERVICES).glob(f"*/deploy/{KUSTOMIZATION}")
    )


def environments(root: Path) -> list[str]:
    """Every environment overlay: ``infra/kustomize/overlays/<env>/kustomization.yaml``."""
    return sorted(path.parent.name for path in (root / OVERLAYS).glob(f"*/{KUSTOMIZATION}"))


def find_tool(name: str, explicit: str | None) -> str:
    """The path of ``name``: ``explicit`` when given, else the one on PATH."""
    found = explicit or shutil.which(name)
    if not found:
        msg = f"{name} is not on PATH; install it or pass --{name} /path/to/{name}"
        raise ManifestError(msg)
    return found


def _run(command: Sequence[str], *, cwd: Path | None = None) -> str:
    try:
        ran = subprocess.run(  # noqa: S603 - kubectl or helm, with arguments built here
            list(command), cwd=cwd, capture_output=True, text=True, check=False
        )
    except OSError as error:
        msg = f"cannot run {command[0]}: {error}"
        raise ManifestError(msg) from error
    if ran.returncode != 0:
        msg = f"`{' '.join(command)}` failed:\n{ran.stderr.strip()}"
        raise ManifestError(msg)
    return ran.stdout


def load_documents(text: str) -> list[Document]:
    """The non-empty documents of a multi-document YAML stream."""
    return [doc for doc in yaml.safe_load_all(text) if isinstance(doc, dict) and doc]


# Render: what Argo CD applies


def _scratch_copy(root: Path, scratch: Path) -> None:
    """Copy what a Kustomize build reads, keeping the repository layout: the
    Kustomize tree and every service's deploy directory."""
    shutil.copytree(root / KUSTOMIZE, scratch / KUSTOMIZE)
    for service in discover_services(root):
        deploy = SERVICES / service / "deploy"
        shutil.copytree(root / deploy, scratch / deploy)


def add_component(overlay_dir: Path, component: str) -> None:
    """Append ``component`` to the overlay's ``components:``, as Argo CD does for an
    Application's ``spec.source.kustomize.components``."""
    path = overlay_dir / KUSTOMIZATION
    document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(document, dict):
        msg = f"{path} is not a Kustomization mapping"
        raise ManifestError(msg)
    components = document.get("components") or []
    document["components"] = [*components, component]
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")


def render_service(root: Path, env: str, service: str, kubectl: str) -> str:
    """The manifests of one Application: overlay ``env`` plus ``service``'s component."""
    with tempfile.TemporaryDirectory(prefix="manifests-") as tmp:
        scratch = Path(tmp)
        _scratch_copy(root, scratch)
        overlay = scratch / OVERLAYS / env
        # From infra/kustomize/overlays/<env> back to the repository root.
        add_component(overlay, f"../../../../{SERVICES.as_posix()}/{service}/deploy")
        return _run([kubectl, "kustomize", str(overlay)])


def render(root: Path, env: str, services: Sequence[str] | None, kubectl: str) -> str:
    """The manifests of ``env`` for ``services`` (default: all), one stream."""
    known_envs = environments(root)
    if env not in known_envs:
        msg = f"no overlay {OVERLAYS / env}; environments: {', '.join(known_envs) or 'none'}"
        raise ManifestError(msg)
    known = discover_services(root)
    selected = list(services) if services else known
    unknown = sorted(set(selected) - set(known))
    if unknown:
        msg = (
            f"no {SERVICES}/<service>/deploy/{KUSTOMIZATION} for {', '.join(unknown)}; "
            f"services that deploy: {', '.join(known) or 'none'}"
        )
        raise ManifestError(msg)
    if not selected:
        msg = f"no service has a deploy/{KUSTOMIZATION} under {SERVICES}"
        raise ManifestError(msg)
    return "---\n".join(render_service(root, env, service, kubectl) for service in selected)


# Hydrate: the chart rendered into the Kustomize base and components


@dataclass(frozen=True)
class Output:
    """One hydrated directory, as described in infra/kustomize/hydrate.yaml."""

    directory: Path
    values: Document
    base: Path | None
    configurations: tuple[str, ...]


@dataclass(frozen=True)
class HydrateInputs:
    chart: Path
    release: str
    outputs: tuple[Output, ...]


def deep_merge(base: Mapping[str, Any], override: Mapping[str, Any]) -> Document:
    """``override`` on top of ``base``: mappings merge, everything else replaces."""
    merged: Document = copy.deepcopy(dict(base))
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = deep_merge(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


def load_inputs(root: Path) -> HydrateInputs:
    path = root / HYDRATE_INPUTS
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as error:
        msg = f"cannot read {HYDRATE_INPUTS}: {error}"
        raise ManifestError(msg) from error
    if not isinstance(data, dict) or not isinstance(data.get("outputs"), list):
        msg = f"{HYDRATE_INPUTS} needs `chart`, `release` and a list of `outputs`"
        raise ManifestError(msg)
    outputs: list[Output] = []
    values_by_dir: dict[Path, Document] = {}
    for entry in data["outputs"]:
        directory = Path(str(entry["directory"]))
        base = Path(str(entry["base"])) if entry.get("base") else None
        values = dict(entry.get("values") or {})
        if base is not None:
            if base not in values_by_dir:
                msg = f"{HYDRATE_INPUTS}: {directory} is based on {base}, which must come first"
                raise ManifestError(msg)
            values = deep_merge(values_by_dir[base], values)
        values_by_dir[directory] = values
        configurations = tuple(str(name) for name in entry.get("configurations") or ())
        outputs.append(Output(directory, values, base, configurations))
    return HydrateInputs(Path(str(data["chart"])), str(data["release"]), tuple(outputs))


def helm_template(root: Path, inputs: HydrateInputs, values: Document, helm: str) -> list[Document]:
    with tempfile.TemporaryDirectory(prefix="hydrate-") as tmp:
        values_file = Path(tmp) / "values.yaml"
        values_file.write_text(yaml.safe_dump(values), encoding="utf-8")
        text = _run(
            [
                helm,
                "template",
                inputs.release,
                str(root / inputs.chart),
                "--values",
                str(values_file),
            ]
        )
    return [strip_helm_labels(doc) for doc in load_documents(text)]


def strip_helm_labels(node: Any) -> Any:
    """Drop the Helm release labels and hook annotations, at any depth."""
    if isinstance(node, dict):
        stripped: Document = {}
        for key, value in node.items():
            if key == "labels" and isinstance(value, dict):
                stripped[key] = {k: v for k, v in value.items() if k not in HELM_ONLY_LABELS}
            elif key == "annotations" and isinstance(value, dict):
                kept = {k: v for k, v in value.items() if not k.startswith(HELM_ANNOTATION_PREFIX)}
                if kept:
                    stripped[key] = kept
            else:
                stripped[key] = strip_helm_labels(value)
        return stripped
    if isinstance(node, list):
        return [strip_helm_labels(item) for item in node]
    return node


def object_id(doc: Document) -> tuple[str, str, str]:
    """(API group, kind, name): what Kustomize matches patches by."""
    group = str(doc.get("apiVersion", "")).rpartition("/")[0]
    return group, str(doc.get("kind", "")), str(doc.get("metadata", {}).get("name", ""))


class _Dumper(yaml.SafeDumper):
    """Block style with indented sequences and literal multi-line strings, as the
    repository's yamllint configuration expects."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    style = "|" if "\n" in data else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_Dumper.add_representer(str, _represent_str)


def dump(documents: Iterable[Document]) -> str:
    """A generated file: the header, then the documents separated by ``---``."""
    body = yaml.dump_all(
        list(documents), Dumper=_Dumper, sort_keys=False, width=4096, explicit_start=False
    )
    return HEADER + body


def merge_patch(base: Any, new: Any) -> Any:
    """The smallest strategic merge patch turning ``base`` into ``new`` for mappings;
    a list that differs is given whole. ``None`` deletes a key."""
    if not (isinstance(base, dict) and isinstance(new, dict)):
        return copy.deepcopy(new)
    patch: Document = {}
    for key, value in new.items():
        if key not in base:
            patch[key] = copy.deepcopy(value)
        elif base[key] != value:
            patch[key] = merge_patch(base[key], value)
    for key in base:
        if key not in new:
            patch[key] = None
    return patch


def _identity(doc: Document) -> Document:
    return {
        "apiVersion": doc["apiVersion"],
        "kind": doc["kind"],
        "metadata": {"name": doc["metadata"]["name"]},
    }


def _file_name(doc: Document, suffix: str = "") -> str:
    return f"{str(doc['kind']).lower()}{suffix}.yaml"


def _group_by_file(docs: Iterable[Document], suffix: str = "") -> dict[str, list[Document]]:
    files: dict[str, list[Document]] = {}
    for doc in sorted(docs, key=object_id):
        files.setdefault(_file_name(doc, suffix), []).append(doc)
    return files


def hydrated_files(
    output: Output, docs: list[Document], base_docs: list[Document] | None
) -> dict[str, str]:
    """File name -> content of one output directory, kustomization.yaml included."""
    kustomization: Document = {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
    }
    files: dict[str, list[Document]]
    if base_docs is None:
        files = _group_by_file(docs)
        kustomization["resources"] = sorted(files)
    else:
        # A component: what differs from the base, as resources and patches.
        kustomization["apiVersion"] = "kustomize.config.k8s.io/v1alpha1"
        kustomization["kind"] = "Component"
        base_by_id = {object_id(doc): doc for doc in base_docs}
        ids = {object_id(doc) for doc in docs}
        added = [doc for doc in docs if object_id(doc) not in base_by_id]
        changed = [
            deep_merge(_identity(doc), merge_patch(base_by_id[object_id(doc)], doc))
            for doc in docs
            if object_id(doc) in base_by_id and doc != base_by_id[object_id(doc)]
        ]
        deleted = [
            {**_identity(doc), "$patch": "delete"} for doc in base_docs if object_id(doc) not in ids
        ]
        files = _group_by_file(added)
        patches = {**_group_by_file(deleted, "-delete"), **_group_by_file(changed, "-patch")}
        if files:
            kustomization["resources"] = sorted(files)
        if patches:
            kustomization["patches"] = [{"path": name} for name in sorted(patches)]
        files.update(patches)
    if output.configurations:
        kustomization["configurations"] = list(output.configurations)
    rendered = {name: dump(group) for name, group in files.items()}
    rendered[KUSTOMIZATION] = dump([kustomization])
    return rendered


def is_generated(path: Path) -> bool:
    try:
        with path.open(encoding="utf-8") as handle:
            return handle.readline() == HEADER.splitlines(keepends=True)[0]
    except (OSError, UnicodeDecodeError):
        return False


def generated_files(directory: Path, keep: Sequence[str]) -> set[str]:
    """Files of ``directory`` that hydrate owns: those with its header, and the
    kustomization; the hand-written configuration files in ``keep`` are not."""
    if not directory.is_dir():
        return set()
    return {
        path.name
        for path in directory.glob("*.yaml")
        if path.name not in keep and (is_generated(path) or path.name == KUSTOMIZATION)
    }


def hydrate(root: Path, helm: str, *, check: bool) -> list[str]:
    """Regenerate (or with ``check`` only compare) every output; return the paths that
    were (or would be) written or removed."""
    inputs = load_inputs(root)
    rendered: dict[Path, list[Document]] = {}
    changes: list[str] = []
    for output in inputs.outputs:
        docs = helm_template(root, inputs, output.values, helm)
        rendered[output.directory] = docs
        base_docs = rendered[output.base] if output.base is not None else None
        wanted = hydrated_files(output, docs, base_docs)
        directory = root / output.directory
        for name in output.configurations:
            if not (directory / name).is_file():
                msg = f"{output.directory / name} is listed in {HYDRATE_INPUTS} but does not exist"
                raise ManifestError(msg)
        existing = generated_files(directory, output.configurations)
        for name, text in sorted(wanted.items()):
            path = directory / name
            if path.is_file() and path.read_text(encoding="utf-8") == text:
                continue
            changes.append(f"{'stale' if check else 'wrote'} {output.directory / name}")
            if not check:
                directory.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
        for name in sorted(existing - set(wanted)):
            changes.append(f"{'extra' if check else 'removed'} {output.directory / name}")
            if not check:
                (directory / name).unlink()
    return changes


# Command line


def hydrate_report(root: Path, helm: str, *, check: bool) -> int:
    """Hydrate (or with ``check`` only compare) and print what changed; the exit code."""
    changes = hydrate(root, helm, check=check)
    for change in changes:
        print(change)
    if check and changes:
        print("the hydrated manifests drifted from the chart: run ops deploy hydrate")
        return EXIT_DRIFT
    if not changes:
        print("hydrated manifests are up to date")
    return 0
