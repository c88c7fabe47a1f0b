"""Argo CD objects and the cluster baseline of every module combination.

- `infra/argo` (AppProject, ApplicationSets) and `infra/kustomize/cluster` (namespace,
  network policies, quota, Velero schedules) build with kustomize and pass
  kubernetes-validate --strict and the CRD schemas of tests/crd_schemas.py.
- The ApplicationSets' generators are emulated: the git directory generator lists
  `services/*/deploy` in the render, the git files generator reads
  `infra/argo/environments/*.yaml`, and the Go templates are evaluated strictly (an unknown
  parameter fails, like `missingkey=error`). Every generated Application must validate,
  point at paths that exist (the kustomize component relative to the overlay, as Argo CD
  resolves it) and sync automatically only where its environment says so.
- Each Application's source, built the way Argo CD builds it (the overlay plus the
  service's component), holds only kinds and namespaces the AppProject allows, and all of
  them together fit the namespace quota at their autoscaling maximum during a canary.
- A service directory added by hand (tests.kube.copy_service) appears as Applications
  with no other edit, and builds into a workload of its own name.

Identical trees across combinations are built and validated once: results are cached by
a hash of the files involved.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import math
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path, PurePosixPath
from typing import Any

import pytest
import yaml

from tests.conftest import answer_set_params
from tests.crd_schemas import MissingSchemaError, crd_errors
from tests.kube import copy_service
from tools.infra_tools import tool_path

BIN = Path(sys.executable).parent
ARGO = PurePosixPath("infra/argo")
CLUSTER = PurePosixPath("infra/kustomize/cluster")
# Where the environments are expected to sync by themselves (the policy).
AUTOMATED = {"dev": True, "stage": True, "prod": False, "edge": True}
ADDED_SERVICE = "payments"

answer_sets = pytest.mark.parametrize("answers", answer_set_params())


# --- building and validating ---------------------------------------------------------------


def _tree_digest(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


_KUSTOMIZED: dict[tuple[str, str], str] = {}


def kustomize(directory: Path, root: Path) -> list[dict[str, Any]]:
    """`kubectl kustomize directory`; `root` holds every file that can affect the result."""
    key = (_tree_digest(root), directory.relative_to(root).as_posix())
    if key not in _KUSTOMIZED:
        ran = subprocess.run(
            [str(tool_path("kubectl")), "kustomize", str(directory)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert ran.returncode == 0, f"kubectl kustomize {key[1]} failed:\n{ran.stderr}"
        _KUSTOMIZED[key] = ran.stdout
    return [doc for doc in yaml.safe_load_all(_KUSTOMIZED[key]) if doc]


@functools.cache
def _kubernetes_validate(text: str, scratch: str) -> str:
    manifest = Path(scratch) / f"{hashlib.sha256(text.encode()).hexdigest()}.yaml"
    manifest.write_text(text, encoding="utf-8")
    ran = subprocess.run(
        [str(BIN / "kubernetes-validate"), "--strict", "--quiet", str(manifest)],
        capture_output=True,
        text=True,
        check=False,
    )
    # Custom resources only warn here; crd_errors checks them.
    return "" if ran.returncode == 0 else ran.stdout + ran.stderr


def kubernetes_validate(docs: list[dict[str, Any]], scratch: Path) -> str:
    return _kubernetes_validate(yaml.safe_dump_all(docs, sort_keys=True), str(scratch))


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("argo")


# --- the ApplicationSet generators and Go templates, emulated ------------------------------


class MissingKeyError(KeyError):
    """A template names a parameter no generator provides (Argo CD: missingkey=error)."""


ACTION = re.compile(r"\{\{(-?)\s*(.*?)\s*(-?)\}\}", re.DOTALL)


def _lookup(params: dict[str, Any], expression: str) -> Any:
    words = expression.split()
    if len(words) == 1 and words[0].startswith("."):
        value: Any = params
        for key in words[0].removeprefix(".").split("."):
            if not isinstance(value, dict) or key not in value:
                raise MissingKeyError(f"map has no entry for key {key!r} in {expression!r}")
            value = value[key]
        return value
    if len(words) == 3 and words[0] == "index" and words[2].isdigit():
        sequence = _lookup(params, words[1])
        return sequence[int(words[2])]
    raise NotImplementedError(f"the test's Go template emulation does not know {expression!r}")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def go_template(template: str, params: dict[str, Any]) -> str:
    """Evaluate the Go template subset the ApplicationSets use: fields, index, if/end."""
    pieces: list[tuple[str, str]] = []  # ("text", s) or ("action", expression)
    position = 0
    for match in ACTION.finditer(template):
        text = template[position : match.start()]
        if match.group(1):
            text = text.rstrip()
        pieces.append(("text", text))
        pieces.append(("action", match.group(2)))
        position = match.end()
        if match.group(3):
            rest = template[position:]
            position += len(rest) - len(rest.lstrip())
    pieces.append(("text", template[position:]))

    output: list[str] = []
    active: list[bool] = []
    for kind, value in pieces:
        showing = all(active)
        if kind == "text":
            if showing:
                output.append(value)
        elif value.startswith("if "):
            active.append(bool(_lookup(params, value.removeprefix("if "))) if showing else False)
        elif value == "end":
            active.pop()
        elif showing:
            output.append(_text(_lookup(params, value)))
    assert not active, f"unclosed if in {template!r}"
    return "".join(output)


def _render_strings(node: Any, params: dict[str, Any]) -> Any:
    if isinstance(node, str):
        return go_template(node, params)
    if isinstance(node, dict):
        return {key: _render_strings(value, params) for key, value in node.items()}
    if isinstance(node, list):
        return [_render_strings(item, params) for item in node]
    return node


def _merge(base: Any, patch: Any) -> Any:
    if isinstance(base, dict) and isinstance(patch, dict):
        merged = dict(base)
        for key, value in patch.items():
            merged[key] = _merge(base[key], value) if key in base else value
        return merged
    return patch


def _path_params(path: PurePosixPath) -> dict[str, Any]:
    return {
        "path": str(path),
        "segments": list(path.parts),
        "basename": path.name,
        "basenameNormalized": re.sub(r"[^a-zA-Z0-9-]", "-", path.name),
    }


def _git_generator(repo: Path, git: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    prefix = git.get("pathParamPrefix")
    for entry in git.get("directories", []):
        assert not entry.get("exclude"), "exclusions are not emulated"
        for directory in sorted(repo.glob(entry["path"])):
            if directory.is_dir() and not directory.name.startswith("."):
                path = PurePosixPath(directory.relative_to(repo).as_posix())
                found.append({"path": _path_params(path)})
    for entry in git.get("files", []):
        for file in sorted(repo.glob(entry["path"])):
            path = PurePosixPath(file.relative_to(repo).as_posix())
            params = dict(yaml.safe_load(file.read_text(encoding="utf-8")))
            params["path"] = {
                **_path_params(path.parent),
                "filename": path.name,
                "filenameNormalized": re.sub(r"[^a-zA-Z0-9-.]", "-", path.name),
            }
            found.append(params)
    if prefix:
        found = [{prefix: {"path": params.pop("path")}, **params} for params in found]
    return found


def generate(repo: Path, generator: dict[str, Any]) -> list[dict[str, Any]]:
    """The parameter sets of one generator (git directories/files, list, matrix)."""
    if "git" in generator:
        return _git_generator(repo, generator["git"])
    if "list" in generator:
        return [dict(element) for element in generator["list"]["elements"]]
    if "matrix" in generator:
        left, right = (generate(repo, child) for child in generator["matrix"]["generators"])
        combined = []
        for first in left:
            for second in right:
                clash = set(first) & set(second)
                assert not clash, f"matrix parameters collide: {sorted(clash)}"
                combined.append({**first, **second})
        return combined
    raise NotImplementedError(f"generator not emulated: {sorted(generator)}")


def applications(repo: Path, appset: dict[str, Any]) -> list[dict[str, Any]]:
    """The Applications an ApplicationSet generates from the repository at ``repo``."""
    spec = appset["spec"]
    found = []
    for generator in spec["generators"]:
        for params in generate(repo, generator):
            app = _render_strings(copy.deepcopy(spec["template"]), params)
            if "templatePatch" in spec:
                patch = yaml.safe_load(go_template(spec["templatePatch"], params))
                if patch:
                    app = _merge(app, patch)
            app["metadata"].setdefault("namespace", appset["metadata"]["namespace"])
            found.append({"apiVersion": appset["apiVersion"], "kind": "Application", **app})
    return found


# --- helpers over a render ------------------------------------------------------------------


def argo_objects(repo: Path) -> dict[str, list[dict[str, Any]]]:
    by_kind: dict[str, list[dict[str, Any]]] = {}
    for doc in kustomize(repo / ARGO, repo / ARGO):
        by_kind.setdefault(doc["kind"], []).append(doc)
    return by_kind


def environments(repo: Path) -> dict[str, dict[str, Any]]:
    found = {}
    for file in sorted((repo / ARGO / "environments").glob("*.yaml")):
        data = yaml.safe_load(file.read_text(encoding="utf-8"))
        assert data["env"] == file.stem, f"{file.name} must describe the {file.stem} environment"
        found[data["env"]] = data
    # Every check below loops over these: an empty or partial set would pass them vacuously.
    assert set(found) == set(AUTOMATED), f"Argo CD environments: {sorted(found)}"
    return found


def deployable_services(repo: Path) -> list[str]:
    found = sorted(path.parent.name for path in (repo / "services").glob("*/deploy"))
    assert found, "no service has a deploy/ directory"
    return found


def service_appset(objects: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    (found,) = [a for a in objects["ApplicationSet"] if "matrix" in a["spec"]["generators"][0]]
    return found


def cluster_appset(objects: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    (found,) = [a for a in objects["ApplicationSet"] if "git" in a["spec"]["generators"][0]]
    return found


def allowed(project: dict[str, Any], doc: dict[str, Any]) -> bool:
    group = doc["apiVersion"].rpartition("/")[0]
    scoped = (
        "clusterResourceWhitelist" if doc["kind"] == "Namespace" else "namespaceResourceWhitelist"
    )
    return {"group": group, "kind": doc["kind"]} in project["spec"].get(scoped, [])


def copy_with_service(repo: Path, source: str, name: str, destination: Path) -> Path:
    """A copy of the render's services/ and infra/ in which services/<source> was copied to
    services/<name> the way a developer would (tests.kube.copy_service)."""
    for part in ("services", "infra"):
        shutil.copytree(repo / part, destination / part)
    copy_service(destination, source, name)
    return destination


def first_service(repo: Path) -> str:
    answers = yaml.safe_load((repo / ".copier-answers.yml").read_text(encoding="utf-8"))
    return str(answers["first_service"])


# --- tests ----------------------------------------------------------------------------------


@answer_sets
def test_argo_objects_validate(
    render: Callable[..., Path], answers: dict[str, Any], scratch: Path
) -> None:
    repo = render(**answers)
    objects = argo_objects(repo)
    docs = [doc for kind in objects.values() for doc in kind]
    assert sorted(objects) == ["AppProject", "ApplicationSet"]
    assert crd_errors(docs) == []
    assert kubernetes_validate(docs, scratch) == ""

    (project,) = objects["AppProject"]
    answers = yaml.safe_load((repo / ".copier-answers.yml").read_text(encoding="utf-8"))
    assert project["metadata"]["name"] == answers["project_slug"] != "default"
    assert project["spec"]["sourceRepos"] == [
        f"https://github.com/{answers['organization']}/{answers['project_slug']}.git"
    ]
    assert project["spec"]["clusterResourceWhitelist"] == [{"group": "", "kind": "Namespace"}]
    assert project["spec"]["orphanedResources"] == {"warn": True}
    for appset in objects["ApplicationSet"]:
        spec = appset["spec"]
        assert spec["goTemplate"] is True
        assert "missingkey=error" in spec["goTemplateOptions"]
        assert spec["template"]["spec"]["project"] == project["metadata"]["name"]


@answer_sets
def test_cluster_baseline_validates(
    render: Callable[..., Path], answers: dict[str, Any], scratch: Path
) -> None:
    repo = render(**answers)
    docs = kustomize(repo / CLUSTER, repo / CLUSTER)
    assert crd_errors(docs) == []
    assert kubernetes_validate(docs, scratch) == ""

    (project,) = argo_objects(repo)["AppProject"]
    namespaces = {d["namespace"] for d in project["spec"]["destinations"]}
    kinds = {doc["kind"] for doc in docs}
    assert {"Namespace", "NetworkPolicy", "LimitRange", "ResourceQuota", "Schedule"} <= kinds
    for doc in docs:
        name = f"{doc['kind']}/{doc['metadata']['name']}"
        assert allowed(project, doc), f"{name} is not allowed by the AppProject"
        if doc["kind"] != "Namespace":
            assert doc["metadata"]["namespace"] in namespaces, f"{name}: namespace not allowed"
    (namespace,) = [doc for doc in docs if doc["kind"] == "Namespace"]
    assert namespace["metadata"]["name"] == project["metadata"]["name"]
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    schedules = {doc["metadata"]["name"]: doc["spec"] for doc in docs if doc["kind"] == "Schedule"}
    ttls = sorted(spec["template"]["ttl"] for spec in schedules.values())
    assert ttls == ["48h0m0s", "720h0m0s"]
    for spec in schedules.values():
        assert spec["template"]["includedNamespaces"] == [namespace["metadata"]["name"]]
        assert spec["template"]["storageLocation"]


@answer_sets
def test_one_application_per_service_and_environment(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    repo = render(**answers)
    objects = argo_objects(repo)
    (project,) = objects["AppProject"]
    envs = environments(repo)
    assert sorted(envs) == sorted(AUTOMATED)
    services = deployable_services(repo)
    assert {first_service(repo), "auth"} <= set(services)

    apps = applications(repo, service_appset(objects))
    assert crd_errors(apps) == []
    by_name = {app["metadata"]["name"]: app for app in apps}
    assert len(by_name) == len(apps), "Application names must be unique"
    assert set(by_name) == {f"{service}-{env}" for service in services for env in envs}
    for service in services:
        for env, settings in envs.items():
            spec = by_name[f"{service}-{env}"]["spec"]
            assert spec["project"] == project["metadata"]["name"]
            assert spec["destination"]["name"] == settings["cluster"]
            assert ("automated" in spec.get("syncPolicy", {})) is AUTOMATED[env], env
            source = spec["source"]
            overlay = repo / source["path"]
            assert (overlay / "kustomization.yaml").is_file(), f"{source['path']} is no overlay"
            (component,) = source["kustomize"]["components"]
            # Argo CD resolves components relative to the source path.
            resolved = (overlay / component).resolve()
            assert resolved == (repo / "services" / service / "deploy").resolve()
            kustomization = yaml.safe_load((resolved / "kustomization.yaml").read_text())
            assert kustomization["kind"] == "Component"


@answer_sets
def test_one_cluster_baseline_per_environment(
    render: Callable[..., Path], answers: dict[str, Any]
) -> None:
    repo = render(**answers)
    objects = argo_objects(repo)
    envs = environments(repo)
    apps = applications(repo, cluster_appset(objects))
    assert crd_errors(apps) == []
    by_name = {app["metadata"]["name"]: app["spec"] for app in apps}
    assert set(by_name) == {f"cluster-baseline-{env}" for env in envs}
    for env, settings in envs.items():
        spec = by_name[f"cluster-baseline-{env}"]
        assert spec["source"]["path"] == str(CLUSTER)
        assert spec["destination"]["name"] == settings["cluster"]
        assert ("automated" in spec.get("syncPolicy", {})) is AUTOMATED[env], env


def _argo_build(repo: Path, app: dict[str, Any], workdir: Path) -> list[dict[str, Any]]:
    """Build an Application's source the way Argo CD does: the overlay plus its components."""
    source = app["spec"]["source"]
    shutil.rmtree(workdir, ignore_errors=True)
    # Only what kustomize reads, so identical trees in other combinations hit the cache.
    shutil.copytree(repo / "infra" / "kustomize", workdir / "infra" / "kustomize")
    for deploy in (repo / "services").glob("*/deploy"):
        shutil.copytree(deploy, workdir / deploy.relative_to(repo))
    overlay = workdir / source["path"]
    kustomization_file = overlay / "kustomization.yaml"
    kustomization = yaml.safe_load(kustomization_file.read_text(encoding="utf-8"))
    kustomization.setdefault("components", []).extend(source["kustomize"]["components"])
    kustomization_file.write_text(yaml.safe_dump(kustomization), encoding="utf-8")
    return kustomize(overlay, workdir)


@answer_sets
def test_applications_deploy_only_what_the_project_allows(
    render: Callable[..., Path], answers: dict[str, Any], tmp_path: Path
) -> None:
    repo = render(**answers)
    objects = argo_objects(repo)
    (project,) = objects["AppProject"]
    namespaces = {d["namespace"] for d in project["spec"]["destinations"]}
    apps = applications(repo, service_appset(objects))
    assert apps, "expected Applications for the services"
    for app in apps:
        name = app["metadata"]["name"]
        docs = _argo_build(repo, app, tmp_path / "build")
        assert docs, f"{name} renders nothing"
        for doc in docs:
            what = f"{name}: {doc['kind']}/{doc['metadata']['name']}"
            assert allowed(project, doc), f"{what} is not in the AppProject's whitelist"
            namespace = doc["metadata"].get("namespace", app["spec"]["destination"]["namespace"])
            assert namespace in namespaces, f"{what} goes to namespace {namespace}"


QUANTITY_UNITS = {"m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
QUOTA_KEYS = ("requests.cpu", "requests.memory", "limits.cpu", "limits.memory", "pods")
# A canary step or a rolling update runs up to a quarter more pods than the target count.
SURGE = 1.25


def quantity(value: object) -> float:
    text = str(value)
    for suffix in sorted(QUANTITY_UNITS, key=len, reverse=True):
        if text.endswith(suffix):
            return float(text.removesuffix(suffix)) * QUANTITY_UNITS[suffix]
    return float(text)


def _largest_footprint(docs: list[dict[str, Any]]) -> dict[str, float]:
    """Requests, limits and pods of one Application at its autoscaling maximum, mid-rollout."""
    ceilings = {
        doc["spec"]["scaleTargetRef"]["name"]: doc["spec"]["maxReplicas"]
        for doc in docs
        if doc["kind"] == "HorizontalPodAutoscaler"
    }
    total = dict.fromkeys(QUOTA_KEYS, 0.0)
    for doc in docs:
        if doc["kind"] in {"Deployment", "Rollout"}:
            replicas = ceilings.get(doc["metadata"]["name"], doc["spec"].get("replicas", 1))
            pods = math.ceil(replicas * SURGE)
        elif doc["kind"] == "Job":
            pods = 1
        else:
            continue
        total["pods"] += pods
        for container in doc["spec"]["template"]["spec"]["containers"]:
            resources = container.get("resources", {})
            for kind in ("requests", "limits"):
                for resource in ("cpu", "memory"):
                    amount = quantity(resources.get(kind, {}).get(resource, 0))
                    total[f"{kind}.{resource}"] += pods * amount
    return total


@answer_sets
def test_the_quota_fits_every_service_at_its_largest(
    render: Callable[..., Path], answers: dict[str, Any], tmp_path: Path
) -> None:
    repo = render(**answers)
    (quota,) = [
        d for d in kustomize(repo / CLUSTER, repo / CLUSTER) if d["kind"] == "ResourceQuota"
    ]
    hard = {key: quantity(quota["spec"]["hard"][key]) for key in QUOTA_KEYS}
    per_env: dict[str, dict[str, float]] = {}
    for app in applications(repo, service_appset(argo_objects(repo))):
        env = app["metadata"]["labels"]["goldenpath.dev/environment"]
        footprint = _largest_footprint(_argo_build(repo, app, tmp_path / "build"))
        totals = per_env.setdefault(env, dict.fromkeys(QUOTA_KEYS, 0.0))
        for key in QUOTA_KEYS:
            totals[key] += footprint[key]
    assert set(per_env) == set(AUTOMATED)
    for env, totals in per_env.items():
        over = [
            f"{key} {totals[key]:g} > {hard[key]:g}"
            for key in QUOTA_KEYS
            if totals[key] > hard[key]
        ]
        assert not over, f"{env}: the namespace quota is too small: {', '.join(over)}"


@answer_sets
def test_a_service_added_by_hand_gets_applications(
    render: Callable[..., Path], answers: dict[str, Any], tmp_path: Path
) -> None:
    repo = render(**answers)
    copied = copy_with_service(repo, first_service(repo), ADDED_SERVICE, tmp_path / "repo")
    objects = argo_objects(repo)
    before = {app["metadata"]["name"] for app in applications(repo, service_appset(objects))}
    after = {app["metadata"]["name"] for app in applications(copied, service_appset(objects))}
    envs = environments(repo)
    assert after - before == {f"{ADDED_SERVICE}-{env}" for env in envs}
    (project,) = objects["AppProject"]
    for app in applications(copied, service_appset(objects)):
        if not app["metadata"]["name"].startswith(f"{ADDED_SERVICE}-"):
            continue
        assert crd_errors([app]) == []
        docs = _argo_build(copied, app, tmp_path / "build")
        workloads = [doc for doc in docs if doc["kind"] in {"Deployment", "Rollout"}]
        assert [doc["metadata"]["name"] for doc in workloads] == [ADDED_SERVICE]
        assert all(allowed(project, doc) for doc in docs)


# --- the checks themselves catch mistakes ---------------------------------------------------


@pytest.fixture(scope="module")
def default_render(render: Callable[..., Path]) -> Path:
    return render()


def _mistakes() -> list[Any]:
    def misspelled_sync_policy(objects: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        appset = copy.deepcopy(service_appset(objects))
        sync = appset["spec"]["template"]["spec"]["syncPolicy"]
        sync["automatd"] = {"prune": True}
        return appset

    def misspelled_project_field(objects: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        project = copy.deepcopy(objects["AppProject"][0])
        project["spec"]["destination"] = project["spec"].pop("destinations")
        return project

    def wrong_type(objects: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
        appset = copy.deepcopy(cluster_appset(objects))
        appset["spec"]["goTemplate"] = "yes"
        return appset

    return [
        pytest.param(misspelled_sync_policy, "'automatd' was unexpected", id="automatd"),
        pytest.param(misspelled_project_field, "'destination' was unexpected", id="project"),
        pytest.param(wrong_type, "is not of type 'boolean'", id="goTemplate-type"),
    ]


@pytest.mark.parametrize(("mistake", "message"), _mistakes())
def test_crd_schemas_reject_mistakes(
    default_render: Path, mistake: Callable[..., dict[str, Any]], message: str
) -> None:
    errors = crd_errors([mistake(argo_objects(default_render))])
    assert len(errors) == 1
    assert message in errors[0]


def test_crd_schemas_reject_a_misspelled_velero_field(default_render: Path) -> None:
    docs = kustomize(default_render / CLUSTER, default_render / CLUSTER)
    schedule = copy.deepcopy(next(doc for doc in docs if doc["kind"] == "Schedule"))
    schedule["spec"]["template"]["storageLocaton"] = schedule["spec"]["template"].pop(
        "storageLocation"
    )
    (error,) = crd_errors([schedule])
    assert "spec.template" in error
    assert "'storageLocaton' was unexpected" in error


def test_crd_schemas_refuse_an_unknown_custom_kind() -> None:
    workflow = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Workflow", "metadata": {}}
    with pytest.raises(MissingSchemaError, match="Workflow"):
        crd_errors([workflow])
    assert crd_errors([{"apiVersion": "example.com/v1", "kind": "Widget"}]) == []


def test_go_template_emulation_is_strict() -> None:
    params = {"env": "dev", "service": {"path": {"segments": ["services", "auth", "deploy"]}}}
    rendered = go_template("{{ index .service.path.segments 1 }}-{{ .env }}", params)
    assert rendered == "auth-dev"
    with pytest.raises(MissingKeyError):
        go_template("{{ .environment }}", params)
    conditional = "a\n{{- if .flag }}\nb{{- end }}\n"
    assert go_template(conditional, {"flag": True}) == "a\nb\n"
    assert go_template(conditional, {"flag": False}) == "a\n"
    with pytest.raises(NotImplementedError):
        go_template("{{ .env | upper }}", params)
