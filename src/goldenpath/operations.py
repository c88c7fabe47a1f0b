"""Generating a repo: copier renders, this module makes the write all-or-nothing.

copier does the rendering, the questionnaire and validation. This module adds the
checks copier leaves to its caller (an occupied destination), renders into a scratch
directory so a failure leaves nothing behind, and turns copier's errors into one
line. Updating lives in goldenpath.updating.
"""

from __future__ import annotations

import io
import os
import shutil
import tempfile
from contextlib import nullcontext, redirect_stderr, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from copier._template import Template as CopierTemplate
from copier.errors import CopierAnswersInterrupt, CopierError, UserMessageError

from goldenpath.errors import EXIT_INTERRUPTED, BadInputError, GoldenpathError, one_line
from goldenpath.progress import Progress
from goldenpath.rendering import render_into_scratch

ANSWERS_FILE = ".copier-answers.yml"


def check_destination_is_free(dest: Path) -> None:
    """Refuse a destination that is a file, a dangling symlink or a non-empty directory."""
    if dest.is_symlink() and not dest.exists():
        raise BadInputError(
            f"destination {dest} is a symlink to {os.readlink(dest)}, which does not exist",
            "remove the symlink, or create the directory it points to, and run again",
        )
    if dest.exists() and not dest.is_dir():
        raise BadInputError(f"destination {dest} is a file", "choose a new directory")
    if dest.is_dir() and any(dest.iterdir()):
        raise BadInputError(
            f"destination {dest} exists and is not empty",
            "choose a new directory; to update an existing repo run `goldenpath update`",
        )


def _translate(error: BaseException, *, nothing_written: bool = False) -> GoldenpathError:
    """One readable line for a copier failure."""
    if isinstance(error, CopierAnswersInterrupt | KeyboardInterrupt):
        return GoldenpathError(
            "interrupted", "nothing was written; run the command again", EXIT_INTERRUPTED
        )
    if isinstance(error, ValueError) and not isinstance(error, CopierError):
        # copier's validators and choice checks raise ValueError naming the question.
        return BadInputError(
            one_line(error), "fix the answer (e.g. --set QUESTION=VALUE) and run again"
        )
    if isinstance(error, UserMessageError):
        # The template or copier refusing to run, e.g. a too old copier for the template.
        return GoldenpathError(
            one_line(error),
            f"{'nothing was written; ' if nothing_written else ''}"
            "do what the message asks, or choose another --vcs-ref",
        )
    written = "nothing was written; " if nothing_written else ""
    return GoldenpathError(
        f"the template failed to render: {type(error).__name__}: {one_line(error)}",
        f"{written}this is a bug in the template version used: "
        "try another --vcs-ref, or report it to the template's maintainers",
    )


@dataclass(frozen=True)
class Generated:
    dest: Path
    version: str


def _missing_ancestors(path: Path) -> list[Path]:
    """``path``'s ancestors that do not exist yet, deepest first."""
    return [parent for parent in path.parents if not parent.exists()]


def _move_into(scratch: Path, target: Path) -> None:
    """Move the rendered tree ``scratch`` to ``target`` (missing or an empty directory).

    A missing target is one rename. An existing empty directory keeps its identity (it
    may be the caller's working directory), so its new entries move in one by one, each
    a rename on the same filesystem; if one fails, the moved ones go back.
    """
    if not target.exists():
        scratch.rename(target)
        return
    moved: list[Path] = []
    try:
        for entry in sorted(scratch.iterdir()):
            entry.rename(target / entry.name)
            moved.append(entry)
    except BaseException:
        for entry in moved:
            (target / entry.name).rename(entry)
        raise


def generate(
    dest: Path,
    source: str,
    vcs_ref: str | None,
    data: dict[str, Any],
    *,
    defaults: bool,
    template: CopierTemplate | None = None,
    progress: Progress | None = None,
) -> Generated:
    """Render the template into ``dest`` (which must be new or empty).

    copier renders into a scratch directory next to ``dest`` that is moved into place
    only when every file is written: a failure or an interrupt leaves ``dest`` as it was,
    so running the command again just works. ``template`` is an open clone of ``source``
    at ``vcs_ref`` to render from (see goldenpath.rendering); ``progress`` counts files.
    """
    check_destination_is_free(dest)
    target = dest.resolve()  # a symlink to an empty directory is filled where it points
    created = _missing_ancestors(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch_root = Path(tempfile.mkdtemp(prefix=f".{target.name}.goldenpath-", dir=target.parent))
    scratch = scratch_root / target.name  # copier creates it with the usual permissions
    # Without --defaults copier asks questions on the terminal: leave stderr alone then.
    quiet_stderr = redirect_stderr(io.StringIO()) if defaults else nullcontext()
    try:
        try:
            with quiet_stderr:
                render_into_scratch(
                    source,
                    scratch,
                    data,
                    vcs_ref=vcs_ref,
                    defaults=defaults,
                    template=template,
                    on_file=progress.file_written if progress else None,
                )
        except (Exception, KeyboardInterrupt) as error:
            raise _translate(error, nothing_written=True) from error
        check_destination_is_free(dest)  # still free after the questionnaire?
        try:
            _move_into(scratch, target)
        except OSError as error:
            raise GoldenpathError(
                f"cannot move the generated repo into {dest}: {one_line(error)}",
                "nothing was written; check the destination's permissions and free space",
            ) from error
    finally:
        shutil.rmtree(scratch_root, ignore_errors=True)
        if not target.exists():
            for directory in created:  # deepest first; only the ones this run created
                with suppress(OSError):
                    directory.rmdir()
    return Generated(dest=dest, version=_recorded_version(dest))


def _recorded_version(dest: Path) -> str:
    answers_file = dest / ANSWERS_FILE
    answers = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
    return str(answers.get("_commit", "unknown")) if isinstance(answers, dict) else "unknown"
