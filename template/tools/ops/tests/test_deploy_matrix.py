"""`ops deploy matrix`: the CI matrix comes from the catalog files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ops.cli import main
from ops.deploy.matrix import build_matrix

CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
  annotations:
    goldenpath.dev/port: "{port}"
    goldenpath.dev/app: {package}.app:create_app
spec:
  type: service
"""


def add_service(root: Path, name: str, port: int, *, dockerfile: bool = True) -> None:
    directory = root / "services" / name
    directory.mkdir(parents=True)
    text = CATALOG.format(name=name, port=port, package=name.replace("-", "_"))
    (directory / "catalog-info.yaml").write_text(text, encoding="utf-8")
    if dockerfile:
        (directory / "Dockerfile").write_text("FROM scratch\n", encoding="utf-8")


def test_every_service_with_a_dockerfile_is_in_the_matrix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    add_service(tmp_path, "orders", 8000)
    add_service(tmp_path, "auth", 8001)
    add_service(tmp_path, "reports", 8002, dockerfile=False)
    code = main(["deploy", "matrix", "--root", str(tmp_path), "--registry", "ghcr.io/acme/"])
    captured = capsys.readouterr()
    assert code == 0
    assert json.loads(captured.out) == {
        "include": [
            {
                "service": "auth",
                "directory": "services/auth",
                "dockerfile": "services/auth/Dockerfile",
                "image": "ghcr.io/acme/auth",
            },
            {
                "service": "orders",
                "directory": "services/orders",
                "dockerfile": "services/orders/Dockerfile",
                "image": "ghcr.io/acme/orders",
            },
        ]
    }
    assert "reports: no Dockerfile" in captured.err


def test_output_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_service(tmp_path, "orders", 8000)
    main(["deploy", "matrix", "--root", str(tmp_path), "--registry", "ghcr.io/acme"])
    assert capsys.readouterr().out.count("\n") == 1


def test_no_services_gives_an_empty_matrix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["deploy", "matrix", "--root", str(tmp_path), "--registry", "ghcr.io/acme"]) == 0
    assert json.loads(capsys.readouterr().out) == {"include": []}


def test_upper_case_registry_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["deploy", "matrix", "--root", str(tmp_path), "--registry", "ghcr.io/Acme"])
    assert code == 2
    assert "lower-case" in capsys.readouterr().err


def test_duplicate_ports_fail(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    add_service(tmp_path, "orders", 8000)
    add_service(tmp_path, "billing", 8000)
    code = main(["deploy", "matrix", "--root", str(tmp_path), "--registry", "ghcr.io/acme"])
    assert code == 2
    assert "duplicate service port" in capsys.readouterr().err


def test_the_repository_itself_has_a_matrix_entry_per_service() -> None:
    root = Path(__file__).resolve().parents[3]
    entries, _ = build_matrix(root, "ghcr.io/acme")
    names = {entry["service"] for entry in entries}
    assert "auth" in names
    assert all((root / entry["dockerfile"]).is_file() for entry in entries)
