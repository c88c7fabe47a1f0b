"""End to end: a rendered repo sets itself up, passes its own tests and lint, and runs.

These are the slowest checks (each render installs its own uv workspace from
PyPI), so they are marked slow; CI runs them.

The generated repos' commands run as their own CI runs them: with ``CI=true`` (so their
tests fail where a missing tool or server would make them skip) and with this repo's
helm and kubectl on PATH. A skipped test in a generated run fails the test that ran it:
a skip there means a check of the generated repo never ran.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import copier
import httpx
import pytest
import yaml

from tests.conftest import MODULE_IDS, TEMPLATE_ROOT, naming
from tests.needs import junit_outcomes
from tools.infra_tools import BIN_DIR
from tools.scratch import commit_all, tool_env

pytestmark = pytest.mark.slow


def generated_repo_env() -> dict[str, str]:
    """The environment of a generated repo's commands: CI mode, and helm and kubectl
    (``tools/infra_tools.py``) first on PATH for the tests that render its charts."""
    env = tool_env()
    env["CI"] = "true"
    env["PATH"] = f"{BIN_DIR}{os.pathsep}{env['PATH']}"
    return env


ENV = generated_repo_env()

VARIANTS = {
    "defaults": {},
    "full-order-history": {"first_service": "order-history", **dict.fromkeys(MODULE_IDS, True)},
}


def make(repo: Path, *targets: str, timeout: float = 1200) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["make", *targets],
        cwd=repo,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_ok(ran: subprocess.CompletedProcess[str]) -> None:
    assert ran.returncode == 0, (
        f"{ran.args}\n--- stdout\n{ran.stdout[-6000:]}\n--- stderr\n{ran.stderr[-4000:]}"
    )


@pytest.fixture(scope="module", params=list(VARIANTS), ids=list(VARIANTS))
def repo(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A rendered, git-initialised repo after `make setup`."""
    dest = tmp_path_factory.mktemp(request.param) / "platform"
    copier.run_copy(
        str(TEMPLATE_ROOT),
        dest,
        data=VARIANTS[request.param],
        defaults=True,
        unsafe=True,
        vcs_ref="HEAD",
        quiet=True,
    )
    commit_all(dest, "start")
    assert_ok(make(dest, "setup"))
    return dest


def test_make_test_passes_without_skipping(repo: Path, tmp_path: Path) -> None:
    """The generated suite passes and runs every test: nothing it needs (PostgreSQL,
    helm, kubectl, git) may be missing, and no test may skip itself."""
    report = tmp_path / "junit.xml"
    assert_ok(make(repo, "test", f"PYTEST_ARGS=--junitxml={report}"))
    ran, skipped = junit_outcomes(report)
    assert ran > 0, "the generated run collected no test"
    assert skipped == {}


def test_make_lint_passes(repo: Path) -> None:
    assert_ok(make(repo, "lint"))


def test_import_contracts_catch_a_domain_that_imports_the_orm(repo: Path) -> None:
    """`make lint`'s import contracts are not vacuous: the domain importing SQLAlchemy
    breaks them, naming the layer."""
    answers = yaml.safe_load((repo / ".copier-answers.yml").read_text())
    package = naming.snake(answers["first_service"]) + "_service"
    model = repo / "services" / answers["first_service"] / "src" / package / "domain" / "model.py"
    original = model.read_text(encoding="utf-8")
    model.write_text(original + "\nimport sqlalchemy  # noqa: E402, F401\n", encoding="utf-8")
    try:
        command = ["uv", "run", "--frozen", "lint-imports"]
        ran = subprocess.run(command, cwd=repo, env=ENV, capture_output=True, text=True)
    finally:
        model.write_text(original, encoding="utf-8")
    assert ran.returncode != 0
    assert f"{package}.domain is not allowed to import sqlalchemy" in ran.stdout


def test_pre_commit_hooks_pass(repo: Path) -> None:
    """The generated hooks are all local, so they run with what `make setup` installed."""
    ran = subprocess.run(
        ["uv", "run", "--frozen", "pre-commit", "run", "--all-files", "--show-diff-on-failure"],
        cwd=repo,
        env=ENV,
        capture_output=True,
        text=True,
        check=False,
    )
    assert_ok(ran)


def test_make_docs_builds_strict(repo: Path) -> None:
    assert_ok(make(repo, "docs"))
    # The navigation finds pages by directory: the generated service pages and every
    # decision record are in it without being listed anywhere.
    home = (repo / "site" / "index.html").read_text(encoding="utf-8")
    contracts = sorted((repo / "libs" / "shared-contracts" / "openapi").glob("*.json"))
    assert contracts
    for contract in contracts:
        assert f'href="services/{contract.stem}/"' in home
    for record in sorted((repo / "docs" / "adr").glob("[0-9][0-9][0-9][0-9]-*.md")):
        assert f'href="adr/{record.stem}/"' in home
    assert (repo / "site" / "index.html").is_file()


@pytest.fixture
def dev_stack(repo: Path, tmp_path: Path) -> Iterator[dict[str, int]]:
    """`make dev` running in its own process group; yields service name -> port."""
    ready = tmp_path / "ready.json"
    process = subprocess.Popen(
        ["make", "dev", f"DEV_ARGS=--ready-file {ready}"],
        cwd=repo,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 180
    while not ready.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            os.killpg(process.pid, signal.SIGKILL)
            output = process.communicate()[0]
            pytest.fail(f"make dev did not become ready:\n{output[-6000:]}")
        time.sleep(0.5)
    try:
        yield json.loads(ready.read_text())
    finally:
        os.killpg(process.pid, signal.SIGINT)
        try:
            output = process.communicate(timeout=30)[0]
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            pytest.fail("make dev did not stop within 30 s of Ctrl-C")
        # make itself also gets the Ctrl-C and reports it: as 130, or as death by SIGINT.
        assert process.returncode in {0, 130, -signal.SIGINT}, output[-4000:]
        assert "stack: stopping" in output, output[-4000:]


def dev_token(dev_stack: dict[str, int], service: str) -> str:
    """An access token for ``service`` from the dev stack's auth, as the dev client."""
    response = httpx.post(
        f"http://127.0.0.1:{dev_stack['auth']}/oauth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": "dev-client",
            "client_secret": "dev-secret",  # the development-only client
            "audience": service,
            "scope": "items:read items:write",
        },
        timeout=5,
    )
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def test_make_dev_serves_the_domain_api_behind_auth(repo: Path, dev_stack: dict[str, int]) -> None:
    service = yaml.safe_load((repo / ".copier-answers.yml").read_text())["first_service"]
    for port in dev_stack.values():
        assert httpx.get(f"http://127.0.0.1:{port}/livez", timeout=5).status_code == 200
        assert httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5).status_code == 200

    token = dev_token(dev_stack, service)

    api = f"http://127.0.0.1:{dev_stack[service]}/v1/items"
    created = httpx.post(
        api,
        json={"sku": "SKU-1", "name": "Widget", "price_cents": 1299, "currency": "EUR"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=5,
    )
    assert created.status_code == 201, created.text
    listed = httpx.get(api, headers={"Authorization": f"Bearer {token}"}, timeout=5)
    assert listed.status_code == 200
    assert [item["sku"] for item in listed.json()["items"]] == ["SKU-1"]

    forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
    assert (
        httpx.get(api, headers={"Authorization": f"Bearer {forged}"}, timeout=5).status_code == 401
    )
    assert httpx.get(api, timeout=5).status_code == 401


def test_flag_command_flips_the_domain_service(repo: Path, request: pytest.FixtureRequest) -> None:
    """Issue 6's acceptance: `ops flags kill` turns the running service's create
    endpoint off (the kill switch's safe code default) and `enable` turns it back on.
    Without the module there is no `ops flags` to run (and no dev stack is started)."""
    answers = yaml.safe_load((repo / ".copier-answers.yml").read_text())
    if not answers.get("feature_flags"):
        command = ["uv", "run", "--frozen", "ops", "flags", "--help"]
        ran = subprocess.run(command, cwd=repo, env=ENV, capture_output=True, text=True)
        assert ran.returncode != 0
        assert "No such command 'flags'" in ran.stderr
        return
    dev_stack: dict[str, int] = request.getfixturevalue("dev_stack")
    service = answers["first_service"]
    token = dev_token(dev_stack, service)
    api = f"http://127.0.0.1:{dev_stack[service]}/v1/items"

    def create(sku: str) -> int:
        item = {"sku": sku, "name": "Widget", "price_cents": 100, "currency": "EUR"}
        headers = {"Authorization": f"Bearer {token}"}
        return httpx.post(api, json=item, headers=headers, timeout=5).status_code

    def flags(*args: str) -> None:
        command = ["uv", "run", "--frozen", "ops", "flags", *args]
        ran = subprocess.run(command, cwd=repo, env=ENV, capture_output=True, text=True)
        assert_ok(ran)

    def wait_for(expected: int, prefix: str) -> None:
        deadline = time.monotonic() + 30  # the file resolver polls the flag file
        attempt = 0
        while (status := create(f"{prefix}-{attempt}")) != expected:
            assert time.monotonic() < deadline, f"still {status}, expected {expected}"
            attempt += 1
            time.sleep(0.5)

    try:
        assert create("FLAG-ON") == 201
        flags("kill", "items-create-enabled", "--reason", "end-to-end test", "--actor", "e2e")
        wait_for(503, "FLAG-KILLED")
        flags("enable", "items-create-enabled", "--reason", "end-to-end test", "--actor", "e2e")
        wait_for(201, "FLAG-BACK")
    finally:
        subprocess.run(["git", "checkout", "--", "config/flags"], cwd=repo, check=True)
