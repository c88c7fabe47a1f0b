"""`ops deploy set-image|promote|rollback`: overlay edits, release history, promotion,
rollback."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml
from ops.cli import main
from ops.deploy import images as set_image

IMAGE = "ghcr.io/acme/catalog"
IMAGE_ARGS = ("--image", IMAGE, "--digest", "sha256:" + "a" * 64)
NOW = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
OVERLAY = """\
# The dev overlay: what CI deploys after every merge.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - ../../base
images:
  - name: ghcr.io/acme/auth
    newTag: "0.1.0"

# Environment patches.
patches:
  - path: replicas.yaml
"""


def digest(char: str) -> str:
    return "sha256:" + char * 64


def make_repo(tmp_path: Path, envs: tuple[str, ...] = ("dev", "stage", "prod")) -> Path:
    for env in envs:
        overlay = set_image.overlay_path(tmp_path, env)
        overlay.parent.mkdir(parents=True)
        overlay.write_text(OVERLAY, encoding="utf-8")
    return tmp_path


def deploy(root: Path, env: str, value: str) -> set_image.History:
    return set_image.set_image(
        root, env=env, service="catalog", image=IMAGE, digest=value, commit="abc", now=NOW
    )


def images(root: Path, env: str) -> dict[str, dict[str, str]]:
    data = yaml.safe_load(set_image.overlay_path(root, env).read_text(encoding="utf-8"))
    return {entry["name"]: entry for entry in data["images"]}


def test_set_adds_the_image_and_keeps_the_rest_of_the_overlay(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    deploy(root, "dev", digest("a"))
    text = set_image.overlay_path(root, "dev").read_text(encoding="utf-8")
    assert text.startswith("# The dev overlay")
    assert "# Environment patches.\npatches:\n  - path: replicas.yaml\n" in text
    assert images(root, "dev") == {
        "ghcr.io/acme/auth": {"name": "ghcr.io/acme/auth", "newTag": "0.1.0"},
        IMAGE: {"name": IMAGE, "digest": digest("a")},
    }


def test_set_replaces_a_tag_with_the_digest(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    set_image.set_image(
        root,
        env="dev",
        service="auth",
        image="ghcr.io/acme/auth",
        digest=digest("b"),
        commit="abc",
        now=NOW,
    )
    assert images(root, "dev")["ghcr.io/acme/auth"] == {
        "name": "ghcr.io/acme/auth",
        "digest": digest("b"),
    }


def test_history_keeps_the_last_two_replaced_digests(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    for char in "abcd":
        history = deploy(root, "dev", digest(char))
    assert history.current is not None
    assert history.current.digest == digest("d")
    assert [release.digest for release in history.previous] == [digest("c"), digest("b")]
    stored = json.loads(set_image.history_path(root, "dev", "catalog").read_text(encoding="utf-8"))
    assert stored["current"] == {
        "digest": digest("d"),
        "commit": "abc",
        "deployed_at": "2025-01-02T03:04:05+00:00",
    }
    assert [item["digest"] for item in stored["previous"]] == [digest("c"), digest("b")]


def test_redeploying_the_same_digest_changes_no_history(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    deploy(root, "dev", digest("a"))
    history = deploy(root, "dev", digest("a"))
    assert history.previous == ()


def test_missing_overlay_fails_with_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(set_image.DeployError, match=r"overlays/dev/kustomization.yaml does not"):
        deploy(tmp_path, "dev", digest("a"))
    assert not set_image.history_path(tmp_path, "dev", "catalog").exists()


@pytest.mark.parametrize(
    ("image", "value", "message"),
    [
        (IMAGE, "sha256:abc", "is not of the form"),
        (IMAGE, "latest", "is not of the form"),
        ("ghcr.io/Acme/catalog", digest("a"), "lower-case repository"),
        (f"{IMAGE}:1.0", digest("a"), "lower-case repository"),
    ],
)
def test_set_rejects_bad_references(tmp_path: Path, image: str, value: str, message: str) -> None:
    root = make_repo(tmp_path)
    with pytest.raises(set_image.DeployError, match=message):
        set_image.set_image(
            root, env="dev", service="catalog", image=image, digest=value, commit="", now=NOW
        )


def test_promote_copies_the_digest_one_step(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    deploy(root, "dev", digest("a"))
    set_image.promote(root, service="catalog", source="dev", target="stage", commit="", now=NOW)
    set_image.promote(root, service="catalog", source="stage", target="prod", commit="", now=NOW)
    assert images(root, "prod")[IMAGE]["digest"] == digest("a")


@pytest.mark.parametrize(("source", "target"), [("dev", "prod"), ("stage", "dev"), ("dev", "dev")])
def test_promote_refuses_skipping_or_going_back(tmp_path: Path, source: str, target: str) -> None:
    root = make_repo(tmp_path)
    deploy(root, source, digest("a"))
    with pytest.raises(set_image.DeployError, match="one step at a time"):
        set_image.promote(root, service="catalog", source=source, target=target, commit="", now=NOW)


def test_promote_needs_a_release_in_the_source(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    with pytest.raises(set_image.DeployError, match="no release history in dev"):
        set_image.promote(root, service="catalog", source="dev", target="stage", commit="", now=NOW)


def test_rollback_returns_to_the_previous_digest_and_drops_the_bad_one(tmp_path: Path) -> None:
    root = make_repo(tmp_path)
    for char in "abc":
        deploy(root, "dev", digest(char))
    history = set_image.rollback(root, env="dev", service="catalog")
    assert images(root, "dev")[IMAGE]["digest"] == digest("b")
    assert history.current is not None
    assert history.current.digest == digest("b")
    assert [release.digest for release in history.previous] == [digest("a")]
    set_image.rollback(root, env="dev", service="catalog")
    assert images(root, "dev")[IMAGE]["digest"] == digest("a")
    with pytest.raises(set_image.DeployError, match="no previous release"):
        set_image.rollback(root, env="dev", service="catalog")


@pytest.mark.parametrize(
    "images", [pytest.param("", id="no-images-key"), pytest.param("images: []\n", id="empty")]
)
def test_an_overlay_without_images_gets_a_block_list(tmp_path: Path, images: str) -> None:
    overlay = set_image.overlay_path(tmp_path, "dev")
    overlay.parent.mkdir(parents=True)
    head = "# dev\nkind: Kustomization\nresources:\n  - ../../base\n"
    overlay.write_text(head + images, encoding="utf-8")
    deploy(tmp_path, "dev", digest("a"))
    text = overlay.read_text(encoding="utf-8")
    assert text == head + f'images:\n  - name: "{IMAGE}"\n    digest: "{digest("a")}"\n'


def test_only_the_changed_entry_differs(tmp_path: Path) -> None:
    """Round-trip editing: a second deploy changes one line, whatever else the file holds."""
    root = make_repo(tmp_path)
    deploy(root, "dev", digest("a"))
    before = set_image.overlay_path(root, "dev").read_text(encoding="utf-8")
    deploy(root, "dev", digest("b"))
    after = set_image.overlay_path(root, "dev").read_text(encoding="utf-8")
    changed = [
        (old, new)
        for old, new in zip(before.splitlines(), after.splitlines(), strict=True)
        if old != new
    ]
    assert changed == [(f'    digest: "{digest("a")}"', f'    digest: "{digest("b")}"')]


def test_cli_reports_errors_with_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "deploy",
            "set-image",
            "--root",
            str(tmp_path),
            "--env",
            "dev",
            "--service",
            "catalog",
            *IMAGE_ARGS,
        ]
    )
    assert code == 2
    assert "does not exist" in capsys.readouterr().err


def test_cli_sets_the_image(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = make_repo(tmp_path, envs=("dev",))
    code = main(
        [
            "deploy",
            "set-image",
            "--root",
            str(root),
            "--env",
            "dev",
            "--service",
            "catalog",
            *IMAGE_ARGS,
        ]
    )
    assert code == 0
    assert capsys.readouterr().out == f"dev: catalog -> {IMAGE}@{digest('a')}\n"


@pytest.mark.parametrize(
    ("content", "message"),
    [
        pytest.param("{", "is not a release history", id="not-json"),
        pytest.param('{"current": {"digest": "sha256:abc"}}', "digest", id="short-digest"),
        pytest.param(
            '{"current": null, "previous": [{"digest": "' + "sha256:" + "a" * 64 + '", "x": 1}]}',
            "previous",
            id="unknown-field",
        ),
    ],
)
def test_a_malformed_release_history_is_refused(tmp_path: Path, content: str, message: str) -> None:
    root = make_repo(tmp_path)
    path = set_image.history_path(root, "dev", "catalog")
    path.parent.mkdir(parents=True)
    path.write_text(content, encoding="utf-8")
    with pytest.raises(set_image.DeployError, match=message):
        deploy(root, "dev", digest("b"))
