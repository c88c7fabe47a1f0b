"""`goldenpath add service`: render one service into a generated repo.

The service comes from the template's second part, ``service-template/``, selected by
the name of its answers file (``services/NAME/.copier-answers.service.yml``; see
copier.yml). Its answers live in that file, so ``goldenpath update --service NAME`` (or
``copier update --trust -a`` that file) updates the service alone.

Every check runs before the repo is touched: it must be a goldenpath repo, committed and
clean (so the new service is one reviewable change); copier validates the answers with
the validators of copier.yml while it renders into a scratch directory; then no rendered
path may exist in the repo. Only then are the files moved in. The repo's tools find the
service from its directory (``catalog-info.yaml``, ``deploy/``), so no existing file is
edited.
"""

from __future__ import annotations

import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from goldenpath.answers import parse_assignments
from goldenpath.errors import BadInputError, GoldenpathError, one_line
from goldenpath.operations import _translate
from goldenpath.rendering import render_into_scratch
from goldenpath.template_source import open_template
from goldenpath.updating import ANSWERS_FILE, _git, check_source, committed_answers

SERVICE_ANSWERS_FILE = ".copier-answers.service.yml"
# Answers a service shares with its repo: read from the repo's answers file, never asked.
SHARED_ANSWERS = ("project_slug", "organization", "owner_team", "python_version")
# Ports `add service` hands out: above the platform's own (8000-8099).
FIRST_SERVICE_PORT = 8100
PORT_ANNOTATION = "goldenpath.dev/port"


# Enough of a name to look for its directory; copier's validator has the full rule.
_LABEL = re.compile(r"^[a-z0-9-]+$")


def _exists(name: str) -> BadInputError:
    return BadInputError(
        f"service {name!r} exists already (services/{name})",
        "choose another name; to bring an added service up to date run "
        f"`goldenpath update --service {name}`",
    )


def service_answers_file(name: str) -> str:
    """The answers file of service ``name``, relative to the repo root."""
    return f"services/{name}/{SERVICE_ANSWERS_FILE}"


@dataclass(frozen=True)
class Added:
    name: str
    kind: str
    port: int
    version: str
    files: tuple[str, ...]


def _refuse_dirty(repo: Path) -> None:
    """Untracked files count too: the new service must be a change of its own."""
    changed = _git(repo, "status", "--porcelain", "--", ".").splitlines()
    if changed:
        names = ", ".join(line[3:] for line in changed[:5]) + (" ..." if len(changed) > 5 else "")
        raise BadInputError(
            f"{repo} has uncommitted changes: {names}",
            "commit or stash them first, so that the new service is a change of its own",
        )


def _used_ports(repo: Path) -> set[int]:
    """The local ports the repo's catalog entries declare."""
    ports: set[int] = set()
    for catalog in repo.glob("services/*/catalog-info.yaml"):
        try:
            documents = list(yaml.safe_load_all(catalog.read_text(encoding="utf-8")))
        except (OSError, yaml.YAMLError):
            continue  # a broken entry is `ops`'s to report; it holds no port to avoid
        for document in documents:
            metadata = document.get("metadata") if isinstance(document, dict) else None
            annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
            port = annotations.get(PORT_ANNOTATION) if isinstance(annotations, dict) else None
            if str(port).isdigit():
                ports.add(int(str(port)))
    return ports


def next_free_port(repo: Path) -> int:
    used = _used_ports(repo)
    return next(port for port in range(FIRST_SERVICE_PORT, 65536) if port not in used)


def check_repo(repo: Path) -> dict[str, Any]:
    """The repo's committed answers, after refusing anything that is not a clean
    goldenpath repo."""
    if not repo.is_dir():
        raise BadInputError(f"{repo} is not a directory", "pass the generated repo's path")
    if not (repo / ANSWERS_FILE).is_file():
        raise BadInputError(
            f"{repo} is not a goldenpath repo (no {ANSWERS_FILE})",
            "run it in a repo made with `goldenpath new`, or pass that repo's path",
        )
    answers = committed_answers(repo)
    missing = [key for key in (*SHARED_ANSWERS, "_src_path", "_commit") if not answers.get(key)]
    if missing:
        raise BadInputError(
            f"{repo / ANSWERS_FILE} lacks {', '.join(missing)}: not a goldenpath repo's answers",
            "restore the answers file from git history",
        )
    _refuse_dirty(repo)
    return answers


def _render(source: str, vcs_ref: str, data: dict[str, Any], answers_file: str, into: Path) -> None:
    try:
        render_into_scratch(
            source, into, data, vcs_ref=vcs_ref, defaults=True, answers_file=answers_file
        )
    except (Exception, KeyboardInterrupt) as error:
        translated = _translate(error, nothing_written=True)
        if isinstance(translated, BadInputError):  # a validator or choice refused an answer
            translated.hint = "fix NAME, --kind or the --set answer and run again"
        raise translated from error
    # A template version from before service-template/ renders its whole repo tree
    # instead (with the answers file where asked); a service writes nothing at the top.
    if not (into / answers_file).is_file() or any(path.is_file() for path in into.iterdir()):
        raise GoldenpathError(
            f"template {source!r} at {vcs_ref} has no service template (service-template/)",
            "nothing was written; update the repo to a goldenpath version that has "
            "`add service` (`goldenpath update`), then add the service",
        )


def _move_in(scratch: Path, repo: Path, names: list[str]) -> None:
    """Move the rendered files into ``repo``; if one move fails, take the others out."""
    moved: list[Path] = []
    created: list[Path] = []
    try:
        for name in names:
            target = repo / name
            for parent in reversed(target.parents):
                if not parent.exists():
                    parent.mkdir()
                    created.append(parent)
            shutil.move(scratch / name, target)
            moved.append(target)
    except OSError as error:
        for target in moved:
            target.unlink(missing_ok=True)
        for directory in reversed(created):
            shutil.rmtree(directory, ignore_errors=True)
        raise GoldenpathError(
            f"cannot write the service into {repo}: {one_line(error)}",
            "nothing was written; check the repo's permissions and free space",
        ) from error


def add_service(
    repo: Path,
    name: str,
    kind: str,
    assignments: list[str],
    *,
    accept_source: bool = False,
) -> Added:
    """Render service ``name`` of ``kind`` into ``repo`` at the repo's template version."""
    answers = check_repo(repo)
    if _LABEL.match(name) and (repo / "services" / name).exists():
        raise _exists(name)  # early, before the template is read
    source = check_source(repo, accept_source=accept_source).source
    version = str(answers["_commit"])
    answers_file = service_answers_file(name)
    data: dict[str, Any] = {key: answers[key] for key in SHARED_ANSWERS}
    data |= {"service_name": name, "service_kind": kind, "service_port": next_free_port(repo)}
    if assignments:
        # A service's own questions are the ones the repo's answers do not hold.
        with open_template(source, version) as info:
            own = {key: spec for key, spec in info.questions.items() if key not in answers}
        data |= parse_assignments(assignments, own)
    with tempfile.TemporaryDirectory(prefix="goldenpath-add-") as scratch_dir:
        scratch = Path(scratch_dir) / "repo"
        _render(source, version, data, answers_file, scratch)
        names = sorted(
            path.relative_to(scratch).as_posix() for path in scratch.rglob("*") if path.is_file()
        )
        if (repo / "services" / name).exists():
            raise _exists(name)
        if taken := [each for each in names if (repo / each).exists()]:
            raise BadInputError(
                f"service {name!r} would overwrite {', '.join(taken)}",
                "choose another name, or move those files away first",
            )
        _move_in(scratch, repo, names)
    return Added(
        name=name, kind=kind, port=int(data["service_port"]), version=version, files=tuple(names)
    )


def service_answers(repo: Path, name: str) -> str:
    """The answers file of an added service, refusing a name with none."""
    answers_file = service_answers_file(name)
    if not (repo / answers_file).is_file():
        added = sorted(path.parent.name for path in repo.glob(f"services/*/{SERVICE_ANSWERS_FILE}"))
        raise BadInputError(
            f"service {name!r} was not added with `goldenpath add service` (no {answers_file})",
            f"services that can be updated alone: {', '.join(added) or 'none'}; "
            "the others are updated with the repo (`goldenpath update`)",
        )
    recorded = committed_answers(repo, answers_file)
    repo_source = committed_answers(repo).get("_src_path")
    if recorded.get("_src_path") != repo_source:
        raise BadInputError(
            f"{answers_file} names template source {recorded.get('_src_path')!r}, "
            f"the repo {repo_source!r}",
            f"restore {answers_file} from git history",
        )
    return answers_file
