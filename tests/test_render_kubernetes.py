"""What a generated repo deploys to Kubernetes is valid, safe and complete, in every
module combination.

The chart (``infra/helm/service``) lints and renders with each ``ci/*-values.yaml``;
every environment overlay builds; every discovered service renders in every
environment exactly as Argo CD builds it (the generated ``ops deploy render``);
every rendering passes kubernetes-validate --strict (custom resources only as unknown
kinds), the CRD schemas (``tests.crd_schemas``), the repo's Rego policies and a check
that selectors and references point at objects of the same rendering. The hydrated
Kustomize base is what the chart renders, the Helm values of a service give what its
Kustomize component gives, CI's digests reach the pods, and a service added by
copying a directory deploys everywhere with no other edit.

Heavy checks are cached by a content hash of what they read. Module combinations add
no deployable service today (module service directories hold a README only), so every
combination hashes the same and each check runs once per xdist worker; a module that
ships a ``deploy/`` directory changes the hash and is checked on its own.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests import kube
from tests.conftest import (
    TEMPLATE_ROOT,
    answer_set_params,
    generated_ops,
    ops_command,
    rendered_answers,
)
from tests.crd_schemas import crd_errors
from tests.needs import require_tool
from tools.infra_tools import tool_path

CHART = Path("infra/helm/service")
KUSTOMIZE = Path("infra/kustomize")
ENVIRONMENTS = ("dev", "edge", "prod", "stage")
DIGEST = "sha256:" + "0123456789abcdef" * 4

matrix = pytest.mark.parametrize("answers", answer_set_params())

_CACHE: dict[tuple[str, str], Any] = {}


def cached(check: str, key: str, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per check and content hash (per xdist worker)."""
    if (check, key) not in _CACHE:
        _CACHE[check, key] = compute()
    return _CACHE[check, key]


def deploy_digest(repo: Path) -> str:
    """Content hash of everything a rendering reads: Kustomize tree, chart, services'
    deploy directories, the render script and the policies."""
    deploy_dirs = sorted(str(path.relative_to(repo)) for path in repo.glob("services/*/deploy"))
    ops = "tools/ops/src/ops"
    scripts = (f"{ops}/deploy/manifests.py", f"{ops}/check/policy.py", f"{ops}/deploy/images.py")
    return kube.tree_digest(repo, str(KUSTOMIZE), str(CHART), "ci/policies", *scripts, *deploy_dirs)


def organization(repo: Path) -> str:
    return str(rendered_answers(repo)["organization"]).lower()


def first_service(repo: Path) -> str:
    return str(rendered_answers(repo)["first_service"])


def validation_problems(repo: Path, docs: list[kube.Doc], label: str) -> list[str]:
    """Every problem of one rendering, each prefixed with where it came from."""
    assert docs, f"{label}: rendered nothing"
    problems = [
        *kube.kubernetes_validate_errors(docs),
        *crd_errors(docs),
        *kube.policy_violations(repo, docs),
        *kube.reference_errors(docs),
    ]
    return [f"{label}: {problem}" for problem in problems]


# The chart


def _chart_problems(repo: Path) -> tuple[list[str], set[str]]:
    chart = repo / CHART
    values_files = sorted((chart / "ci").glob("*-values.yaml"))
    problems: list[str] = []
    kinds: set[str] = set()
    for values in values_files:
        kube.helm_lint(chart, values)
        docs = kube.helm_template(chart, first_service(repo), [values])
        kinds |= {str(doc["kind"]) for doc in docs}
        problems += validation_problems(repo, docs, f"helm template -f ci/{values.name}")
    return problems, kinds


@matrix
def test_chart_lints_and_renders_with_every_ci_values_file(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    repo = render(**answers)
    names = {path.name for path in (repo / CHART / "ci").glob("*-values.yaml")}
    assert {"default-values.yaml", "autoscaling-values.yaml", "keda-values.yaml"} <= names
    assert {"rollout-values.yaml", "edge-values.yaml", "monitoring-values.yaml"} <= names
    key = kube.tree_digest(repo, str(CHART), "ci/policies")
    problems, kinds = cached("chart", key, lambda: _chart_problems(repo))
    assert problems == []
    # Between them, the ci values files exercise every template of the chart.
    templates = {
        "Deployment",
        "Rollout",
        "AnalysisTemplate",
        "Service",
        "ServiceAccount",
        "PodDisruptionBudget",
        "HorizontalPodAutoscaler",
        "ScaledObject",
        "NetworkPolicy",
        "ServiceMonitor",
        "Job",
    }
    assert templates <= kinds, f"no ci values file renders {sorted(templates - kinds)}"


@matrix
def test_chart_refuses_two_autoscalers_and_unknown_values(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    repo = render(**answers)

    def refusals() -> dict[str, tuple[int, str]]:
        cases = {
            "both autoscalers": ["--set", "autoscaling.enabled=true", "--set", "keda.enabled=true"],
            "a misspelt key": ["--set", "autoscalling.enabled=true"],
            "keda without triggers": ["--set", "keda.enabled=true"],
        }
        found = {}
        for case, args in cases.items():
            command = [str(tool_path("helm")), "template", "x", str(repo / CHART), *args]
            ran = subprocess.run(command, capture_output=True, text=True, check=False)
            found[case] = (ran.returncode, ran.stderr)
        return found

    found = cached("chart-refusals", kube.tree_digest(repo, str(CHART)), refusals)
    assert all(code != 0 for code, _ in found.values()), found
    assert "are exclusive" in found["both autoscalers"][1]
    assert "autoscalling" in found["a misspelt key"][1]
    assert "keda.triggers" in found["keda without triggers"][1]


@matrix
def test_chart_readme_documents_every_value(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    repo = render(**answers)
    readme = (repo / CHART / "README.md").read_text(encoding="utf-8")
    values = yaml.safe_load((repo / CHART / "values.yaml").read_text(encoding="utf-8"))
    schema = yaml.safe_load((repo / CHART / "values.schema.json").read_text(encoding="utf-8"))
    documented = {line.split("`")[1] for line in readme.splitlines() if line.startswith("| `")}

    def leaves(node: Any, schema_node: dict[str, Any], prefix: str = "") -> list[str]:
        # A key is documented on its own line unless it is a map of values a caller
        # fills (resources): then the map is.
        keys = []
        for key, value in node.items():
            path = f"{prefix}{key}"
            sub = schema_node["properties"][key]
            if isinstance(value, dict) and value and "properties" in sub and key != "resources":
                keys += leaves(value, sub, f"{path}.")
            else:
                keys.append(path)
        return keys

    missing = sorted(set(leaves(values, schema)) - documented)
    assert not missing, f"values missing from {CHART}/README.md: {missing}"
    assert schema.get("additionalProperties") is False


# Overlays and services, as Argo CD builds them


def _overlay_problems(repo: Path) -> list[str]:
    problems = []
    for env in kube.environments(repo):
        docs = kube.kustomize(repo / KUSTOMIZE / "overlays" / env)
        problems += validation_problems(repo, docs, f"kubectl kustomize overlays/{env}")
    return problems


@matrix
def test_every_overlay_builds_on_its_own(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    repo = render(**answers)
    assert tuple(kube.environments(repo)) == ENVIRONMENTS
    assert cached("overlays", deploy_digest(repo), lambda: _overlay_problems(repo)) == []


def _service_renders(repo: Path) -> dict[tuple[str, str], list[kube.Doc]]:
    return {
        (env, service): kube.render_env(repo, env, service)
        for env in kube.environments(repo)
        for service in kube.services(repo)
    }


def service_renders(repo: Path) -> dict[tuple[str, str], list[kube.Doc]]:
    renders: dict[tuple[str, str], list[kube.Doc]] = cached(
        "renders", deploy_digest(repo), lambda: _service_renders(repo)
    )
    return renders


@matrix
def test_every_service_deploys_valid_manifests_to_every_environment(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    repo = render(**answers)
    assert {"auth", first_service(repo)} <= set(kube.services(repo))

    def problems() -> list[str]:
        found = []
        for (env, service), docs in service_renders(repo).items():
            found += validation_problems(repo, docs, f"render --env {env} --service {service}")
        return found

    assert cached("render-problems", deploy_digest(repo), problems) == []


# Digests are CI's to set (test_pods_run_the_digest_ci_writes_to_the_overlay checks they
# reach every pod, the migration Job's too); a freshly rendered overlay has none yet.
CHECKOV_K8S_SKIPS = {"CKV_K8S_43": "image digests are written by CI at deploy time"}


def _checkov_findings(repo: Path, tmp: Path) -> list[str]:
    """checkov's failed Kubernetes checks on what stage and prod apply, per service."""
    for (env, service), docs in service_renders(repo).items():
        if env in {"stage", "prod"}:
            (tmp / f"{env}-{service}.yaml").write_text(
                yaml.safe_dump_all(docs, sort_keys=False), encoding="utf-8"
            )
    ran = subprocess.run(
        [
            str(tool_path("checkov")),
            *("--directory", str(tmp)),
            *("--framework", "kubernetes"),
            *("--skip-check", ",".join(CHECKOV_K8S_SKIPS)),
            "--skip-download",
            "--quiet",
            "--compact",
            *("--output", "json"),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        report = json.loads(ran.stdout)
    except json.JSONDecodeError as error:
        raise AssertionError(
            f"checkov printed no JSON report:\n{ran.stdout}{ran.stderr}"
        ) from error
    (kubernetes,) = report if isinstance(report, list) else [report]
    assert kubernetes["summary"]["resource_count"] > 0, "checkov loaded no manifests"
    return sorted(
        f"{check['check_id']} {check['resource']} ({check['file_path']}): {check['check_name']}"
        for check in kubernetes["results"]["failed_checks"]
    )


@matrix
def test_stage_and_prod_manifests_pass_checkov(
    render: Callable[..., Path], answers: dict[str, Any], tmp_path: Path
) -> None:
    """Secrets reach the pods and the migration Job as files, never environment
    variables (CKV_K8S_35), among the rest of checkov's Kubernetes checks."""
    repo = render(**answers)
    findings = cached("checkov", deploy_digest(repo), lambda: _checkov_findings(repo, tmp_path))
    assert findings == []


@matrix
def test_services_own_distinct_objects(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    """Each object of a service is named after it, so two Applications in one namespace
    never fight over an object, and nothing of the placeholder `service` is left."""
    repo = render(**answers)
    for env in ENVIRONMENTS:
        owners: dict[tuple[str, str, str], str] = {}
        for service in kube.services(repo):
            for doc in service_renders(repo)[env, service]:
                meta = doc["metadata"]
                name = meta["name"]
                assert name in (service, f"{service}-migrate"), f"{env}: {service} renders {name}"
                assert meta["labels"]["app.kubernetes.io/name"] == service
                key = (doc["kind"], meta.get("namespace", ""), name)
                assert key not in owners, f"{env}: {key} rendered by {owners[key]} and {service}"
                owners[key] = service


# What differs between environments, as each overlay's comments say.
EXPECTED = {
    "dev": {"workload": "Deployment", "hpa": (1, 2), "environment": "staging"},
    "stage": {"workload": "Rollout", "hpa": (2, 4), "environment": "staging"},
    "prod": {"workload": "Rollout", "hpa": (3, 20), "environment": "production"},
    "edge": {"workload": "Deployment", "hpa": None, "environment": "production"},
}


@matrix
@pytest.mark.parametrize("env", ENVIRONMENTS)
def test_environments_differ_as_documented(
    render: Callable[..., Path], answers: dict[str, Any], env: str
) -> None:
    repo = render(**answers)
    expected = EXPECTED[env]
    slug = yaml.safe_load((repo / ".copier-answers.yml").read_text(encoding="utf-8"))
    for service in kube.services(repo):
        docs = service_renders(repo)[env, service]
        by_kind = {doc["kind"]: doc for doc in docs}
        assert {doc["metadata"]["namespace"] for doc in docs} == {slug["project_slug"]}
        workload = by_kind[expected["workload"]]
        assert {"Deployment", "Rollout"} & set(by_kind) == {expected["workload"]}
        pod = workload["spec"]["template"]
        assert pod["metadata"]["labels"]["goldenpath.dev/environment"] == env
        container = pod["spec"]["containers"][0]
        assert container["env"][0] == {"name": "ENVIRONMENT", "value": expected["environment"]}
        hpa = by_kind.get("HorizontalPodAutoscaler")
        if expected["hpa"] is None:
            assert hpa is None
            assert workload["spec"]["replicas"] == 1
        else:
            assert hpa is not None
            assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == expected["hpa"]
            assert hpa["spec"]["scaleTargetRef"]["kind"] == expected["workload"]
            assert "replicas" not in workload["spec"], "the autoscaler owns the replica count"
        if expected["workload"] == "Rollout":
            template = by_kind["AnalysisTemplate"]["metadata"]["name"]
            analysis = workload["spec"]["strategy"]["canary"]["analysis"]
            assert analysis["templates"] == [{"templateName": template}]
        budget = by_kind["PodDisruptionBudget"]["spec"]
        if env == "prod":
            assert budget.get("minAvailable") == 2
            assert "maxUnavailable" not in budget
        else:
            assert budget.get("maxUnavailable") == 1
        if env == "edge":
            assert container["imagePullPolicy"] == "IfNotPresent"
            assert pod["spec"]["tolerations"][0]["key"] == "node-role.kubernetes.io/edge"
            assert container["livenessProbe"]["failureThreshold"] > 3
        else:
            assert container["imagePullPolicy"] == "Always"


# Hydration


@matrix
def test_hydrated_manifests_match_the_chart(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    repo = render(**answers)

    def check() -> str:
        return kube.manifests(repo, "hydrate", "--check", "--helm", str(tool_path("helm")))

    assert "up to date" in cached("hydrate", deploy_digest(repo), check)


def test_template_ships_hydrated_manifests_matching_its_chart() -> None:
    """tools/sync_manifests.py --check: the template's own copy has not drifted."""
    kube.run([sys.executable, "tools/sync_manifests.py", "--check"], cwd=TEMPLATE_ROOT)


def _component_mismatches(repo: Path, tmp: Path) -> list[str]:
    """Base plus each hydrated component, built by Kustomize, equals the chart rendered
    with that component's values: the generated patches (deletions, merges) are exact."""
    manifests = generated_ops("deploy.manifests")
    inputs = manifests.load_inputs(repo)
    shutil.copytree(repo / KUSTOMIZE, tmp / KUSTOMIZE)
    mismatches = []
    for output in inputs.outputs:
        if output.base is None:
            continue
        check_dir = tmp / KUSTOMIZE / f"check-{output.directory.name}"
        check_dir.mkdir()
        kustomization = {
            "resources": [f"../{output.base.name}"],
            "components": [f"../components/{output.directory.name}"],
        }
        (check_dir / "kustomization.yaml").write_text(yaml.safe_dump(kustomization))
        built = {manifests.object_id(doc): doc for doc in kube.kustomize(check_dir)}
        helm = str(tool_path("helm"))
        rendered = manifests.helm_template(repo, inputs, output.values, helm)
        wanted = {manifests.object_id(doc): doc for doc in rendered}
        for key in sorted(set(built) | set(wanted)):
            if built.get(key) != wanted.get(key):
                mismatches.append(f"{output.directory}: {key} differs from the chart's")
    return mismatches


@matrix
def test_components_build_exactly_what_the_chart_renders(
    render: Callable[..., Path], answers: dict[str, Any], tmp_path: Path
) -> None:
    repo = render(**answers)
    key = deploy_digest(repo)
    assert cached("components", key, lambda: _component_mismatches(repo, tmp_path)) == []


# Helm values and Kustomize components of a service agree


def _helm_kustomize_differences(repo: Path, tmp: Path) -> list[str]:
    """Per service: `helm template <svc> -f services/<svc>/deploy/values.yaml` against
    the base plus the service's component (no environment overlay), Helm-only labels
    and the part-of label left out. Equal means the two ways to deploy agree."""
    manifests = generated_ops("deploy.manifests")
    shutil.copytree(repo / KUSTOMIZE, tmp / KUSTOMIZE)
    for deploy in repo.glob("services/*/deploy"):
        shutil.copytree(deploy, tmp / deploy.relative_to(repo))
    plain = tmp / KUSTOMIZE / "overlays" / "plain"
    plain.mkdir()
    (plain / "kustomization.yaml").write_text("resources:\n  - ../../base\n")

    def normalized(docs: list[kube.Doc]) -> dict[Any, Any]:
        cleaned = manifests.strip_helm_labels(docs)
        for doc in cleaned:
            for labels in _label_maps(doc):
                labels.pop("app.kubernetes.io/part-of", None)
        return {manifests.object_id(doc): doc for doc in cleaned}

    differences = []
    for service in kube.services(repo):
        values = repo / "services" / service / "deploy" / "values.yaml"
        kube.helm_lint(repo / CHART, values)
        helm_docs = kube.helm_template(repo / CHART, service, [values])
        differences += validation_problems(repo, helm_docs, f"helm template {service}")
        kubectl = str(tool_path("kubectl"))
        command, env = ops_command(
            repo, "deploy", "render", "--root", str(tmp), "--env", "plain", "--service", service
        )
        kustomized = kube.documents(kube.run([*command, "--kubectl", kubectl], env=env))
        from_helm, from_kustomize = normalized(helm_docs), normalized(kustomized)
        for key in sorted(set(from_helm) | set(from_kustomize)):
            if from_helm.get(key) != from_kustomize.get(key):
                differences.append(f"{service}: {key} differs between Helm and Kustomize")
    return differences


def _label_maps(node: Any) -> list[dict[str, Any]]:
    if isinstance(node, dict):
        found = [node["labels"]] if isinstance(node.get("labels"), dict) else []
        return found + [
            m for key, value in node.items() if key != "labels" for m in _label_maps(value)
        ]
    if isinstance(node, list):
        return [m for item in node for m in _label_maps(item)]
    return []


@matrix
def test_helm_values_and_kustomize_component_of_each_service_agree(
    render: Callable[..., Path], answers: dict[str, Any], tmp_path: Path
) -> None:
    repo = render(**answers)
    differences = cached(
        "helm-vs-kustomize",
        deploy_digest(repo),
        lambda: _helm_kustomize_differences(repo, tmp_path),
    )
    assert differences == []


# Images


def _images_by_env(repo: Path, tmp: Path) -> dict[str, dict[str, dict[str, set[str]]]]:
    """phase:env -> service -> object -> images, before and after CI sets a digest for
    every service in every environment with `ops deploy set-image` (in a copy)."""
    work = tmp / "repo"
    for part in ("infra", *(str(p.relative_to(repo)) for p in repo.glob("services/*/deploy"))):
        shutil.copytree(repo / part, work / part)
    set_image = generated_ops("deploy.images")
    now = dt.datetime(2025, 1, 2, tzinfo=dt.UTC)
    found: dict[str, dict[str, dict[str, set[str]]]] = {}
    for (env, service), docs in service_renders(repo).items():
        found.setdefault(f"before:{env}", {})[service] = kube.images(docs)
        set_image.set_image(
            work,
            env=env,
            service=service,
            image=f"ghcr.io/{organization(repo)}/{service}",
            digest=DIGEST,
            commit="",
            now=now,
        )
    for env in kube.environments(work):
        for service in kube.services(work):
            docs = kube.render_env(work, env, service)
            found.setdefault(f"after:{env}", {})[service] = kube.images(docs)
    return found


@matrix
def test_pods_run_the_digest_ci_writes_to_the_overlay(
    render: Callable[..., Path], answers: dict[str, Any], tmp_path: Path
) -> None:
    repo = render(**answers)
    found = cached("images", deploy_digest(repo), lambda: _images_by_env(repo, tmp_path))
    org = organization(repo)
    app_version = yaml.safe_load((repo / CHART / "Chart.yaml").read_text())["appVersion"]
    for env in ENVIRONMENTS:
        for service in kube.services(repo):
            before = found[f"before:{env}"][service]
            after = found[f"after:{env}"][service]
            assert before, f"{env}/{service}: no workload"
            assert set().union(*before.values()) == {f"ghcr.io/{org}/{service}:{app_version}"}
            assert set().union(*after.values()) == {f"ghcr.io/{org}/{service}@{DIGEST}"}


# A service added by hand


def test_a_copied_service_deploys_everywhere_without_shared_edits(
    render: Callable[..., Path], tmp_path: Path
) -> None:
    """Copy the domain service to `payments` (every spelling of its name changed, as a
    developer would): it is discovered, renders valid manifests named after it in every
    environment with its own image, and installs with Helm from its own values."""
    repo = tmp_path / "repo"
    shutil.copytree(render(), repo)
    before = _files_outside(repo, "services/payments")
    kube.copy_service(repo, first_service(repo), "payments")
    assert _files_outside(repo, "services/payments") == before
    assert (repo / "services" / "payments" / "deploy" / "kustomization.yaml").is_file()
    assert "payments" in kube.services(repo)
    org = organization(repo)
    problems = []
    for env in kube.environments(repo):
        docs = kube.render_env(repo, env, "payments")
        problems += validation_problems(repo, docs, f"render --env {env} --service payments")
        names = {doc["metadata"]["name"] for doc in docs}
        assert names == {"payments", "payments-migrate"}, f"{env}: {names}"
        for images in kube.images(docs).values():
            assert {image.split(":")[0] for image in images} == {f"ghcr.io/{org}/payments"}
    values = repo / "services" / "payments" / "deploy" / "values.yaml"
    helm_docs = kube.helm_template(repo / CHART, "payments", [values], cwd=repo)
    assert {doc["metadata"]["name"] for doc in helm_docs} == {"payments", "payments-migrate"}
    problems += validation_problems(repo, helm_docs, "helm template payments")
    assert problems == []


def _files_outside(repo: Path, excluded: str) -> dict[str, str]:
    return {
        str(path.relative_to(repo)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(repo.rglob("*"))
        if path.is_file() and not path.relative_to(repo).as_posix().startswith(excluded + "/")
    }


# Canary analysis: quiet canaries pass, busy ones are measured


def _analysis_template(repo: Path) -> kube.Doc:
    path = repo / KUSTOMIZE / "components" / "canary" / "analysistemplate.yaml"
    (template,) = kube.documents(path.read_text(encoding="utf-8"))
    return template


def _condition_holds(condition: str, result: list[float]) -> bool:
    """Evaluate a successCondition the way Argo Rollouts' expr language does, for the
    operators the template uses (``||``, ``len``, ``isNaN``, comparisons)."""
    python = condition.replace("||", " or ").replace("isNaN", "math.isnan")
    return bool(eval(python, {"math": math, "len": len}, {"result": result}))  # noqa: S307


@matrix
def test_canary_analysis_passes_without_traffic_and_judges_with_it(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    repo = render(**answers)
    template = _analysis_template(repo)
    metrics = {metric["name"]: metric for metric in template["spec"]["metrics"]}
    assert set(metrics) == {"success-rate", "latency-p95", "latency-p99"}
    rate = metrics["success-rate"]["successCondition"]
    assert _condition_holds(rate, [])  # no series, or fewer requests than minRequests
    assert _condition_holds(rate, [math.nan])  # a ratio over no requests
    assert _condition_holds(rate, [0.995])
    assert not _condition_holds(rate, [0.9])
    p95 = metrics["latency-p95"]["successCondition"]
    assert _condition_holds(p95, [])
    assert _condition_holds(p95, [0.2])
    assert not _condition_holds(p95, [0.8])


def _promtool_cases(template: kube.Doc, namespace: str, service: str) -> dict[str, Any]:
    """promtool unit tests of the analysis queries on synthetic series of ``service`` in
    ``namespace``: the stable version's traffic and a trickle to the canary give no
    result (judged a pass); a busy canary with 10% errors gives 0.9, and its latency is
    measured."""
    args = {"namespace": namespace, "service-name": service, "canary-hash": "new"}

    def query(name: str) -> str:
        (metric,) = [m for m in template["spec"]["metrics"] if m["name"] == name]
        text = str(metric["provider"]["prometheus"]["query"])
        for arg, value in args.items():
            text = text.replace(f"{{{{args.{arg}}}}}", value)
        assert "{{" not in text, text
        return text

    def series(name: str, version: str, extra: str, values: str) -> dict[str, str]:
        labels = (
            f'namespace="{namespace}",service="{service}",rollouts_pod_template_hash="{version}"'
        )
        return {"series": f"{name}{{{labels},{extra}}}", "values": values}

    names = [m["name"] for m in template["spec"]["metrics"]]
    requests, buckets = "http_requests_total", "http_request_duration_seconds_bucket"
    return {
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "15s",
                "input_series": [series(requests, "old", 'status="200"', "0+100x40")],
                "promql_expr_test": [
                    {"expr": query(name), "eval_time": "5m", "exp_samples": []} for name in names
                ],
            },
            {
                "interval": "1m",
                "input_series": [series(requests, "new", 'status="500"', "0+1x10")],
                "promql_expr_test": [
                    {"expr": query("success-rate"), "eval_time": "8m", "exp_samples": []}
                ],
            },
            {
                "interval": "15s",
                "input_series": [
                    series(requests, "new", 'status="200"', "0+9x40"),
                    series(requests, "new", 'status="503"', "0+1x40"),
                    series(buckets, "new", 'le="0.1"', "0+8x40"),
                    series(buckets, "new", 'le="0.5"', "0+10x40"),
                    series(buckets, "new", 'le="+Inf"', "0+10x40"),
                ],
                "promql_expr_test": [
                    {
                        "expr": query("success-rate"),
                        "eval_time": "5m",
                        "exp_samples": [{"labels": "{}", "value": 0.9}],
                    },
                    # 80% under 0.1 s, all under 0.5 s: p95 interpolates to 0.4 s.
                    {
                        "expr": query("latency-p95"),
                        "eval_time": "5m",
                        "exp_samples": [{"labels": "{}", "value": 0.4}],
                    },
                ],
            },
        ],
    }


@matrix
def test_canary_analysis_queries_behave_on_synthetic_series(
    render: Callable[..., Path], answers: dict[str, Any], tmp_path: Path
) -> None:
    promtool = require_tool("promtool", "Debian/Ubuntu package `prometheus`")
    repo = render(**answers)

    def run_promtool() -> str:
        cases = tmp_path / "analysis_test.yaml"
        namespace = str(rendered_answers(repo)["project_slug"])
        analysis = _promtool_cases(_analysis_template(repo), namespace, first_service(repo))
        cases.write_text(yaml.safe_dump(analysis))
        ran = subprocess.run(
            [promtool, "test", "rules", str(cases)], capture_output=True, text=True, check=False
        )
        return f"{ran.returncode}\n{ran.stdout}{ran.stderr}"

    # The synthetic series carry the render's namespace and service name.
    names = f"{rendered_answers(repo)['project_slug']}/{first_service(repo)}"
    key = kube.tree_digest(repo, str(KUSTOMIZE / "components" / "canary")) + names
    result = cached("promtool", key, run_promtool)
    assert result.startswith("0\n"), result
