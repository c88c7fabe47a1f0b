"""Helpers for the Kubernetes tests: render, lint and validate what a generated repo deploys.

Every tool is the real one: helm and kubectl from ``tools/infra_tools.py``, the generated
repo's own ``ops deploy`` (so the tests build exactly what Argo CD builds),
kubernetes-validate's bundled schemas, and the generated repo's Rego policies through
the engine ``ops check policy`` uses.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import kubernetes_validate
import yaml

from tests.conftest import generated_ops, naming, ops_command
from tools.infra_tools import tool_path

# The oldest Kubernetes the chart supports (Chart.yaml kubeVersion): validating against it
# catches fields newer clusters would accept but supported ones reject.
KUBERNETES_VERSION = "1.30"
# Custom resources kubernetes-validate has no schema for; tests.crd_schemas checks them.
CRD_KINDS = frozenset(
    {
        ("argoproj.io", "Rollout"),
        ("argoproj.io", "AnalysisTemplate"),
        ("monitoring.coreos.com", "ServiceMonitor"),
        ("keda.sh", "ScaledObject"),
    }
)
WORKLOAD_KINDS = frozenset({"Deployment", "Rollout", "StatefulSet", "DaemonSet"})

Doc = dict[str, Any]


def run(command: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    """Run a tool; fail the test with its output when it fails."""
    ran = subprocess.run(
        list(command), cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert ran.returncode == 0, f"`{' '.join(command)}` failed:\n{ran.stdout}{ran.stderr}"
    return ran.stdout


def documents(text: str) -> list[Doc]:
    return [doc for doc in yaml.safe_load_all(text) if isinstance(doc, dict) and doc]


def tree_digest(root: Path, *parts: str) -> str:
    """A content hash of the files under ``root/part`` for each part (files or trees):
    the cache key of a heavy check, so identical trees are checked once."""
    digest = hashlib.sha256()
    for part in parts:
        base = root / part
        paths = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file())
        for path in paths:
            if "__pycache__" in path.parts:
                continue
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


# Helm


def helm(*args: str, cwd: Path | None = None) -> str:
    return run([str(tool_path("helm")), *args], cwd=cwd)


def helm_lint(chart: Path, values: Path | None = None) -> str:
    extra = ["--values", str(values)] if values else []
    return helm("lint", "--strict", str(chart), *extra)


def helm_template(
    chart: Path, release: str = "service", values: Iterable[Path] = (), cwd: Path | None = None
) -> list[Doc]:
    args = ["template", release, str(chart)]
    for path in values:
        args += ["--values", str(path)]
    return documents(helm(*args, cwd=cwd))


# The generated repo's render


def manifests(repo: Path, *args: str) -> str:
    """Run the generated repo's ``ops deploy ARGS`` on it (``--helm``/``--kubectl`` in
    ``args`` name this repo's tools)."""
    command, env = ops_command(repo, "deploy", *args, "--root", str(repo))
    return run(command, cwd=repo, env=env)


def render_env(repo: Path, env: str, service: str | None = None) -> list[Doc]:
    """What Argo CD applies for ``env`` (one service, or every service): the generated
    repo's ``ops deploy render``, called in process to save a start-up."""
    selected = [service] if service else None
    rendered = generated_ops("deploy.manifests").render(
        repo, env, selected, str(tool_path("kubectl"))
    )
    return documents(rendered)


def kustomize(directory: Path) -> list[Doc]:
    return documents(run([str(tool_path("kubectl")), "kustomize", str(directory)]))


def services(repo: Path) -> list[str]:
    """The services that deploy (``ops deploy services``), found in process: ``repo`` may
    be a partial copy without the ops sources."""
    found: list[str] = generated_ops("deploy.manifests").discover_services(repo)
    return found


def environments(repo: Path) -> list[str]:
    """The overlays; tests loop over them, so none found is a failure, not a pass."""
    overlays = repo / "infra" / "kustomize" / "overlays"
    found = sorted(path.parent.name for path in overlays.glob("*/kustomization.yaml"))
    assert found, f"no overlay under {overlays}"
    return found


# Validation


def kubernetes_validate_errors(docs: Iterable[Doc]) -> list[str]:
    """Strict schema errors of the built-in kinds. A kind without a schema is an error
    unless it is one of CRD_KINDS (checked against its CRD schema instead)."""
    errors = []
    for doc in docs:
        label = f"{doc.get('kind')}/{doc.get('metadata', {}).get('name')}"
        try:
            kubernetes_validate.validate(doc, KUBERNETES_VERSION, strict=True)
        except kubernetes_validate.SchemaNotFoundError:
            group = str(doc.get("apiVersion", "")).rpartition("/")[0]
            if (group, doc.get("kind")) not in CRD_KINDS:
                errors.append(f"{label}: no schema and not a known custom resource")
        except kubernetes_validate.ValidationError as error:
            errors.append(f"{label}: {error}")
    return errors


@functools.cache
def _policy_engine(repo: Path) -> tuple[ModuleType, Any]:
    policy_check = generated_ops("check.policy")
    engine = policy_check.new_engine(repo / "ci" / "policies")
    exceptions = policy_check.load_exceptions(repo / "ci" / "policies" / "exceptions.yaml")
    today = dt.datetime.now(dt.UTC).date().isoformat()
    engine.add_data_json(policy_check.to_json({"exceptions": exceptions, "today": today}))
    return policy_check, engine


def policy_violations(repo: Path, docs: list[Doc]) -> list[str]:
    """The generated repo's Kubernetes Rego policies over ``docs``, evaluated the way its
    ``ops check policy --kubernetes`` does (regorus, its exceptions, today)."""
    policy_check, engine = _policy_engine(repo)
    found: list[str] = []
    for doc in docs:  # one document at a time, as `ops check policy` feeds a YAML stream
        found += policy_check.evaluate(engine, policy_check.KUBERNETES_RULE, doc)
    return found


def _matches(selector: dict[str, str] | None, labels: dict[str, str] | None) -> bool:
    return bool(selector) and all((labels or {}).get(k) == v for k, v in selector.items())


def _pod_labels(doc: Doc) -> dict[str, str]:
    return dict(doc["spec"]["template"]["metadata"].get("labels") or {})


def _names(docs: Iterable[Doc], kind: str) -> set[str]:
    return {doc["metadata"]["name"] for doc in docs if doc.get("kind") == kind}


def _peer_selectors(policy: Doc) -> Iterator[dict[str, Any]]:
    for rule in policy["spec"].get("ingress") or []:
        for peer in rule.get("from") or []:
            yield peer.get("podSelector") or {}
    for rule in policy["spec"].get("egress") or []:
        for peer in rule.get("to") or []:
            yield peer.get("podSelector") or {}


def reference_errors(docs: list[Doc]) -> list[str]:
    """Selectors and references that point at nothing in the same render: what a rename
    or a relabelling that Kustomize did not follow would leave behind."""
    errors: list[str] = []
    workloads = [doc for doc in docs if doc.get("kind") in WORKLOAD_KINDS]
    pods = [_pod_labels(doc) for doc in workloads]
    services = [doc for doc in docs if doc.get("kind") == "Service"]
    ids = {(doc.get("kind"), doc["metadata"]["name"]) for doc in docs}

    def selects_a_pod(owner: str, selector: dict[str, str] | None) -> None:
        if not any(_matches(selector, labels) for labels in pods):
            errors.append(f"{owner}: selector {selector} selects no pod of this render")

    for doc in workloads:
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        selector = doc["spec"]["selector"]["matchLabels"]
        if not _matches(selector, _pod_labels(doc)):
            errors.append(f"{name}: selector {selector} does not select its own pods")
        spec = doc["spec"]["template"]["spec"]
        for constraint in spec.get("topologySpreadConstraints") or []:
            if not _matches(constraint["labelSelector"].get("matchLabels"), _pod_labels(doc)):
                errors.append(f"{name}: topology spread selector misses its own pods")
        # A render with no ServiceAccount at all runs as one created outside it.
        accounts = _names(docs, "ServiceAccount")
        account = spec.get("serviceAccountName", "default")
        if accounts and account != "default" and account not in accounts:
            errors.append(f"{name}: ServiceAccount {account} is not in the render")
        ports = {port["name"] for c in spec["containers"] for port in c.get("ports") or []}
        for container in spec["containers"]:
            for probe in ("startupProbe", "livenessProbe", "readinessProbe"):
                port = (container.get(probe) or {}).get("httpGet", {}).get("port")
                if isinstance(port, str) and port not in ports:
                    errors.append(f"{name}: {probe} uses port {port}, which is not declared")
        for analysis in _analyses(doc):
            for template in analysis.get("templates") or []:
                if template["templateName"] not in _names(docs, "AnalysisTemplate"):
                    errors.append(f"{name}: AnalysisTemplate {template['templateName']} missing")
    for doc in services:
        selects_a_pod(f"Service/{doc['metadata']['name']}", doc["spec"].get("selector"))
    for doc in docs:
        kind, name = doc.get("kind"), doc["metadata"]["name"]
        if kind == "PodDisruptionBudget":
            selects_a_pod(f"{kind}/{name}", doc["spec"]["selector"].get("matchLabels"))
        if kind == "NetworkPolicy":
            selects_a_pod(f"{kind}/{name}", doc["spec"]["podSelector"].get("matchLabels"))
            own = doc["spec"]["podSelector"].get("matchLabels") or {}
            for peer in _peer_selectors(doc):
                # A peer selector carrying this service's own instance label was
                # rewritten by Kustomize's labels transformer: it no longer selects
                # the peer it was written for (kube-dns, another service).
                peer_labels = peer.get("matchLabels") or {}
                if own and peer_labels and _matches(own, peer_labels):
                    errors.append(f"{kind}/{name}: a peer selector was rewritten to {peer}")
        if kind in ("HorizontalPodAutoscaler", "ScaledObject"):
            target = doc["spec"]["scaleTargetRef"]
            if (target.get("kind", "Deployment"), target["name"]) not in ids:
                errors.append(f"{kind}/{name}: scale target {target} is not in the render")
        if kind == "ServiceMonitor":
            selector = doc["spec"]["selector"].get("matchLabels")
            matched = [svc for svc in services if _matches(selector, svc["metadata"].get("labels"))]
            if not matched:
                errors.append(f"{kind}/{name}: selector {selector} selects no Service")
            port_names = {port.get("name") for svc in matched for port in svc["spec"]["ports"]}
            for endpoint in doc["spec"]["endpoints"]:
                if endpoint.get("port") not in port_names:
                    errors.append(f"{kind}/{name}: endpoint port {endpoint.get('port')} unknown")
    return errors


def _analyses(rollout: Doc) -> Iterator[Doc]:
    canary = rollout["spec"].get("strategy", {}).get("canary") or {}
    if canary.get("analysis"):
        yield canary["analysis"]
    for step in canary.get("steps") or []:
        if "analysis" in step:
            yield step["analysis"]


def images(docs: Iterable[Doc]) -> dict[str, set[str]]:
    """Object ``Kind/name`` -> the images of its containers (init containers too)."""
    found: dict[str, set[str]] = {}
    for doc in docs:
        template = doc.get("spec", {}).get("template", {})
        spec = template.get("spec") if isinstance(template, dict) else None
        if not spec:
            continue
        containers = [*(spec.get("initContainers") or []), *spec.get("containers", [])]
        found[f"{doc['kind']}/{doc['metadata']['name']}"] = {c["image"] for c in containers}
    return found


# Adding a service by hand


# Words that contain a service name by accident and must survive a rename: the
# Backstage entry every service has is catalog-info.yaml, whatever the service is called.
KEEP_WORDS = ("catalog-info",)


def name_forms(name: str) -> list[str]:
    """The spellings of a service name in code and files: kebab, snake, Pascal, upper."""
    return [naming.kebab(name), naming.snake(name), naming.pascal(name), naming.env_var(name)]


def copy_service(repo: Path, source: str, new: str) -> Path:
    """Copy services/<source> to services/<new> the way a developer would: every
    spelling of the old name (kebab, snake, Pascal) in paths and file contents becomes
    the new one. Nothing outside services/<new> changes."""
    mapping = dict(zip(name_forms(source), name_forms(new), strict=True))
    mapping.update({word: word for word in KEEP_WORDS})
    # Longest first, so a kept word or a longer spelling wins over a shorter one.
    pattern = re.compile("|".join(re.escape(old) for old in sorted(mapping, key=len, reverse=True)))

    def rename(text: str) -> str:
        return pattern.sub(lambda match: mapping[match.group(0)], text)

    source_dir = repo / "services" / source
    target_dir = repo / "services" / new
    assert source_dir.is_dir(), f"no services/{source} in {repo}"
    assert not target_dir.exists(), f"services/{new} already exists"
    for path in sorted(source_dir.rglob("*")):
        relative = path.relative_to(source_dir)
        if not path.is_file() or {"__pycache__", ".pytest_cache"} & set(relative.parts):
            continue
        destination = target_dir / rename(str(relative))
        destination.parent.mkdir(parents=True, exist_ok=True)
        try:
            destination.write_text(rename(path.read_text(encoding="utf-8")), encoding="utf-8")
        except UnicodeDecodeError:
            shutil.copy2(path, destination)
    return target_dir
