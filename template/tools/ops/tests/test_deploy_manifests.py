"""`ops deploy services|render|hydrate`: discovery, Argo CD-style rendering and hydration
from the chart.

Most tests drive the script with stand-ins for kubectl and helm (small Python scripts),
so they run everywhere. The last ones run the real tools on this repository and are
skipped, with the reason, where kubectl or helm is not installed.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from ops.cli import main
from ops.deploy import manifests
from yamllint import linter  # type: ignore[import-untyped]
from yamllint.config import YamlLintConfig  # type: ignore[import-untyped]

REPO_ROOT = Path(__file__).resolve().parents[3]

DEPLOYMENT: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {
        "name": "service",
        "labels": {"app.kubernetes.io/name": "service", "helm.sh/chart": "service-0.1.0"},
        "annotations": {"helm.sh/hook": "pre-install"},
    },
    "spec": {"template": {"spec": {"containers": [{"name": "app", "image": "service:1"}]}}},
}
SERVICE: dict[str, Any] = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "service"}}
HPA: dict[str, Any] = {
    "apiVersion": "autoscaling/v2",
    "kind": "HorizontalPodAutoscaler",
    "metadata": {"name": "service"},
    "spec": {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "service"},
        "minReplicas": 2,
    },
}
ROLLOUT: dict[str, Any] = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Rollout",
    "metadata": {"name": "service"},
    "spec": {"strategy": {"canary": {"steps": [{"setWeight": 20}]}}},
}
QUERY = 'sum(rate(http_requests_total{status!~"5.."}[2m]))\n/\nsum(rate(http_requests_total[2m]))\n'


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def fake_tool(tmp_path: Path, name: str, body: str) -> str:
    """An executable stand-in for kubectl or helm, written in Python."""
    script = write(tmp_path / "bin" / name, f"#!{sys.executable}\nimport sys\n{body}\n")
    script.chmod(0o755)
    return str(script)


def make_repo(root: Path, services: tuple[str, ...] = ("auth", "orders")) -> Path:
    for env in ("dev", "prod"):
        write(
            root / manifests.OVERLAYS / env / "kustomization.yaml",
            "resources:\n  - ../../base\ncomponents:\n  - ../../components/canary\n",
        )
    write(root / manifests.KUSTOMIZE / "base" / "kustomization.yaml", "resources: []\n")
    for service in services:
        write(root / "services" / service / "deploy" / "kustomization.yaml", "kind: Component\n")
    # A service directory without deploy/ (a module that documents itself only).
    write(root / "services" / "reports" / "README.md", "# reports\n")
    return root


# Discovery and rendering


def test_services_are_the_directories_with_a_deploy_component(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    assert manifests.discover_services(root) == ["auth", "orders"]
    assert manifests.environments(root) == ["dev", "prod"]


def test_render_adds_the_service_component_as_argo_cd_does(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    # The stand-in prints the overlay it was asked to build and the deploy dirs it sees.
    kubectl = fake_tool(
        tmp_path,
        "kubectl",
        "from pathlib import Path\n"
        "overlay = Path(sys.argv[2])\n"
        "print((overlay / 'kustomization.yaml').read_text(), end='')\n"
        "root = overlay.parents[3]\n"
        "print('# deploy:', sorted(p.parent.name for p in root.glob('services/*/deploy')))",
    )
    text = manifests.render(root, "prod", ["orders"], kubectl)
    document = yaml.safe_load(text)
    assert document["components"] == [
        "../../components/canary",
        "../../../../services/orders/deploy",
    ]
    assert "# deploy: ['auth', 'orders']" in text
    # The repository's own overlay is left as it was.
    overlay = root / manifests.OVERLAYS / "prod" / "kustomization.yaml"
    assert "services" not in overlay.read_text(encoding="utf-8")


def test_render_of_every_service_joins_the_documents(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    kubectl = fake_tool(tmp_path, "kubectl", "print('kind: ConfigMap')")
    text = manifests.render(root, "dev", None, kubectl)
    assert text == "kind: ConfigMap\n---\nkind: ConfigMap\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["render", "--env", "qa"], "no overlay infra/kustomize/overlays/qa"),
        (["render", "--env", "dev", "--service", "billing"], "no services/<service>/deploy"),
    ],
)
def test_render_explains_unknown_names(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    root = make_repo(tmp_path)
    kubectl = fake_tool(tmp_path, "kubectl", "print('kind: ConfigMap')")
    code = main(["deploy", *args, "--root", str(root), "--kubectl", kubectl])
    assert code == manifests.EXIT_ERROR
    assert message in capsys.readouterr().err


def test_a_missing_tool_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(manifests.ManifestError, match="kubectl is not on PATH"):
        manifests.find_tool("kubectl", None)


def test_a_failing_build_reports_the_tool_output(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    kubectl = fake_tool(tmp_path, "kubectl", "sys.exit('accumulating resources: boom')")
    with pytest.raises(manifests.ManifestError, match="boom"):
        manifests.render(root, "dev", ["auth"], kubectl)


# Hydration pieces


def test_deep_merge_layers_mappings_and_replaces_the_rest() -> None:
    base = {"autoscaling": {"enabled": True, "max": 5}, "steps": [1, 2]}
    merged = manifests.deep_merge(base, {"autoscaling": {"max": 9}, "steps": [3]})
    assert merged == {"autoscaling": {"enabled": True, "max": 9}, "steps": [3]}
    assert base["autoscaling"] == {"enabled": True, "max": 5}


def test_merge_patch_is_the_smallest_change() -> None:
    target = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "name": "service"}
    new = {**HPA, "spec": {"scaleTargetRef": target}}
    assert manifests.merge_patch(HPA, new) == {
        "spec": {
            "scaleTargetRef": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout"},
            "minReplicas": None,
        }
    }


def test_helm_release_labels_and_hooks_are_dropped() -> None:
    stripped = manifests.strip_helm_labels(DEPLOYMENT)
    assert stripped["metadata"]["labels"] == {"app.kubernetes.io/name": "service"}
    assert "annotations" not in stripped["metadata"]
    assert stripped["spec"] == DEPLOYMENT["spec"]


def test_a_base_gets_one_file_per_kind() -> None:
    output = manifests.Output(Path("base"), {}, None, ("kustomizeconfig.yaml",))
    files = manifests.hydrated_files(output, [SERVICE, DEPLOYMENT], None)
    assert sorted(files) == ["deployment.yaml", "kustomization.yaml", "service.yaml"]
    kustomization = yaml.safe_load(files["kustomization.yaml"])
    assert kustomization == {
        "apiVersion": "kustomize.config.k8s.io/v1beta1",
        "kind": "Kustomization",
        "resources": ["deployment.yaml", "service.yaml"],
        "configurations": ["kustomizeconfig.yaml"],
    }
    assert all(text.startswith(manifests.HEADER) for text in files.values())


def test_a_component_holds_what_differs_from_its_base() -> None:
    output = manifests.Output(Path("components/canary"), {}, Path("base"), ())
    canary_hpa: dict[str, Any] = {
        **HPA,
        "spec": {**HPA["spec"], "scaleTargetRef": {**HPA["spec"]["scaleTargetRef"]}},
    }
    canary_hpa["spec"]["scaleTargetRef"].update(apiVersion="argoproj.io/v1alpha1", kind="Rollout")
    files = manifests.hydrated_files(
        output, [SERVICE, canary_hpa, ROLLOUT], [SERVICE, HPA, DEPLOYMENT]
    )
    kustomization = yaml.safe_load(files["kustomization.yaml"])
    assert kustomization == {
        "apiVersion": "kustomize.config.k8s.io/v1alpha1",
        "kind": "Component",
        "resources": ["rollout.yaml"],
        "patches": [
            {"path": "deployment-delete.yaml"},
            {"path": "horizontalpodautoscaler-patch.yaml"},
        ],
    }
    assert yaml.safe_load(files["deployment-delete.yaml"]) == {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "service"},
        "$patch": "delete",
    }
    patch = yaml.safe_load(files["horizontalpodautoscaler-patch.yaml"])
    assert patch["spec"] == {
        "scaleTargetRef": {"apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout"}
    }


def test_generated_yaml_passes_the_repository_yamllint_config() -> None:
    config = YamlLintConfig(file=str(REPO_ROOT / ".yamllint.yaml"))
    analysis = {**ROLLOUT, "spec": {"metrics": [{"name": "success-rate", "query": QUERY}]}}
    text = manifests.dump([DEPLOYMENT, analysis])
    problems = [f"{p.line}: {p.desc}" for p in linter.run(text, config)]
    assert problems == []
    assert "  query: |\n" in text.replace("    ", "  ")
    assert yaml.safe_load_all(text)


# Hydration end to end, with a stand-in helm

FAKE_HELM = """\
import yaml
values = yaml.safe_load(open(sys.argv[sys.argv.index('--values') + 1]))
docs = [
    {'apiVersion': 'v1', 'kind': 'Service', 'metadata': {'name': sys.argv[2]}},
    {'apiVersion': 'apps/v1', 'kind': 'Rollout' if values.get('rollout') else 'Deployment',
     'metadata': {'name': sys.argv[2], 'labels': {'helm.sh/chart': 'service-0.1.0'}}},
]
print(yaml.safe_dump_all(docs))
"""


def make_hydrate_repo(root: Path) -> Path:
    write(
        root / manifests.HYDRATE_INPUTS,
        "chart: infra/helm/service\n"
        "release: service\n"
        "outputs:\n"
        "  - directory: infra/kustomize/base\n"
        "    configurations: [kustomizeconfig.yaml]\n"
        "  - directory: infra/kustomize/components/canary\n"
        "    base: infra/kustomize/base\n"
        "    values: {rollout: true}\n",
    )
    write(root / "infra/kustomize/base/kustomizeconfig.yaml", "nameReference: []\n")
    return root


def test_hydrate_writes_checks_and_cleans_up(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = make_hydrate_repo(tmp_path / "repo")
    helm = fake_tool(tmp_path, "helm", FAKE_HELM)
    args = ["deploy", "hydrate", "--root", str(root), "--helm", helm]
    assert main([*args, "--check"]) == manifests.EXIT_DRIFT
    assert "stale infra/kustomize/base/service.yaml" in capsys.readouterr().out
    assert main(args) == 0
    base = root / "infra/kustomize/base"
    assert sorted(path.name for path in base.iterdir()) == [
        "deployment.yaml",
        "kustomization.yaml",
        "kustomizeconfig.yaml",
        "service.yaml",
    ]
    canary = root / "infra/kustomize/components/canary"
    assert sorted(path.name for path in canary.iterdir()) == [
        "deployment-delete.yaml",
        "kustomization.yaml",
        "rollout.yaml",
    ]
    assert "helm.sh" not in (base / "deployment.yaml").read_text(encoding="utf-8")
    capsys.readouterr()
    assert main([*args, "--check"]) == 0
    assert "up to date" in capsys.readouterr().out
    # A hand edit and a leftover generated file are both drift; hydrate repairs both.
    write(base / "service.yaml", manifests.HEADER + "kind: Service\n")
    write(base / "configmap.yaml", manifests.HEADER + "kind: ConfigMap\n")
    assert main([*args, "--check"]) == manifests.EXIT_DRIFT
    out = capsys.readouterr().out
    assert "stale infra/kustomize/base/service.yaml" in out
    assert "extra infra/kustomize/base/configmap.yaml" in out
    assert main(args) == 0
    assert not (base / "configmap.yaml").exists()
    assert (base / "kustomizeconfig.yaml").read_text(encoding="utf-8") == "nameReference: []\n"


def test_hydrate_needs_the_listed_configuration_files(tmp_path: Path) -> None:
    root = make_hydrate_repo(tmp_path / "repo")
    (root / "infra/kustomize/base/kustomizeconfig.yaml").unlink()
    helm = fake_tool(tmp_path, "helm", FAKE_HELM)
    with pytest.raises(manifests.ManifestError, match=r"kustomizeconfig\.yaml is listed"):
        manifests.hydrate(root, helm, check=True)


# This repository, with the real tools

needs_kubectl = pytest.mark.skipif(
    shutil.which("kubectl") is None, reason="kubectl is not on PATH (renders need Kustomize)"
)
needs_helm = pytest.mark.skipif(
    shutil.which("helm") is None, reason="helm is not on PATH (hydration renders the chart)"
)


@needs_kubectl
@pytest.mark.parametrize("env", manifests.environments(REPO_ROOT))
def test_every_service_renders_under_its_own_name(env: str) -> None:
    kubectl = manifests.find_tool("kubectl", None)
    for service in manifests.discover_services(REPO_ROOT):
        docs = manifests.load_documents(manifests.render(REPO_ROOT, env, [service], kubectl))
        names = {doc["metadata"]["name"] for doc in docs}
        assert names <= {service, f"{service}-migrate"}, names
        assert {"Service", "ServiceAccount", "NetworkPolicy"} <= {doc["kind"] for doc in docs}


@needs_helm
def test_the_hydrated_manifests_match_the_chart() -> None:
    assert manifests.hydrate(REPO_ROOT, manifests.find_tool("helm", None), check=True) == []
