"""Point a Kustomize overlay at an image digest: the GitOps half of a deployment.

CI never runs ``kubectl apply``. It changes the ``images:`` list of
``infra/kustomize/overlays/<env>/kustomization.yaml`` and commits; Argo CD syncs
the cluster to the commit. Three commands:

``ops deploy set-image``  deploy ``--image`` at ``--digest`` to ``--env`` (CI after a build).
``ops deploy promote``    copy the digest a service runs in ``--from`` to ``--to``.
``ops deploy rollback``   go back to the previous digest of a service in ``--env``.

Each environment keeps a release history per service in
``deploy/releases/<env>/<service>.json``: the current digest and the last two
digests it replaced (the stable ones a rollback returns to). The overlay is edited
with a round-trip YAML parser (ruamel.yaml), so its comments, key order and quoting
stay as written and only the one entry changes. The entry's ``name`` is the image
repository, which is what the base manifests reference
(``image: ghcr.io/<org>/<service>``).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import yaml
from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ops.errors import EXIT_USAGE, OpsError

OVERLAYS = Path("infra/kustomize/overlays")
RELEASES = Path("deploy/releases")
# Promotion only moves forward through these, one step at a time. Edge sites come last:
# they are hard to reach once a release is out, so they get only what production proved.
PROMOTION_ORDER = ("dev", "stage", "prod", "edge")
KEEP_PREVIOUS = 2

DIGEST_RE = re.compile(r"sha256:[0-9a-f]{64}")
# A registry path without tag or digest: lower case, as OCI requires.
IMAGE_RE = re.compile(
    r"[a-z0-9]+([._-][a-z0-9]+)*(\.[a-z0-9-]+)*(:[0-9]+)?(/[a-z0-9]+([._-][a-z0-9]+)*)+"
)
NAME_RE = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")


class DeployError(OpsError):
    """The change cannot be made; the message says why and what to do."""

    default_exit_code = EXIT_USAGE


class Release(BaseModel):
    """One deployed digest: what ran, from which commit, since when."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    digest: Annotated[str, StringConstraints(pattern=f"^{DIGEST_RE.pattern}$")]
    commit: str = ""
    deployed_at: str = ""

    def to_json(self) -> dict[str, str]:
        return self.model_dump()


class _HistoryFile(BaseModel):
    """``deploy/releases/<env>/<service>.json`` as written by ``write_history``."""

    service: str = ""
    environment: str = ""
    image: str = ""
    current: Release | None = None
    previous: list[Release] = []


@dataclass(frozen=True)
class History:
    """What an environment runs for a service and what it ran before (newest first)."""

    service: str
    image: str
    current: Release | None
    previous: tuple[Release, ...]


def overlay_path(root: Path, env: str) -> Path:
    return root / OVERLAYS / env / "kustomization.yaml"


def history_path(root: Path, env: str, service: str) -> Path:
    return root / RELEASES / env / f"{service}.json"


def _check_name(kind: str, value: str) -> None:
    if not NAME_RE.fullmatch(value):
        msg = f"{kind} {value!r} is not a lower-case DNS label"
        raise DeployError(msg)


def _read_overlay(root: Path, env: str) -> tuple[Path, str, dict[str, Any]]:
    path = overlay_path(root, env)
    if not path.is_file():
        msg = (
            f"{path.relative_to(root)} does not exist. The Kustomize overlays come with the "
            f"deployment configuration under {OVERLAYS}; add the '{env}' overlay before "
            "deploying to it."
        )
        raise DeployError(msg)
    text = path.read_text(encoding="utf-8")
    try:
        document = yaml.safe_load(text) or {}
    except yaml.YAMLError as exc:
        msg = f"{path.relative_to(root)} is not valid YAML: {exc}"
        raise DeployError(msg) from exc
    if not isinstance(document, dict):
        msg = f"{path.relative_to(root)} is not a Kustomization mapping"
        raise DeployError(msg)
    return path, text, document


def overlay_images(root: Path, env: str) -> list[dict[str, Any]]:
    _, _, document = _read_overlay(root, env)
    images = document.get("images") or []
    if not isinstance(images, list) or not all(
        isinstance(entry, dict) and isinstance(entry.get("name"), str) for entry in images
    ):
        overlay = overlay_path(root, env).relative_to(root)
        msg = f"{overlay}: images must be a list of entries with a name"
        raise DeployError(msg)
    return images


def read_history(root: Path, env: str, service: str, image: str) -> History:
    path = history_path(root, env, service)
    if not path.is_file():
        return History(service=service, image=image, current=None, previous=())
    try:
        data = _HistoryFile.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        msg = f"{path.relative_to(root)} is not a release history: {exc}"
        raise DeployError(msg) from exc
    return History(
        service=service,
        image=data.image or image,
        current=data.current,
        previous=tuple(data.previous),
    )


def write_history(root: Path, env: str, history: History) -> None:
    path = history_path(root, env, history.service)
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "service": history.service,
        "environment": env,
        "image": history.image,
        "current": history.current.to_json() if history.current else None,
        "previous": [release.to_json() for release in history.previous],
    }
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")


def _round_trip_yaml() -> YAML:
    """A parser that writes back what it read: comments, order, quotes, indentation."""
    rt = YAML()
    rt.preserve_quotes = True
    rt.width = 4096  # never re-wrap long lines
    rt.indent(mapping=2, sequence=4, offset=2)
    return rt


def _trailing_comment(entry: CommentedMap) -> Any:
    """Detach the comment after ``entry``'s last value: ruamel keeps a comment that
    follows a list (a blank line and the next section's heading) on its last item."""
    if not entry:
        return None
    return entry.ca.items.pop(list(entry)[-1], None)


def _write_overlay_digest(root: Path, env: str, image: str, digest: str) -> None:
    overlay_images(root, env)  # the same checks, and messages, as every other reader
    path = overlay_path(root, env)
    rt = _round_trip_yaml()
    document = rt.load(path.read_text(encoding="utf-8"))
    images = document.get("images")
    if not isinstance(images, CommentedSeq) or not images:
        images = CommentedSeq()
        document["images"] = images
    entry = next((item for item in images if item["name"] == image), None)
    if entry is None:
        trailing = _trailing_comment(images[-1]) if images else None
        entry = CommentedMap(name=DoubleQuotedScalarString(image))
        # Keep the list sorted by name, as it was written.
        position = next(
            (index for index, item in enumerate(images) if str(item["name"]) > image),
            len(images),
        )
        images.insert(position, entry)
        entry["digest"] = DoubleQuotedScalarString(digest)
        if trailing is not None:
            images[-1].ca.items[list(images[-1])[-1]] = trailing
    else:
        trailing = _trailing_comment(entry)
        # A digest pins the image; a tag next to it would only mislead readers.
        entry.pop("newTag", None)
        entry["digest"] = DoubleQuotedScalarString(digest)
        if trailing is not None:
            entry.ca.items[list(entry)[-1]] = trailing
    text = io.StringIO()
    rt.dump(document, text)
    path.write_text(text.getvalue(), encoding="utf-8")


def current_digest(root: Path, env: str, image: str) -> str:
    entry = next((item for item in overlay_images(root, env) if item["name"] == image), None)
    digest = str(entry.get("digest", "")) if entry else ""
    if not DIGEST_RE.fullmatch(digest):
        overlay = overlay_path(root, env).relative_to(root)
        msg = f"{image} has no digest in {overlay}: nothing to promote"
        raise DeployError(msg)
    return digest


def set_image(
    root: Path, *, env: str, service: str, image: str, digest: str, commit: str, now: dt.datetime
) -> History:
    """Deploy ``image@digest`` to ``env``; the replaced digest joins the history."""
    _check_name("environment", env)
    _check_name("service", service)
    if not IMAGE_RE.fullmatch(image):
        msg = f"image {image!r} must be a lower-case repository without tag or digest"
        raise DeployError(msg)
    if not DIGEST_RE.fullmatch(digest):
        msg = f"digest {digest!r} is not of the form sha256:<64 hex digits>"
        raise DeployError(msg)
    history = read_history(root, env, service, image)
    _write_overlay_digest(root, env, image, digest)
    if history.current is not None and history.current.digest == digest:
        return history
    previous = history.previous
    if history.current is not None:
        previous = (history.current, *previous)
    release = Release(digest=digest, commit=commit, deployed_at=now.isoformat(timespec="seconds"))
    updated = History(
        service=service, image=image, current=release, previous=previous[:KEEP_PREVIOUS]
    )
    write_history(root, env, updated)
    return updated


def promote(
    root: Path, *, service: str, source: str, target: str, commit: str, now: dt.datetime
) -> History:
    """Deploy to ``target`` the digest ``source`` runs (one step along the order)."""
    for env in (source, target):
        if env not in PROMOTION_ORDER:
            msg = f"environment {env!r} is not one of {', '.join(PROMOTION_ORDER)}"
            raise DeployError(msg)
    if PROMOTION_ORDER.index(target) != PROMOTION_ORDER.index(source) + 1:
        order = " -> ".join(PROMOTION_ORDER)
        msg = f"promotion goes {order} one step at a time, not {source} -> {target}"
        raise DeployError(msg)
    source_history = read_history(root, source, service, "")
    if not source_history.image:
        msg = f"{service} has no release history in {source}: deploy it there first"
        raise DeployError(msg)
    digest = current_digest(root, source, source_history.image)
    return set_image(
        root,
        env=target,
        service=service,
        image=source_history.image,
        digest=digest,
        commit=commit,
        now=now,
    )


def rollback(root: Path, *, env: str, service: str) -> History:
    """Return ``env`` to the newest previous digest; the bad one is dropped."""
    history = read_history(root, env, service, "")
    if not history.previous or not history.image:
        msg = f"{service} has no previous release in {env} to roll back to"
        raise DeployError(msg)
    target, *older = history.previous
    _write_overlay_digest(root, env, history.image, target.digest)
    updated = History(service=service, image=history.image, current=target, previous=tuple(older))
    write_history(root, env, updated)
    return updated


def describe(env: str, history: History) -> str:
    """The line the commands print: what ``env`` runs for the service now."""
    digest = history.current.digest if history.current else "(none)"
    return f"{env}: {history.service} -> {history.image}@{digest}"
