"""flagd, the feature-flag module's deployment: with ``feature_flags`` on, the cluster
baseline runs flagd on the flag file of ``config/flags`` and every service, in every
environment, syncs its flags from it; with the module off, nothing of it is rendered.

The cluster baseline and the services' renders are validated as a whole by
test_render_argo.py and test_render_kubernetes.py (all combinations); this file checks
what the module adds and, for flagd's own objects, the Rego policies and references.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import kube
from tests.conftest import module_answers
from tests.crd_schemas import crd_errors

CLUSTER = Path("infra/kustomize/cluster")
FLAG_SETTINGS = {"FLAGS_RESOLVER": "in-process", "FLAGD_HOST": "flagd", "FLAGD_PORT": "8015"}

on = pytest.mark.xdist_group("feature_flags")
off = pytest.mark.xdist_group("none")


def flags_on(render: Callable[..., Path]) -> Path:
    return render(**module_answers(frozenset({"feature_flags"})))


def flagd_objects(docs: list[kube.Doc]) -> list[kube.Doc]:
    return [
        doc
        for doc in docs
        if doc["metadata"].get("labels", {}).get("app.kubernetes.io/name") == "flagd"
    ]


def project_allows_config_maps(repo: Path) -> bool:
    project = yaml.safe_load((repo / "infra/argo/project.yaml").read_text(encoding="utf-8"))
    return {"group": "", "kind": "ConfigMap"} in project["spec"]["namespaceResourceWhitelist"]


def flagd_egress(policy: kube.Doc) -> list[dict[str, Any]]:
    return [
        rule
        for rule in policy["spec"].get("egress") or []
        for peer in rule.get("to") or []
        if "flagd" in json.dumps(peer.get("podSelector") or {})
    ]


@on
def test_cluster_baseline_runs_flagd_on_the_flag_file(render: Callable[..., Path]) -> None:
    repo = flags_on(render)
    slug = yaml.safe_load((repo / ".copier-answers.yml").read_text(encoding="utf-8"))[
        "project_slug"
    ]
    docs = flagd_objects(kube.kustomize(repo / CLUSTER))
    by_kind = {doc["kind"]: doc for doc in docs}
    assert set(by_kind) == {
        "ConfigMap",
        "Deployment",
        "NetworkPolicy",
        "PodDisruptionBudget",
        "Service",
        "ServiceAccount",
    }
    assert {doc["metadata"]["namespace"] for doc in docs} == {slug}
    problems = [
        *kube.kubernetes_validate_errors(docs),
        *crd_errors(docs),
        *kube.policy_violations(repo, docs),
        *kube.reference_errors(docs),
    ]
    assert problems == []
    assert project_allows_config_maps(repo)

    # The ConfigMap carries config/flags/flags.json as it is, and the pods mount it
    # under the name Kustomize gave it (with its content hash).
    config_map = by_kind["ConfigMap"]
    flag_file = (repo / "config" / "flags" / "flags.json").read_text(encoding="utf-8")
    assert json.loads(config_map["data"]["flags.json"]) == json.loads(flag_file)
    pod = by_kind["Deployment"]["spec"]["template"]["spec"]
    (volume,) = pod["volumes"]
    assert volume["configMap"]["name"] == config_map["metadata"]["name"] != "flag-definitions"
    (container,) = pod["containers"]
    assert container["image"].startswith("ghcr.io/open-feature/flagd:v")
    assert "file:/etc/flagd/flags.json" in container["args"]
    assert pod["automountServiceAccountToken"] is False
    ports = {port["name"]: port["port"] for port in by_kind["Service"]["spec"]["ports"]}
    assert ports == {"grpc": 8013, "management": 8014, "sync": 8015}


@on
@pytest.mark.parametrize("env", ["dev", "edge", "prod", "stage"])
def test_every_service_syncs_its_flags_from_flagd(render: Callable[..., Path], env: str) -> None:
    repo = flags_on(render)
    for service in kube.services(repo):
        docs = kube.render_env(repo, env, service)
        (workload,) = [doc for doc in docs if doc["kind"] in ("Deployment", "Rollout")]
        env_vars = {
            var["name"]: var.get("value")
            for var in workload["spec"]["template"]["spec"]["containers"][0]["env"]
        }
        assert {name: env_vars.get(name) for name in FLAG_SETTINGS} == FLAG_SETTINGS, service
        (policy,) = [doc for doc in docs if doc["kind"] == "NetworkPolicy"]
        (rule,) = flagd_egress(policy)
        assert rule["ports"] == [{"port": 8015, "protocol": "TCP"}], service


@off
def test_without_the_module_nothing_of_flagd_is_deployed(render: Callable[..., Path]) -> None:
    repo = render(**module_answers(frozenset()))
    assert not (repo / CLUSTER / "flagd").exists()
    cluster = kube.kustomize(repo / CLUSTER)
    assert "flagd" not in json.dumps(cluster).lower()
    assert "ConfigMap" not in {doc["kind"] for doc in cluster}
    assert not project_allows_config_maps(repo)
    for env in kube.environments(repo):
        for service in kube.services(repo):
            rendered = json.dumps(kube.render_env(repo, env, service)).lower()
            assert "flagd" not in rendered
            assert "flags_resolver" not in rendered
