"""The goldenpath command line: a thin layer over copier's Python API.

Exit codes: 0 done; 1 failed; 2 bad input (nothing written); 3 update applied
with conflicts to resolve; 130 interrupted.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Annotated, TypeVar

import typer
from copier.errors import DirtyLocalWarning
from rich.console import Console
from rich.table import Table

from goldenpath import __version__
from goldenpath.adding import add_service, service_answers
from goldenpath.answers import module_switches, parse_assignments
from goldenpath.errors import EXIT_CONFLICTS, EXIT_INTERRUPTED, GoldenpathError
from goldenpath.fleet_commands import register as register_fleet_commands
from goldenpath.operations import check_destination_is_free, generate
from goldenpath.progress import Progress
from goldenpath.template_source import default_source, open_template
from goldenpath.updating import ANSWERS_FILE, check_source, remember_source, update

app = typer.Typer(
    name="goldenpath",
    help="Generate and update a production-ready platform monorepo.\n\n"
    "Exit codes: 0 done, 1 failed, 2 bad input (nothing written), "
    "3 update left conflicts to resolve, 130 interrupted.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console()
err = Console(stderr=True)

# Rendering a checkout with uncommitted changes is how template authors work;
# copier's warning about it would only add noise to every run.
warnings.filterwarnings("ignore", category=DirtyLocalWarning)

T = TypeVar("T")

TemplateOption = Annotated[
    str | None,
    typer.Option(
        "--template",
        help="Template source: a goldenpath git checkout or git URL "
        "[default: the checkout goldenpath runs from, or $GOLDENPATH_TEMPLATE]",
        show_default=False,
    ),
]
VcsRefOption = Annotated[
    str | None,
    typer.Option(
        "--vcs-ref",
        help="Template git tag, branch or commit [default: latest version tag, else HEAD]",
        show_default=False,
    ),
]
SetOption = Annotated[
    list[str] | None,
    typer.Option(
        "--set",
        metavar="KEY=VALUE",
        help="Answer a question, e.g. --set project_name='Acme Platform'. Repeatable.",
        show_default=False,
    ),
]


NOTHING_WRITTEN_ON_INTERRUPT = "nothing was written; run the command again"


def _run(action: Callable[[], T], *, interrupted_hint: str = NOTHING_WRITTEN_ON_INTERRUPT) -> T:
    """Run ``action``; turn a GoldenpathError into one line, a hint and its exit code.

    Ctrl-C exits 130 with the same two lines (click alone would print "Aborted!" and
    exit 1); ``interrupted_hint`` says what the interrupted command may have left.
    """
    try:
        try:
            return action()
        except KeyboardInterrupt:
            raise GoldenpathError("interrupted", interrupted_hint, EXIT_INTERRUPTED) from None
    except GoldenpathError as error:
        err.print(f"[bold red]error:[/] {error.message}", highlight=False, soft_wrap=True)
        if error.hint:
            err.print(f"[yellow]hint:[/] {error.hint}", highlight=False, soft_wrap=True)
        raise typer.Exit(error.exit_code) from None


def _version_callback(value: bool) -> None:
    if value:
        out.print(f"goldenpath {__version__}")
        raise typer.Exit


@app.callback()
def main(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version_callback, is_eager=True, help="Show version."),
    ] = False,
) -> None:
    """Generate and update a production-ready platform monorepo."""


@app.command()
def new(
    dest: Annotated[Path, typer.Argument(help="Directory to create (must be new or empty).")],
    preset: Annotated[
        str | None,
        typer.Option(
            help="Module preset: minimal (no modules) or full (every module, planned ones too).",
            show_default=False,
        ),
    ] = None,
    with_modules: Annotated[
        list[str] | None,
        typer.Option(
            "--with", metavar="MODULE", help="Switch a module on. Repeatable.", show_default=False
        ),
    ] = None,
    assignments: SetOption = None,
    defaults: Annotated[
        bool, typer.Option("--defaults", help="Take the default for every question not set.")
    ] = False,
    template: TemplateOption = None,
    vcs_ref: VcsRefOption = None,
) -> None:
    """Generate a new platform repo in DEST (same result as `copier copy --trust`).

    \b
    Examples:
      goldenpath new ../acme --defaults --preset full
      goldenpath new ../acme --with feature_flags --set project_name=Acme
      goldenpath new ../acme --template https://github.com/ORG/goldenpath \\
        --vcs-ref v0.5.0
    """

    def action() -> None:
        check_destination_is_free(dest)  # before the slower template read
        source = template or default_source()
        progress = Progress(err)
        # One clone of the template serves the questions and the render.
        with ExitStack() as clone:
            with progress.shown():
                progress.phase("Reading template")
                info = clone.enter_context(open_template(source, vcs_ref))
                data = module_switches(
                    preset, with_modules or [], info.module_ids, info.module_map.presets
                )
                data |= parse_assignments(assignments or [], info.questions)
            if defaults:
                with progress.shown():
                    progress.phase(f"Rendering {dest}")
                    result = generate(
                        dest, source, vcs_ref, data, defaults=True,
                        template=info.template, progress=progress,
                    )  # fmt: skip
                    progress.phase("Removing the template clone")
                    clone.close()
            else:  # the questionnaire needs the terminal, so no spinner over it
                result = generate(
                    dest, source, vcs_ref, data, defaults=False, template=info.template
                )
        out.print(f"[green]Generated[/] {result.dest} from goldenpath {result.version}.")
        out.print(
            f"Next: cd {result.dest} && git init && git add -A && "
            "git commit -m 'Start from goldenpath'"
        )

    _run(action)


@app.command(name="update")
def update_command(
    dest: Annotated[
        Path, typer.Argument(help="The generated repo to update.", show_default="current directory")
    ] = Path(),
    assignments: SetOption = None,
    vcs_ref: VcsRefOption = None,
    accept_source: Annotated[
        bool,
        typer.Option(
            "--accept-source",
            help="Run the template source the answers file names although the repo was "
            "generated from another one (an update runs the template's code).",
        ),
    ] = False,
    service: Annotated[
        str | None,
        typer.Option(
            "--service",
            metavar="NAME",
            help="Update only this service (one added with `goldenpath add service`).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Pull template changes into a generated repo with a 3-way merge.

    Your edits are kept; where they clash with a template change (or the template
    deletes a file you edited), the file is listed as a conflict and the command
    exits 3. Files you deleted stay deleted. Untracked or ignored files are never
    overwritten: if the new version writes one, nothing changes and it exits 2.

    \b
    Examples:
      goldenpath update                # this directory's repo, to the latest release
      goldenpath update ../acme --vcs-ref v0.6.0
      goldenpath diff ../acme          # first see what you changed locally
    """

    def action() -> None:
        # Before any template code runs: is the source the one the repo came from?
        checked = check_source(dest, accept_source=accept_source)
        if checked.changed:
            was = repr(checked.trusted) if checked.trusted else "an unrecorded source"
            err.print(
                f"[yellow]note:[/] template source {checked.source!r} accepted "
                f"(generated from {was})",
                highlight=False,
                soft_wrap=True,
            )
        answers_file = service_answers(dest, service) if service else ANSWERS_FILE
        progress = Progress(err)
        with progress.shown():
            progress.phase("Reading template")
            # One clone of the new version serves its questions and its render.
            with open_template(checked.source, vcs_ref) as info:
                data = parse_assignments(assignments or [], info.questions)
                result = update(
                    dest,
                    checked.source,
                    vcs_ref,
                    data,
                    answers_file,
                    template=info.template,
                    progress=progress,
                )
        if checked.changed:
            remember_source(dest, checked.source)
        if result.old_version == result.new_version:
            out.print(f"Already at template {result.new_version}; answers re-applied.")
        else:
            out.print(
                f"Updated {dest}: template {result.old_version} -> {result.new_version}.",
                soft_wrap=True,  # one line whatever the path's length: scripts read it
            )
        for path in result.kept_deleted:
            out.print(f"  kept deleted: {path} (yours to own; the template does not restore it)")
        for path, reason in result.conflicts:
            out.print(f"  conflict: {path}: {reason}", highlight=False, soft_wrap=True)
        if result.conflicts:
            raise GoldenpathError(
                f"{len(result.conflicts)} file(s) have conflicts: "
                + ", ".join(path for path, _ in result.conflicts),
                "resolve each (edit the <<<<<<< / >>>>>>> blocks, yours is 'before updating'; "
                "or keep or delete the file), then `git add` or `git rm` it and commit",
                exit_code=EXIT_CONFLICTS,
            )
        out.print("Review with `git diff`, then commit.")

    _run(
        action,
        interrupted_hint="if `git status` lists changes, the update had begun writing: "
        "`git restore --staged --worktree .` undoes them (files it added stay untracked), "
        "then run the update again",
    )


@app.command()
def modules(
    template: TemplateOption = None,
    vcs_ref: VcsRefOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the module map as JSON.")] = False,
) -> None:
    """List the switchable modules: roadmap prompt, status, what each adds, which files it owns.

    A planned module generates only its docs page and directory READMEs so far.

    \b
    Examples:
      goldenpath modules
      goldenpath modules --json | jq -r 'keys[]'
    """

    def action() -> None:
        progress = Progress(err)
        with progress.shown():
            progress.phase("Reading template")
            with open_template(template or default_source(), vcs_ref) as info:
                module_map = info.module_map
        if as_json:
            out.print_json(
                json.dumps(
                    {
                        module.id: {
                            "title": module.title,
                            "roadmap": module.roadmap,
                            "status": module.status,
                            "adds": module.adds,
                            "paths": list(module.paths),
                            "integrates": dict(module.integrates),
                        }
                        for module in module_map.modules
                    }
                )
            )
            return
        # Narrow columns first and the files listed below the table, so that it
        # reads at 80 columns: module paths alone are up to 61 characters long.
        table = Table(title="goldenpath modules (switch with --with MODULE or --set MODULE=true)")
        table.add_column("module", style="bold", no_wrap=True)
        table.add_column("prompt", no_wrap=True)
        table.add_column("status", no_wrap=True)
        table.add_column("what it adds")
        for module in module_map.modules:
            status = "[green]ready[/]" if module.status == "ready" else "[yellow]planned[/]"
            table.add_row(module.id, f"#{module.roadmap}", status, module.adds)
        out.print(table)
        out.print("prompt: its number in the 32-prompt platform roadmap.", highlight=False)
        if module_map.planned():
            out.print(
                "planned: switching it on generates only its docs page and the READMEs "
                "saying what will go there; the code comes in a later template release.",
                highlight=False,
            )
        out.print("Files each module owns:", style="bold")
        for module in module_map.modules:
            out.print(f"  {module.id}", highlight=False)
            for path in module.paths:
                out.print(f"    {path}", highlight=False, markup=False, overflow="ignore")
        out.print("When both are on:", style="bold")
        pairs = Table.grid(padding=(0, 1))
        pairs.add_column(no_wrap=True)
        pairs.add_column()
        for module in module_map.modules:
            for other, how in module.integrates.items():
                pairs.add_row(f"  {module.id} + {other}:", how)
        out.print(pairs, highlight=False)
        presets = module_map.presets.items()
        listed = ", ".join(f"{name} ({' '.join(ids) or 'no modules'})" for name, ids in presets)
        out.print(f"Presets for --preset: {listed}", markup=False)

    _run(action)


register_fleet_commands(app, _run, out, err)


add_app = typer.Typer(help="Add to a generated repo.", no_args_is_help=True)
app.add_typer(add_app, name="add")


@add_app.command(name="service")
def add_service_command(
    name: Annotated[
        str, typer.Argument(metavar="NAME", help="Service name: its directory is services/NAME.")
    ],
    kind: Annotated[
        str, typer.Option(help="http (a resource API with a database) or worker.")
    ] = "http",
    dest: Annotated[
        Path, typer.Option("--repo", help="The generated repo.", show_default="current directory")
    ] = Path(),
    assignments: Annotated[
        list[str] | None,
        typer.Option(
            "--set",
            metavar="KEY=VALUE",
            help="Answer a service question, e.g. --set service_description='Orders and "
            "their lines'. Repeatable.",
            show_default=False,
        ),
    ] = None,
    accept_source: Annotated[
        bool,
        typer.Option("--accept-source", help="As for `update`: run a changed template source."),
    ] = False,
) -> None:
    """Add a service to a generated repo, with its own answers file so that
    `goldenpath update --service NAME` updates it alone. Edits no existing file.

    Example: goldenpath add service billing --kind worker
    """

    def action() -> None:
        progress = Progress(err)
        with progress.shown():
            progress.phase(f"Adding service {name}")
            added = add_service(dest, name, kind, assignments or [], accept_source=accept_source)
        out.print(
            f"[green]Added[/] service {added.name} ({added.kind}, port {added.port}) in "
            f"services/{added.name}: {len(added.files)} files, template {added.version}.",
            highlight=False,
        )
        out.print(
            "Next: uv sync --all-packages && make test && make lint, then "
            f"git add -A && git commit -m 'Add the {added.name} service'",
            highlight=False,
        )

    _run(action)
