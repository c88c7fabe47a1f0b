"""``ops deploy``: build what Argo CD applies and move image digests between environments."""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

import click

from ops.repo import resolve_root

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Repository root (default: the repository around the working directory).",
)
PROMOTION_ORDER = ("dev", "stage", "prod", "edge")


@click.group(name="deploy")
def cli() -> None:
    """Render and hydrate manifests; set, promote and roll back image digests."""


@cli.command(name="services")
@root_option
def services_command(root: Path | None) -> int:
    """List the services that deploy (services/*/deploy)."""
    from ops.deploy import manifests  # noqa: PLC0415

    for service in manifests.discover_services(resolve_root(root)):
        click.echo(service)
    return 0


@cli.command(name="render")
@click.option("--env", required=True, help="Overlay name: dev, stage, prod, edge.")
@click.option(
    "--service", "services", multiple=True, help="Only this service (repeatable; default: all)."
)
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), help="Write to FILE."
)
@click.option("--kubectl", help="kubectl to run (default: the one on PATH).")
@root_option
def render_command(
    env: str,
    services: tuple[str, ...],
    output: Path | None,
    kubectl: str | None,
    root: Path | None,
) -> int:
    """Build an environment's manifests exactly as Argo CD composes them."""
    from ops.deploy import manifests  # noqa: PLC0415

    text = manifests.render(
        resolve_root(root), env, list(services) or None, manifests.find_tool("kubectl", kubectl)
    )
    if output:
        output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


@cli.command(name="hydrate")
@click.option("--check", is_flag=True, help="Only report drift (exit 1 when there is any).")
@click.option("--helm", help="helm to run (default: the one on PATH).")
@root_option
def hydrate_command(check: bool, helm: str | None, root: Path | None) -> int:
    """Regenerate infra/kustomize/base and components/ from the Helm chart."""
    from ops.deploy import manifests  # noqa: PLC0415

    return manifests.hydrate_report(
        resolve_root(root), manifests.find_tool("helm", helm), check=check
    )


@cli.command(name="matrix")
@click.option("--registry", required=True, help="Image repository prefix, e.g. ghcr.io/acme.")
@root_option
def matrix_command(registry: str, root: Path | None) -> int:
    """Print the CI build matrix: one entry per service with a Dockerfile."""
    from ops.deploy import matrix  # noqa: PLC0415

    matrix.print_matrix(resolve_root(root), registry)
    return 0


def _commit() -> str:
    """The commit that asked for the change, for the history file (CI sets GITHUB_SHA)."""
    return os.environ.get("GITHUB_SHA", "")


@cli.command(name="set-image")
@click.option("--env", required=True, help="Environment (overlay) to deploy to.")
@click.option("--service", required=True, help="Service name.")
@click.option("--image", required=True, help="Repository, e.g. ghcr.io/org/service.")
@click.option("--digest", required=True, help="sha256:<hex>.")
@root_option
def set_image_command(env: str, service: str, image: str, digest: str, root: Path | None) -> int:
    """Deploy an image digest to an environment (CI after a build)."""
    from ops.deploy import images  # noqa: PLC0415

    history = images.set_image(
        resolve_root(root),
        env=env,
        service=service,
        image=image,
        digest=digest,
        commit=_commit(),
        now=dt.datetime.now(dt.UTC),
    )
    click.echo(images.describe(env, history))
    return 0


@cli.command(name="promote")
@click.option("--service", required=True, help="Service name.")
@click.option("--from", "source", required=True, type=click.Choice(PROMOTION_ORDER))
@click.option("--to", "target", required=True, type=click.Choice(PROMOTION_ORDER))
@root_option
def promote_command(service: str, source: str, target: str, root: Path | None) -> int:
    """Copy the digest a service runs in one environment to the next."""
    from ops.deploy import images  # noqa: PLC0415

    history = images.promote(
        resolve_root(root),
        service=service,
        source=source,
        target=target,
        commit=_commit(),
        now=dt.datetime.now(dt.UTC),
    )
    click.echo(images.describe(target, history))
    return 0


@cli.command(name="rollback")
@click.option("--env", required=True, help="Environment to roll back.")
@click.option("--service", required=True, help="Service name.")
@root_option
def rollback_command(env: str, service: str, root: Path | None) -> int:
    """Return a service in an environment to its previous digest."""
    from ops.deploy import images  # noqa: PLC0415

    history = images.rollback(resolve_root(root), env=env, service=service)
    click.echo(images.describe(env, history))
    return 0
