"""`goldenpath add service` and `goldenpath update --service`.

The repo under test is rendered once per module from a snapshot of this checkout (working
tree included, tagged v1), as `goldenpath new` would; each test works on a copy of it.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import copier
import pytest
import yaml
from typer.testing import CliRunner

from goldenpath.cli import app
from tools.scratch import commit_all, git, snapshot_template, tool_env

runner = CliRunner()
SERVICE_ANSWERS = ".copier-answers.service.yml"


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return snapshot_template(tmp_path_factory.mktemp("template"), "v1")


@pytest.fixture(scope="module")
def rendered(template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("rendered") / "platform"
    copier.run_copy(str(template), dest, defaults=True, unsafe=True, vcs_ref="v1", quiet=True)
    commit_all(dest, "start")
    return dest


@pytest.fixture
def repo(rendered: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "platform"
    shutil.copytree(rendered, copy, symlinks=True)
    return copy


def add(repo: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(
        app, ["add", "service", *args, "--repo", str(repo)], env={"COLUMNS": "200"}
    )
    return result.exit_code, result.output


def status(repo: Path) -> str:
    return git(repo, "status", "--porcelain", "--untracked-files=all")


def answers(path: Path) -> dict[str, object]:
    loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(loaded, dict)
    return loaded


KINDS = {
    "http": [
        "services/{name}/src/{package}/notes.py",
        "services/{name}/src/{package}/migrations/versions/0001_create_notes.py",
        "services/{name}/tests/test_api.py",
        "services/{name}/tests/test_migrations.py",
    ],
    "worker": [
        "services/{name}/src/{package}/worker.py",
        "services/{name}/tests/test_worker.py",
    ],
}
COMMON = [
    f"services/{{name}}/{SERVICE_ANSWERS}",
    "services/{name}/catalog-info.yaml",
    "services/{name}/pyproject.toml",
    "services/{name}/Dockerfile",
    "services/{name}/README.md",
    "services/{name}/deploy/kustomization.yaml",
    "services/{name}/deploy/values.yaml",
    "services/{name}/src/{package}/app.py",
    "services/{name}/tests/conftest.py",
    "libs/shared-contracts/openapi/{name}.json",
]


@pytest.mark.parametrize(
    ("kind", "name"),
    [pytest.param("http", "orders", id="http"), pytest.param("worker", "mail-sender", id="worker")],
)
def test_add_service_writes_only_new_files(repo: Path, kind: str, name: str) -> None:
    code, output = add(repo, name, "--kind", kind)

    assert code == 0, output
    assert f"Added service {name} ({kind}, port 8100)" in output
    package = name.replace("-", "_") + "_service"
    expected = {path.format(name=name, package=package) for path in COMMON + KINDS[kind]}
    untracked = {line[3:] for line in status(repo).splitlines()}
    assert expected <= untracked
    # Discovery: no existing file was edited, every change is a new file.
    assert all(line.startswith("?? ") for line in status(repo).splitlines())
    assert all(
        path.startswith((f"services/{name}/", f"libs/shared-contracts/openapi/{name}.json"))
        for path in untracked
    )
    recorded = answers(repo / "services" / name / SERVICE_ANSWERS)
    assert recorded["service_name"] == name
    assert recorded["service_kind"] == kind
    assert recorded["_commit"] == "v1"
    assert recorded["project_slug"] == answers(repo / ".copier-answers.yml")["project_slug"]
    catalog = next(yaml.safe_load_all((repo / "services" / name / "catalog-info.yaml").read_text()))
    assert catalog["metadata"]["annotations"]["goldenpath.dev/port"] == "8100"
    assert catalog["metadata"]["annotations"]["goldenpath.dev/app"] == f"{package}.app:create_app"
    has_migrations = "goldenpath.dev/migrations" in catalog["metadata"]["annotations"]
    assert has_migrations == (kind == "http")


def test_each_service_gets_the_next_free_port(repo: Path) -> None:
    assert add(repo, "orders")[0] == 0
    commit_all(repo, "orders")
    code, output = add(repo, "billing", "--kind", "worker")
    assert code == 0, output
    assert "port 8101" in output


def test_set_answers_a_service_question(repo: Path) -> None:
    code, output = add(repo, "orders", "--set", "service_description=Orders and their lines")
    assert code == 0, output
    recorded = answers(repo / "services" / "orders" / SERVICE_ANSWERS)
    assert recorded["service_description"] == "Orders and their lines"


def _dirty(repo: Path) -> None:
    (repo / "README.md").write_text("edited\n", encoding="utf-8")


def _untracked(repo: Path) -> None:
    (repo / "notes.txt").write_text("scratch\n", encoding="utf-8")


def _not_generated(repo: Path) -> None:
    (repo / ".copier-answers.yml").unlink()
    commit_all(repo, "drop the answers")


FIX = "fix NAME, --kind or the --set answer"
# id: (prepare the repo, arguments, the error line says, the hint says)
REFUSALS = {
    "existing-first-service": (None, ["catalog"], "'catalog' exists already", "update --service"),
    "existing-core-service": (None, ["auth"], "'auth' exists already", "choose another name"),
    "reserved": (None, ["gateway"], "'gateway' is reserved for the platform", FIX),
    "uppercase": (None, ["Orders"], "is not a DNS-1123 label", FIX),
    "too-long": (None, ["a" * 31], "is 31 characters long", FIX),
    "unknown-kind": (None, ["orders", "--kind", "cron"], "'cron' is not in", FIX),
    "port-out-of-range": (None, ["orders", "--set", "service_port=80"], "80 is out of range", FIX),
    "repo-question": (
        None,
        ["orders", "--set", "project_slug=x"],
        "unknown question 'project_slug'",
        "allowed questions: service_",
    ),
    "dirty": (_dirty, ["orders"], "uncommitted changes: README.md", "commit or stash"),
    "untracked-file": (_untracked, ["orders"], "uncommitted changes: notes.txt", "commit or stash"),
    "not-a-goldenpath-repo": (
        _not_generated,
        ["orders"],
        "not a goldenpath repo",
        "goldenpath new",
    ),
}


@pytest.mark.parametrize(
    ("prepare", "args", "message", "hint"), list(REFUSALS.values()), ids=list(REFUSALS)
)
def test_refusals_write_nothing(
    repo: Path, prepare: object, args: list[str], message: str, hint: str
) -> None:
    if callable(prepare):
        prepare(repo)
    before = status(repo)

    code, output = add(repo, *args)

    assert code == 2, output
    lines = output.strip().splitlines()
    assert len(lines) == 2, output
    assert lines[0].startswith("error: "), output
    assert message in lines[0], output
    assert lines[1].startswith("hint: "), output
    assert hint in lines[1], output
    assert status(repo) == before


def test_a_directory_that_is_no_repo_is_refused(tmp_path: Path) -> None:
    code, output = add(tmp_path, "orders")
    assert code == 2
    assert "is not a goldenpath repo" in output


@pytest.fixture
def with_service(repo: Path) -> Path:
    assert add(repo, "orders")[0] == 0
    commit_all(repo, "Add the orders service")
    return repo


def test_update_service_touches_that_service_alone(with_service: Path) -> None:
    repo = with_service
    result = runner.invoke(
        app,
        [
            *("update", str(repo), "--service", "orders", "--vcs-ref", "v1"),
            *("--set", "service_description=Orders and their lines"),
        ],
        env={"COLUMNS": "200"},
    )
    assert result.exit_code == 0, result.output
    changed = set(git(repo, "diff", "--name-only").split())
    assert changed == {
        f"services/orders/{SERVICE_ANSWERS}",
        "services/orders/README.md",
        "services/orders/catalog-info.yaml",
        "services/orders/pyproject.toml",
        "services/orders/src/orders_service/__init__.py",
    }


def test_plain_copier_updates_the_service_from_its_answers_file(with_service: Path) -> None:
    repo = with_service
    copier.run_update(
        repo,
        answers_file=f"services/orders/{SERVICE_ANSWERS}",
        data={"service_description": "Orders and their lines"},
        defaults=True,
        overwrite=True,
        unsafe=True,
        quiet=True,
        vcs_ref="v1",
    )
    changed = set(git(repo, "diff", "--name-only").split())
    assert f"services/orders/{SERVICE_ANSWERS}" in changed
    assert all(path.startswith("services/orders/") for path in changed), changed


def test_update_service_refuses_a_service_it_did_not_add(repo: Path) -> None:
    result = runner.invoke(app, ["update", str(repo), "--service", "catalog"])
    assert result.exit_code == 2, result.output
    assert "was not added with `goldenpath add service`" in result.output


@pytest.mark.slow
def test_an_added_service_passes_its_tests_and_lint(repo: Path) -> None:
    """End to end in a default render: both kinds, then the repo's own tools."""
    for name, kind in (("orders", "http"), ("mail-sender", "worker")):
        code, output = add(repo, name, "--kind", kind)
        assert code == 0, output
        commit_all(repo, f"Add {name}")
    env = tool_env()

    def run(*command: str) -> None:
        ran = subprocess.run(
            command, cwd=repo, env=env, capture_output=True, text=True, check=False, timeout=1800
        )
        assert ran.returncode == 0, f"{command}\n{ran.stdout[-6000:]}\n{ran.stderr[-3000:]}"

    run("uv", "sync", "--all-packages")
    run("uv", "run", "--frozen", "pytest", "-q", "-p", "no:cacheprovider", "services/orders")
    run("uv", "run", "--frozen", "pytest", "-q", "-p", "no:cacheprovider", "services/mail-sender")
    run("uv", "run", "--frozen", "pytest", "-q", "-p", "no:cacheprovider", "libs/shared-contracts")
    run("make", "lint")


def test_a_template_version_without_services_is_refused(tmp_path: Path) -> None:
    """A repo made before `add service` existed: its template version renders a whole repo
    for any answers file, which must not land in the repo."""
    template = snapshot_template(tmp_path / "template", "v1")
    shutil.rmtree(template / "service-template")
    copier_yml = template / "copier.yml"
    settings = copier_yml.read_text(encoding="utf-8")
    setting = re.search(r"^_subdirectory:.*?\n(?=\S)", settings, flags=re.MULTILINE | re.DOTALL)
    assert setting, "copier.yml sets _subdirectory"
    copier_yml.write_text(settings.replace(setting[0], "_subdirectory: template\n"), "utf-8")
    commit_all(template, "a version before add service", "v0")
    repo = tmp_path / "platform"
    copier.run_copy(str(template), repo, defaults=True, unsafe=True, vcs_ref="v0", quiet=True)
    commit_all(repo, "start")

    code, output = add(repo, "orders")

    assert code == 1, output
    assert "has no service template" in output
    assert "goldenpath update" in output
    assert status(repo) == ""
