"""`ops check cla`: who counts as having signed the CLA."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from ops.check import cla as cla_check
from ops.cli import main


def signatures(tmp_path: Path, entries: object) -> Path:
    path = tmp_path / "cla-signatures.json"
    path.write_text(json.dumps({"signedContributors": entries}), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("login", "user_id", "expected"),
    [
        ("octocat", 1, 0),
        ("OctoCat", None, 0),
        ("octocat", 2, cla_check.EXIT_UNSIGNED),  # same login, someone else's id
        ("hubot", 7, 0),  # entry without an id matches by login
        ("stranger", 9, cla_check.EXIT_UNSIGNED),
        ("dependabot[bot]", 49699333, 0),
    ],
)
def test_signature_lookup(tmp_path: Path, login: str, user_id: int | None, expected: int) -> None:
    path = signatures(tmp_path, [{"name": "octocat", "id": 1}, {"name": "hubot"}])
    argv = ["--login", login, "--signatures", str(path)]
    if user_id is not None:
        argv += ["--user-id", str(user_id)]
    assert main(["check", "cla", *argv]) == expected


def test_unsigned_author_is_told_how_to_sign(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = signatures(tmp_path, [])
    main(["check", "cla", "--login", "stranger", "--user-id", "9", "--signatures", str(path)])
    assert '{"name": "stranger", "id": 9}' in capsys.readouterr().err


@pytest.mark.parametrize("content", ["not json", '{"signedContributors": {}}', "[]"])
def test_malformed_file_is_an_error(tmp_path: Path, content: str) -> None:
    path = tmp_path / "cla-signatures.json"
    path.write_text(content, encoding="utf-8")
    assert (
        main(["check", "cla", "--login", "octocat", "--signatures", str(path)])
        == cla_check.EXIT_ERROR
    )


def test_missing_file_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    assert main(["check", "cla", "--login", "octocat", "--signatures", str(missing)]) == 2
