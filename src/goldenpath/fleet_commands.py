"""The `outdated` and `diff` commands: what goldenpath.fleet finds, printed for people and
(``--json``) for scripts. Registered on the CLI by goldenpath.cli."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.syntax import Syntax
from rich.table import Table

from goldenpath.fleet import BEHIND, ERROR, diff, outdated
from goldenpath.progress import Progress

EXIT_BEHIND = 1
EXIT_OUTDATED_ERROR = 2

OUTDATED_HELP = """Show each repo's template version against the latest release of its source.

Each service answers file (services/*/.copier-answers*.yml) is checked too. Only \
`git ls-remote` runs against the source: nothing is cloned, no template code runs.

Exit codes: 0 every answers file is current, 1 one is behind, 2 one could not be \
checked (no answers file, source unreachable).

\b
Examples:
  goldenpath outdated                      # the repo in the current directory
  goldenpath outdated ../payments ../web   # several repos, one table
  goldenpath outdated --json ../* | jq '.[] | select(.status == "behind")'
"""

DIFF_HELP = """Show what REPO changed locally against a fresh render of its recorded \
template version and answers (the drift an update will merge).

Compares tracked and untracked files git does not ignore. A directory rendered from \
its own template (a service with its own answers file) is not compared. The patch \
goes to stdout, the summary to stderr.

\b
Examples:
  goldenpath diff                    # the current directory, as a patch
  goldenpath diff ../payments --stat # one line per changed file
  goldenpath diff --json | jq -r '.changes[].path'
"""


def register(
    app: typer.Typer, run: Callable[[Callable[[], Any]], Any], out: Console, err: Console
) -> None:
    """Add `outdated` and `diff` to ``app``; ``run`` turns GoldenpathError into exit codes."""

    @app.command(name="outdated", help=OUTDATED_HELP)
    def outdated_command(
        repos: Annotated[
            list[Path] | None,
            typer.Argument(help="Generated repos to check.", show_default="current directory"),
        ] = None,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print one JSON object per answers file.")
        ] = False,
    ) -> None:
        progress = Progress(err)
        with progress.shown():
            statuses = run(lambda: outdated(repos or [Path()], progress))
        if as_json:
            out.print_json(json.dumps([status.as_json() for status in statuses]))
        else:
            # Short columns never wrap; paths fold; the reasons go below the table, so
            # that it reads at 80 columns.
            table = Table(title="template versions", title_justify="left")
            table.add_column("repo", overflow="fold")
            table.add_column("part", overflow="fold")
            for column in ("recorded", "latest", "status"):
                table.add_column(column, no_wrap=True)
            for status in statuses:
                style = {"current": "green", BEHIND: "yellow", ERROR: "red"}[status.status]
                mark = "*" if status.detail else ""
                table.add_row(
                    escape(status.repo),
                    escape(status.part),
                    escape(status.recorded) or "-",
                    escape(status.latest) or "-",
                    f"[{style}]{status.status}[/]{mark}",
                )
            out.print(table)
            for status in statuses:
                if status.detail:
                    out.print(
                        f"* {status.repo} {status.part}: {status.detail}",
                        markup=False,
                        highlight=False,
                    )
        if any(status.status == ERROR for status in statuses):
            raise typer.Exit(EXIT_OUTDATED_ERROR)
        if any(status.status == BEHIND for status in statuses):
            raise typer.Exit(EXIT_BEHIND)

    @app.command(name="diff", help=DIFF_HELP)
    def diff_command(
        repo: Annotated[
            Path, typer.Argument(help="The generated repo.", show_default="current directory")
        ] = Path(),
        stat: Annotated[
            bool, typer.Option("--stat", help="One line per changed file, no patch.")
        ] = False,
        as_json: Annotated[
            bool, typer.Option("--json", help="Print the changed paths as JSON.")
        ] = False,
        accept_source: Annotated[
            bool,
            typer.Option(
                "--accept-source",
                help="Run the template source the answers file names although the repo was "
                "generated from another one (the render runs the template's code).",
            ),
        ] = False,
    ) -> None:
        progress = Progress(err)
        with progress.shown():
            drift = run(lambda: diff(repo, accept_source=accept_source, progress=progress))
        if as_json:
            out.print_json(json.dumps(drift.as_json()))
            return
        for path in drift.not_compared:
            err.print(f"not compared: {path} (rendered from its own template)", markup=False)
        if not drift.changes:
            out.print(f"No local changes against template {drift.version}.", markup=False)
            return
        if stat:
            for change in drift.changes:
                out.print(f"{change.kind:>8}  {change.path}", markup=False, highlight=False)
        else:
            patch = "".join(change.diff for change in drift.changes)
            if out.is_terminal:
                out.print(Syntax(patch, "diff", theme="ansi_dark", background_color="default"))
            else:
                out.file.write(patch)
        # On stderr, so that stdout holds only the patch.
        err.print(
            f"{len(drift.changes)} file(s) differ from template {drift.version}.",
            markup=False,
            highlight=False,
        )
