import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from ops.discovery import discover_services
from shared_contracts.cli import main
from shared_contracts.openapi import app_schema

CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
  annotations:
    goldenpath.dev/port: "{port}"
    goldenpath.dev/app: {app}
spec:
  type: service
  lifecycle: experimental
  owner: platform
"""

MODULE = '''\
from fastapi import FastAPI
from pydantic import BaseModel

from service_kit import ServiceSettings, create_service_app

BUILT_IN = []


class Settings(ServiceSettings):
    service_name: str = "demo"


class Widget(BaseModel):
    id: int
{fields}


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    BUILT_IN.append(settings.environment)
    app = create_service_app(settings, title="Demo", version="1.0.0")

    @app.get("/v1/widgets/{{widget_id}}")
    async def read_widget(widget_id: int) -> Widget:
        """Read one widget."""
        raise NotImplementedError

    return app
'''

NAME = "    name: str"
COLOUR = '    colour: str = "red"'


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A repository with one service, `demo`, whose app lives in an importable module."""
    (tmp_path / "libs" / "shared-contracts").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(tmp_path / "src"))
    write_service(tmp_path, fields=NAME)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENVIRONMENT", "production")
    return tmp_path


def write_service(root: Path, *, fields: str, module: str = "demo_v1") -> None:
    source = root / "src" / f"{module}.py"
    source.parent.mkdir(exist_ok=True)
    source.write_text(MODULE.format(fields=fields), encoding="utf-8")
    service = root / "services" / "demo"
    service.mkdir(parents=True, exist_ok=True)
    (service / "catalog-info.yaml").write_text(
        CATALOG.format(name="demo", port=8000, app=f"{module}:create_app"), encoding="utf-8"
    )


def contract(root: Path) -> Path:
    return root / "libs" / "shared-contracts" / "openapi" / "demo.json"


def test_export_writes_sorted_indented_json(repo: Path) -> None:
    assert main(["export"]) == 0

    text = contract(repo).read_text(encoding="utf-8")
    document = json.loads(text)
    assert text == json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    assert list(document["paths"]) == ["/v1/widgets/{widget_id}"]
    assert document["openapi"].startswith("3.1")


def test_factory_runs_with_test_environment(repo: Path) -> None:
    [service] = discover_services(repo)
    module = importlib.import_module("demo_v1")
    module.BUILT_IN.clear()

    app_schema(service)

    assert module.BUILT_IN == ["test"]
    # The caller's environment is restored afterwards.
    assert os.environ["ENVIRONMENT"] == "production"


def test_check_passes_after_export_and_fails_on_drift(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 1
    assert "demo.json is missing" in capsys.readouterr().err

    main(["export"])
    assert main(["check"]) == 0

    document = json.loads(contract(repo).read_text(encoding="utf-8"))
    document["info"]["version"] = "0.9.0"
    contract(repo).write_text(json.dumps(document), encoding="utf-8")
    assert main(["check"]) == 1
    assert "differs from the demo app" in capsys.readouterr().err


def test_stale_contracts_are_reported_and_removed(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["export"])
    stale = contract(repo).with_name("retired.json")
    stale.write_text("{}\n", encoding="utf-8")

    assert main(["check"]) == 1
    assert "retired.json belongs to no service" in capsys.readouterr().err
    main(["export"])
    assert not stale.exists()
    assert main(["check"]) == 0


def git(root: Path, *args: str) -> None:
    subprocess.run(  # noqa: S603
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.com", *args],  # noqa: S607
        cwd=root,
        check=True,
        capture_output=True,
    )


def test_compat_against_git_ref(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["export"])
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "v1")

    # A compatible change: a new response property.
    write_service(repo, fields=f"{NAME}\n{COLOUR}", module="demo_v2")
    assert main(["compat", "--against", "HEAD"]) == 0
    assert "demo: compatible with HEAD" in capsys.readouterr().out

    # A breaking change: a response property removed.
    write_service(repo, fields=COLOUR, module="demo_v3")
    assert main(["compat", "--against", "HEAD"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        "demo: GET /v1/widgets/{widget_id} response 200 application/json.name: "
        "response property removed [removed-response-property]",
        "1 breaking change(s) against HEAD: keep the old behaviour, or publish a new API "
        "version next to the old one",
    ]


def test_new_service_has_nothing_to_compare(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    git(repo, "init", "-q")
    (repo / "README.md").write_text("demo\n", encoding="utf-8")
    git(repo, "add", "README.md")
    git(repo, "commit", "-q", "-m", "empty")

    assert main(["compat", "--against", "HEAD"]) == 0
    assert "demo: no contract at HEAD" in capsys.readouterr().out


def test_compat_with_unknown_ref_is_an_error(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    git(repo, "init", "-q")

    assert main(["compat", "--against", "no-such-ref"]) == 2
    assert "unknown git ref" in capsys.readouterr().err


def test_docs_writes_one_page_per_contract(repo: Path, tmp_path: Path) -> None:
    main(["export"])
    out = tmp_path / "site-pages"

    assert main(["docs", "--out", str(out)]) == 0

    [page] = sorted(out.iterdir())
    assert page.name == "demo.md"
    assert page.read_text(encoding="utf-8").startswith("# Demo API reference\n")


def test_module_entry_point(repo: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "shared_contracts", "--help"],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0
    assert "compat" in result.stdout
