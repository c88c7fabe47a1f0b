"""``ops check``: repository gates that CI runs (policies, compliance evidence, the CLA)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ops.repo import resolve_root

root_option = click.option(
    "--root",
    type=click.Path(file_okay=False, path_type=Path),
    help="Repository root (default: the repository around the working directory).",
)


@click.group(name="check")
def cli() -> None:
    """Policy, compliance and CLA gates."""


@cli.command(name="policy")
@click.option(
    "--kubernetes",
    multiple=True,
    metavar="FILE",
    help="Rendered manifests (multi-document YAML), '-' for stdin; repeatable.",
)
@click.option(
    "--terraform-plan",
    "terraform_plans",
    multiple=True,
    metavar="FILE",
    help="A plan as JSON, from `terraform show -json tfplan`; repeatable.",
)
@click.option(
    "--workflow",
    "workflows",
    multiple=True,
    metavar="FILE",
    help="A GitHub workflow file; repeatable (default, when no input is given: every one).",
)
@click.option(
    "--policies",
    type=click.Path(file_okay=False, path_type=Path),
    help="Policy directory (default: ci/policies).",
)
@click.option(
    "--exceptions",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Exception registry (default: ci/policies/exceptions.yaml).",
)
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The date exceptions expire against (default: today, UTC).",
)
@click.option("--tests-only", is_flag=True, help="Only run the Rego unit tests.")
@click.option("--skip-tests", is_flag=True, help="Do not run the Rego unit tests.")
@root_option
def policy_command(
    *,
    kubernetes: tuple[str, ...],
    terraform_plans: tuple[str, ...],
    workflows: tuple[str, ...],
    policies: Path | None,
    exceptions: Path | None,
    today: dt.datetime | None,
    tests_only: bool,
    skip_tests: bool,
    root: Path | None,
) -> int:
    """Run the Rego unit tests in ci/policies, then the policies on the inputs."""
    from ops.check import policy  # noqa: PLC0415 - needs regorus (the policy extra)

    if tests_only and skip_tests:
        msg = "--tests-only and --skip-tests exclude each other"
        raise click.UsageError(msg)
    repo = resolve_root(root)
    return policy.check(
        repo,
        policy.Checks(kubernetes, terraform_plans, workflows),
        policies=policies or repo / policy.POLICY_DIR,
        exceptions=exceptions or repo / policy.EXCEPTIONS_FILE,
        today=today.date() if today else dt.datetime.now(dt.UTC).date(),
        run_unit_tests=not skip_tests,
        only_unit_tests=tests_only,
    )


@cli.command(name="compliance")
@click.option(
    "--controls",
    type=click.Path(path_type=Path),
    default="docs/compliance/controls.yaml",
    show_default=True,
    help="Relative to the root.",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write evidence.json and report.md here.",
)
@click.option("--strict", is_flag=True, help="Exit 1 when any control has a gap.")
@click.option(
    "--doc",
    type=click.Path(path_type=Path),
    default="docs/compliance/controls.md",
    show_default=True,
    help="Relative to the root.",
)
@click.option("--write-doc", is_flag=True, help="Regenerate the table in --doc.")
@click.option("--check-doc", is_flag=True, help="Exit 1 when --doc is stale.")
@root_option
def compliance_command(
    *,
    controls: Path,
    out: Path | None,
    strict: bool,
    doc: Path,
    write_doc: bool,
    check_doc: bool,
    root: Path | None,
) -> int:
    """Prove each control in docs/compliance/controls.yaml from the repository's files."""
    from ops.check import compliance  # noqa: PLC0415

    if write_doc and check_doc:
        msg = "--write-doc and --check-doc exclude each other"
        raise click.UsageError(msg)
    if out is None and not (write_doc or check_doc):
        msg = "nothing to do: give --out DIR, --write-doc or --check-doc"
        raise click.UsageError(msg)
    return compliance.run(
        resolve_root(root),
        controls_path=controls,
        doc=doc,
        out=out,
        strict=strict,
        write_doc=write_doc,
        check_doc=check_doc,
    )


@cli.command(name="cla")
@click.option("--login", required=True, help="GitHub login of the author.")
@click.option("--user-id", type=int, help="GitHub numeric user id.")
@click.option(
    "--signatures",
    type=click.Path(dir_okay=False, path_type=Path),
    default=".github/cla-signatures.json",
    show_default=True,
)
def cla_command(login: str, user_id: int | None, signatures: Path) -> int:
    """Check that a pull request's author has signed the Contributor License Agreement."""
    from ops.check import cla  # noqa: PLC0415

    return cla.check(login, user_id, signatures)
