"""Questions about repos already generated: which are behind (`outdated`), and what each
changed locally (`diff`).

`outdated` reads each repo's answers file, and each service answers file
(``services/*/.copier-answers*.yml``, written when a service is rendered from its own
template), and asks the recorded template source for its release tags with
``git ls-remote``: no clone, and no template code runs. The latest version is chosen as
copier chooses it: the highest tag that is a PEP 440 version, pre-releases aside.

`diff` renders the repo's recorded template version with its recorded answers into a
scratch directory and compares it with the repo's files, so a team sees its drift before
an update.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import subprocess
import tempfile
from collections.abc import Iterable
from contextlib import redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.version import InvalidVersion, Version

from goldenpath.errors import BadInputError, GoldenpathError, one_line
from goldenpath.progress import Progress, no_progress
from goldenpath.rendering import render_into_scratch
from goldenpath.updating import ANSWERS_FILE, check_source, committed_answers

SERVICE_ANSWERS_GLOB = "services/*/.copier-answers*.yml"
# copier's shortcuts for hosted git sources, as its answers files may record them.
SHORTCUTS = {"gh:": "https://github.com/", "gl:": "https://gitlab.com/"}
# `git describe --tags` output for a commit after a tag, as copier records it in _commit.
DESCRIBED = re.compile(r"^(?P<tag>.+)-(?P<distance>\d+)-g(?P<sha>[0-9a-f]+)$")

CURRENT, BEHIND, ERROR = "current", "behind", "error"


@dataclass(frozen=True)
class Status:
    """One answers file's template version against the latest one of its source."""

    repo: str
    part: str  # "repo", or "service NAME" for a service answers file
    answers_file: str
    source: str
    recorded: str
    latest: str
    status: str  # current, behind or error
    detail: str = ""

    def as_json(self) -> dict[str, str]:
        return {
            "repo": self.repo,
            "part": self.part,
            "answers_file": self.answers_file,
            "source": self.source,
            "recorded": self.recorded,
            "latest": self.latest,
            "status": self.status,
            "detail": self.detail,
        }


def answers_files(repo: Path) -> list[tuple[str, Path]]:
    """The repo's answers file and its services' answers files, as (part, path) pairs."""
    found = [("repo", repo / ANSWERS_FILE)]
    for path in sorted(repo.glob(SERVICE_ANSWERS_GLOB)):
        found.append((f"service {path.parent.name}", path))
    return found


def _git_url(source: str) -> str:
    for prefix, base in SHORTCUTS.items():
        if source.startswith(prefix):
            return base + source.removeprefix(prefix)
    return source


def _as_version(name: str) -> Version | None:
    """A tag or recorded ``_commit`` as a version (``v1.2.0-3-gabc`` is after ``v1.2.0``)."""
    described = DESCRIBED.match(name)
    if described:
        name = f"{described['tag']}.post{described['distance']}.dev0+{described['sha']}"
    try:
        return Version(name)
    except InvalidVersion:
        return None


@dataclass(frozen=True)
class Releases:
    latest_tag: str | None  # None: the source has no release tag
    head: str  # the commit HEAD names, for sources without tags


def remote_releases(source: str) -> Releases:
    """The source's newest release tag (as copier picks it) and its HEAD commit."""
    if source.startswith("-"):
        raise BadInputError(
            f"template source {source!r} is not a git URL or path",
            "fix _src_path in the answers file (git history has the one it was generated from)",
        )
    result = subprocess.run(
        # ext:: runs a command named in the URL: never, whatever the user's git config says.
        ["git", "-c", "protocol.ext.allow=never", "ls-remote", _git_url(source)],
        check=False,
        capture_output=True,
        text=True,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},
    )
    if result.returncode != 0:
        raise GoldenpathError(
            f"cannot read template source {source!r}: "
            f"{one_line(Exception(result.stderr)) if result.stderr.strip() else 'git failed'}",
            "check the network and that the source still exists (its _src_path)",
        )
    head = ""
    tags: list[tuple[Version, str]] = []
    for line in result.stdout.splitlines():
        sha, _, ref = line.partition("\t")
        if ref == "HEAD":
            head = sha
        elif ref.startswith("refs/tags/") and not ref.endswith("^{}"):
            name = ref.removeprefix("refs/tags/")
            version = _as_version(name)
            if version is not None and not version.is_prerelease:
                tags.append((version, name))
    return Releases(latest_tag=max(tags)[1] if tags else None, head=head)


def _compare(recorded: str, releases: Releases) -> tuple[str, str, str]:
    """(latest, status, detail) for a recorded ``_commit``."""
    if releases.latest_tag is None:
        # An untagged template: copier records HEAD's short commit; compare commits.
        latest = releases.head[:7]
        if releases.head and releases.head.startswith(recorded):
            return latest, CURRENT, ""
        return latest, BEHIND, "the source has no release tag; its HEAD moved"
    latest = releases.latest_tag
    have, newest = _as_version(recorded), _as_version(latest)
    if have is None or newest is None:
        return latest, BEHIND, f"{recorded!r} is not a release version"
    if have >= newest:
        return latest, CURRENT, "ahead of the latest release" if have > newest else ""
    return latest, BEHIND, ""


def outdated(repos: Iterable[Path], progress: Progress | None = None) -> list[Status]:
    """The template version of every answers file in ``repos`` against its source's latest."""
    progress = progress or no_progress()
    releases: dict[str, Releases | GoldenpathError] = {}  # one ls-remote per source
    statuses: list[Status] = []
    for repo in repos:
        files = answers_files(repo)
        if not files[0][1].is_file():
            statuses.append(
                Status(
                    str(repo),
                    "repo",
                    ANSWERS_FILE,
                    "",
                    "",
                    "",
                    ERROR,
                    f"no {ANSWERS_FILE}: not a generated repo",
                )
            )
            files = files[1:]
        for part, path in files:
            relative = str(path.relative_to(repo))
            try:
                answers = yaml.safe_load(path.read_text(encoding="utf-8"))
            except (OSError, yaml.YAMLError) as error:
                statuses.append(
                    Status(str(repo), part, relative, "", "", "", ERROR, one_line(error))
                )
                continue
            answers = answers if isinstance(answers, dict) else {}
            source, recorded = (
                str(answers.get("_src_path") or ""),
                str(answers.get("_commit") or ""),
            )
            if not source or not recorded:
                statuses.append(
                    Status(
                        str(repo),
                        part,
                        relative,
                        source,
                        recorded,
                        "",
                        ERROR,
                        "the answers file does not record _src_path and _commit",
                    )
                )
                continue
            if source not in releases:
                progress.phase(f"Reading the versions of {source}")
                try:
                    releases[source] = remote_releases(source)
                except GoldenpathError as error:
                    releases[source] = error
            found = releases[source]
            if isinstance(found, GoldenpathError):
                # The row is all the user sees of the error: it carries the hint too.
                detail = f"{found.message}; {found.hint}" if found.hint else found.message
                statuses.append(
                    Status(str(repo), part, relative, source, recorded, "", ERROR, detail)
                )
                continue
            latest, status, detail = _compare(recorded, found)
            statuses.append(
                Status(str(repo), part, relative, source, recorded, latest, status, detail)
            )
    return statuses


# --- diff --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    path: str
    kind: str  # modified, added (only in the repo) or deleted (only in the render)
    diff: str  # a unified diff, or a note for binary files


@dataclass(frozen=True)
class Drift:
    repo: Path
    version: str
    changes: tuple[Change, ...]
    not_compared: tuple[str, ...]  # directories rendered from their own template

    def as_json(self) -> dict[str, Any]:
        return {
            "repo": str(self.repo),
            "template_version": self.version,
            "changes": [{"path": c.path, "change": c.kind} for c in self.changes],
            "not_compared": list(self.not_compared),
        }


def _repo_files(repo: Path, skip: tuple[str, ...]) -> set[str]:
    """Tracked and untracked files that git does not ignore, outside ``skip`` directories."""
    listed = subprocess.run(
        ["git", "-C", str(repo), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        check=True,
        capture_output=True,
    ).stdout.decode()
    return {
        name
        for name in listed.split("\0")
        if name and (repo / name).is_file() and not name.startswith(skip)
    }


def _rendered_files(root: Path, skip: tuple[str, ...]) -> set[str]:
    return {
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not path.relative_to(root).as_posix().startswith(skip)
    }


def _unified(path: str, kind: str, before: bytes, after: bytes) -> str:
    try:
        old, new = (
            before.decode().splitlines(keepends=True),
            after.decode().splitlines(keepends=True),
        )
    except UnicodeDecodeError:
        return f"Binary files template/{path} and repo/{path} differ\n"
    # /dev/null names the side a file is missing from, as git's own patches do.
    lines = difflib.unified_diff(
        old,
        new,
        "/dev/null" if kind == "added" else f"template/{path}",
        "/dev/null" if kind == "deleted" else f"repo/{path}",
    )
    return "".join(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n"
                   for line in lines)  # fmt: skip


def diff(repo: Path, *, accept_source: bool = False, progress: Progress | None = None) -> Drift:
    """Compare ``repo`` with a fresh render of its recorded template version and answers."""
    progress = progress or no_progress()
    checked = check_source(repo, accept_source=accept_source)  # before template code runs
    recorded = committed_answers(repo)
    version = str(recorded.get("_commit") or "")
    if not version:
        raise BadInputError(
            f"{repo / ANSWERS_FILE} does not record the template version (_commit)",
            "restore the answers file from git history",
        )
    answers = {key: value for key, value in recorded.items() if not key.startswith("_")}
    # A service rendered from its own template has its own answers file: not this render's.
    own_template = tuple(
        f"{path.parent.relative_to(repo).as_posix()}/" for _, path in answers_files(repo)[1:]
    )
    with tempfile.TemporaryDirectory(prefix="goldenpath-diff-") as scratch:
        rendered = Path(scratch) / "render"
        progress.phase(f"Rendering template {version} with the recorded answers")
        try:
            with redirect_stderr(io.StringIO()):
                render_into_scratch(
                    checked.source,
                    rendered,
                    answers,
                    vcs_ref=version,
                    defaults=True,
                    on_file=progress.file_written,
                )
        except Exception as error:  # copier and the template fail in many ways
            raise GoldenpathError(
                f"cannot render template {checked.source!r} at {version}: "
                f"{type(error).__name__}: {one_line(error)}",
                "check that the version still exists in the template source",
            ) from error
        progress.phase("Comparing")
        ours = _repo_files(repo, own_template)
        theirs = _rendered_files(rendered, own_template)
        changes: list[Change] = []
        for path in sorted(ours | theirs):
            before = (rendered / path).read_bytes() if path in theirs else b""
            after = (repo / path).read_bytes() if path in ours else b""
            kind = "deleted" if path not in ours else "added" if path not in theirs else "modified"
            if kind != "modified" or before != after:
                changes.append(Change(path, kind, _unified(path, kind, before, after)))
    return Drift(repo, version, tuple(changes), tuple(sorted(own_template)))
