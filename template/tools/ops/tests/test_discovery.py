from pathlib import Path

import pytest
from ops.discovery import DiscoveryError, ServiceInfo, discover_services, scan_services

CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: {name}
  annotations:
{annotations}
spec:
  type: service
  lifecycle: production
  owner: platform
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: {name}-api
spec:
  type: openapi
"""


def write_service(root: Path, name: str, **annotations: str) -> Path:
    directory = root / "services" / name
    directory.mkdir(parents=True)
    lines = "\n".join(f"    goldenpath.dev/{key}: {value!r}" for key, value in annotations.items())
    text = CATALOG.format(name=name, annotations=lines or "    {}")
    (directory / "catalog-info.yaml").write_text(text, encoding="utf-8")
    return directory


def test_discovers_services_sorted_by_name(tmp_path: Path) -> None:
    write_service(
        tmp_path,
        "orders",
        port="8000",
        app="orders_service.app:create_app",
        migrations="orders_service.migrations",
    )
    write_service(tmp_path, "auth", port="8001", app="auth_service.app:create_app")

    services = discover_services(tmp_path)

    assert services == [
        ServiceInfo(
            name="auth",
            directory=tmp_path.resolve() / "services" / "auth",
            port=8001,
            app="auth_service.app:create_app",
            migrations=None,
        ),
        ServiceInfo(
            name="orders",
            directory=tmp_path.resolve() / "services" / "orders",
            port=8000,
            app="orders_service.app:create_app",
            migrations="orders_service.migrations",
        ),
    ]
    assert [service.package for service in services] == ["auth_service", "orders_service"]


def test_service_without_app_is_skipped_with_reason(tmp_path: Path) -> None:
    write_service(tmp_path, "proxy", port="9000")
    write_service(tmp_path, "orders", port="8000", app="orders_service.app:create_app")

    result = scan_services(tmp_path)

    assert [service.name for service in result.services] == ["orders"]
    assert len(result.skipped) == 1
    assert result.skipped[0].catalog.parent.name == "proxy"
    assert "goldenpath.dev/app" in result.skipped[0].reason


@pytest.mark.parametrize(
    ("annotations", "reason"),
    [
        ({"app": "orders_service.app:create_app"}, "no goldenpath.dev/port"),
        ({"app": "orders_service.app:create_app", "port": "http"}, "not a number"),
        ({"app": "orders_service.app:create_app", "port": "70000"}, "out of range"),
        ({"app": "orders_service.app", "port": "8000"}, "module:factory"),
        ({"app": "orders_service.app:create_app", "port": "0"}, "out of range"),
    ],
)
def test_invalid_annotations_are_skipped(
    tmp_path: Path, annotations: dict[str, str], reason: str
) -> None:
    write_service(tmp_path, "orders", **annotations)

    result = scan_services(tmp_path)

    assert result.services == []
    assert reason in result.skipped[0].reason


def test_file_without_component_is_skipped(tmp_path: Path) -> None:
    directory = tmp_path / "services" / "docs"
    directory.mkdir(parents=True)
    (directory / "catalog-info.yaml").write_text("kind: API\nmetadata: {name: docs}\n")

    assert scan_services(tmp_path).skipped[0].reason == "no Component document"


def test_broken_yaml_raises(tmp_path: Path) -> None:
    directory = tmp_path / "services" / "broken"
    directory.mkdir(parents=True)
    (directory / "catalog-info.yaml").write_text("kind: [Component\n")

    with pytest.raises(DiscoveryError, match="not valid YAML"):
        discover_services(tmp_path)


def test_duplicate_ports_raise(tmp_path: Path) -> None:
    write_service(tmp_path, "a", port="8000", app="a_service.app:create_app")
    write_service(tmp_path, "b", port="8000", app="b_service.app:create_app")

    with pytest.raises(DiscoveryError, match="duplicate service port 8000"):
        discover_services(tmp_path)


def test_no_services_directory(tmp_path: Path) -> None:
    assert discover_services(tmp_path) == []


def test_load_factory_imports_the_callable(tmp_path: Path) -> None:
    info = ServiceInfo(
        name="kit",
        directory=tmp_path,
        port=8000,
        app="service_kit.app:create_service_app",
        migrations=None,
    )

    assert info.load_factory().__name__ == "create_service_app"
    with pytest.raises(AttributeError):
        ServiceInfo("x", tmp_path, 1, "service_kit.app:missing", None).load_factory()
