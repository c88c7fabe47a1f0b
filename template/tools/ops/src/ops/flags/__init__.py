"""``ops flags``: list feature flags and change them with an audit record.

This group belongs to the feature-flags module: it ships with the module's files and
``ops`` finds it by discovery, so a repository without the module has no ``flags``
command at all.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ops.repo import resolve_root


def _flags_path(ctx: click.Context) -> Path:
    explicit: Path | None = ctx.obj
    if explicit is not None:
        return explicit
    from ops.flags.store import DEFAULT_FLAGS  # noqa: PLC0415

    return resolve_root(None) / DEFAULT_FLAGS


@click.group(name="flags")
@click.option(
    "--flags",
    "flags_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="The flag file (default: config/flags/flags.json).",
)
@click.pass_context
def cli(ctx: click.Context, flags_file: Path | None) -> None:
    """List feature flags and change them, with an audit record per change."""
    ctx.obj = flags_file


@cli.command(name="list")
@click.pass_context
def list_command(ctx: click.Context) -> int:
    """Show every flag."""
    from ops.flags import store  # noqa: PLC0415

    store.print_table(store.load_flags(_flags_path(ctx)))
    return 0


@cli.command(name="lint")
@click.option(
    "--today",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Check expiry as of this date (default: today, UTC).",
)
@click.pass_context
def lint_command(ctx: click.Context, today: dt.datetime | None) -> int:
    """Check the metadata, dates and expiry of every flag."""
    from ops.flags import store  # noqa: PLC0415

    path = _flags_path(ctx)
    day = today.date() if today else dt.datetime.now(dt.UTC).date()
    return store.report(store.lint_problems(path, day), f"{path.name}: every flag is valid")


@cli.command(name="verify")
@click.option(
    "--git", "with_git", is_flag=True, help="Also: every committed flag file has a record."
)
@click.pass_context
def verify_command(ctx: click.Context, with_git: bool) -> int:
    """Check that the audit chain matches the log and the flag file."""
    from ops.flags import store  # noqa: PLC0415

    path = _flags_path(ctx)
    problems = store.verify_problems(path, with_git=with_git)
    return store.report(
        problems, f"{store.AUDIT_NAME}: the chain is intact and matches {path.name}"
    )


reason_option = click.option("--reason", required=True, help="Why; goes into the audit record.")
actor_option = click.option("--actor", help="Who (default: git config user.email, else $USER).")


def _change(
    ctx: click.Context, action: str, key: str, actor: str | None, reason: str, **extra: int
) -> int:
    from ops.flags import store  # noqa: PLC0415

    who = actor or store.default_actor()
    changes: dict[str, store.Change] = {
        "enable": lambda document: store.set_state(document, key, "ENABLED"),
        "disable": lambda document: store.set_state(document, key, "DISABLED"),
        "kill": lambda document: store.set_state(document, key, "DISABLED"),
        "rollout": lambda document: store.set_rollout(document, key, extra["percent"]),
        "kill-all": store.kill_all,
    }
    record = store.apply_change(
        _flags_path(ctx), flag=key, action=action, change=changes[action], actor=who, reason=reason
    )
    click.echo(f"{key}: {action} recorded as seq {record['seq']} by {who}")
    return 0


@cli.command(name="enable")
@click.argument("flag")
@reason_option
@actor_option
@click.pass_context
def enable_command(ctx: click.Context, flag: str, reason: str, actor: str | None) -> int:
    """Set a flag ENABLED."""
    return _change(ctx, "enable", flag, actor, reason)


@cli.command(name="disable")
@click.argument("flag")
@reason_option
@actor_option
@click.pass_context
def disable_command(ctx: click.Context, flag: str, reason: str, actor: str | None) -> int:
    """Set a flag DISABLED (the code default applies)."""
    return _change(ctx, "disable", flag, actor, reason)


@cli.command(name="kill")
@click.argument("flag")
@reason_option
@actor_option
@click.pass_context
def kill_command(ctx: click.Context, flag: str, reason: str, actor: str | None) -> int:
    """Emergency stop: DISABLED, the code default applies."""
    return _change(ctx, "kill", flag, actor, reason)


# A negative PERCENT must reach the bounds check (and its message), not be taken for an option.
@cli.command(name="rollout", context_settings={"ignore_unknown_options": True})
@click.argument("flag")
@click.argument("percent", type=int)
@reason_option
@actor_option
@click.pass_context
def rollout_command(
    ctx: click.Context, flag: str, percent: int, reason: str, actor: str | None
) -> int:
    """Send PERCENT of subjects to the flag's on variant."""
    return _change(ctx, "rollout", flag, actor, reason, percent=percent)


@cli.command(name="kill-all")
@reason_option
@actor_option
@click.pass_context
def kill_all_command(ctx: click.Context, reason: str, actor: str | None) -> int:
    """Global kill switch: disable every flag except permission flags."""
    return _change(ctx, "kill-all", "*", actor, reason)


@cli.command(name="audit-init")
@reason_option
@actor_option
@click.pass_context
def audit_init_command(ctx: click.Context, reason: str, actor: str | None) -> int:
    """Start an empty audit log with a record of the current flags."""
    from ops.flags import store  # noqa: PLC0415

    who = actor or store.default_actor()
    record = store.init_log(_flags_path(ctx), actor=who, reason=reason)
    click.echo(f"{store.AUDIT_NAME}: seq {record['seq']} create")
    return 0
