"""`ops flags`: every command on a copy of a flag file, the audit chain and the git check."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from ops.cli import main
from ops.flags import store as flags

TODAY = dt.date(2026, 1, 15)
SEED = {"cat": [{"var": "$flagd.flagKey"}, {"var": "targetingKey"}]}


def boolean_flag(kind: str, *, state: str = "ENABLED", **extra: Any) -> dict[str, Any]:
    return {
        "state": state,
        "variants": {"on": True, "off": False},
        "defaultVariant": "on",
        **extra,
        "metadata": {
            "owner": "team-items",
            "type": kind,
            "created": "2026-01-01",
            "expires": "2026-06-30",
            "description": "What the flag changes.",
        },
    }


def sample() -> dict[str, Any]:
    return {
        "$schema": "https://flagd.dev/schema/v0/flags.json",
        "flags": {
            "create-enabled": boolean_flag("kill-switch"),
            "newest-first": boolean_flag(
                "release",
                defaultVariant="off",
                targeting={"fractional": [SEED, ["on", 20], ["off", 80]]},
            ),
            "large-pages": boolean_flag(
                "permission",
                defaultVariant="off",
                targeting={"if": [{"in": [{"var": "tenant"}, ["acme"]]}, "on", "off"]},
            ),
            "plain": boolean_flag("experiment", state="DISABLED", defaultVariant="off"),
        },
    }


@pytest.fixture
def flag_file(tmp_path: Path) -> Path:
    path = tmp_path / "config" / "flags" / "flags.json"
    path.parent.mkdir(parents=True)
    path.write_bytes(flags.dump_flags(sample()))
    flags.init_log(path, actor="goldenpath", reason="initial flags")
    return path


def run(path: Path, *args: str) -> int:
    return main(["flags", "--flags", str(path), *args])


def change(path: Path, *args: str) -> int:
    return run(path, *args, "--reason", "testing", "--actor", "tester@example.com")


def records(path: Path) -> list[dict[str, Any]]:
    return flags.read_records(flags.audit_path(path))


def definition(path: Path, key: str) -> dict[str, Any]:
    flag: dict[str, Any] = json.loads(path.read_text())["flags"][key]
    return flag


def test_a_fresh_log_verifies(flag_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(flag_file, "verify") == 0
    [record] = records(flag_file)
    assert record["action"] == "create"
    assert record["prev_hash"] == "sha256:" + "0" * 64
    assert record["flags_sha256"] == flags.sha256_file(flag_file)
    assert "chain is intact" in capsys.readouterr().out


def test_list_shows_state_rollout_owner_type_and_expiry(
    flag_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(flag_file, "list") == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split() == ["flag", "state", "default", "rollout", "owner", "type", "expires"]
    newest = next(line for line in lines if line.startswith("newest-first"))
    assert "on 20% / off 80%" in newest
    assert "team-items" in newest
    assert "2026-06-30" in newest
    assert "targeting rules" in next(line for line in lines if line.startswith("large-pages"))


@pytest.mark.parametrize(
    ("command", "key", "state"),
    [
        ("disable", "create-enabled", "DISABLED"),
        ("kill", "create-enabled", "DISABLED"),
        ("enable", "plain", "ENABLED"),
    ],
)
def test_state_changes_are_recorded(flag_file: Path, command: str, key: str, state: str) -> None:
    before = definition(flag_file, key)
    assert change(flag_file, command, key) == 0
    assert definition(flag_file, key)["state"] == state
    record = records(flag_file)[-1]
    assert record["seq"] == 2
    assert record["action"] == command
    assert record["flag"] == key
    assert record["actor"] == "tester@example.com"
    assert record["reason"] == "testing"
    assert record["before"] == before
    assert record["after"]["state"] == state
    assert record["prev_hash"] == records(flag_file)[0]["hash"]
    assert run(flag_file, "verify") == 0


def test_a_change_that_changes_nothing_is_refused(
    flag_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert change(flag_file, "enable", "create-enabled") == 1
    assert "already ENABLED" in capsys.readouterr().err
    assert change(flag_file, "rollout", "newest-first", "20") == 1
    assert len(records(flag_file)) == 1


def test_an_unknown_flag_is_refused(flag_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert change(flag_file, "kill", "no-such-flag") == 1
    assert "no flag 'no-such-flag'" in capsys.readouterr().err


def test_a_change_needs_a_reason(flag_file: Path) -> None:
    assert run(flag_file, "kill", "create-enabled") == 2  # click's usage error
    assert run(flag_file, "kill", "create-enabled", "--reason", " ") == 1


def test_rollout_keeps_the_seed(flag_file: Path) -> None:
    assert change(flag_file, "rollout", "newest-first", "35") == 0
    targeting = definition(flag_file, "newest-first")["targeting"]
    assert targeting == {"fractional": [SEED, ["on", 35], ["off", 65]]}
    assert run(flag_file, "verify") == 0


def test_rollout_adds_a_seeded_split_to_a_flag_without_targeting(flag_file: Path) -> None:
    assert change(flag_file, "rollout", "plain", "10") == 0
    targeting = definition(flag_file, "plain")["targeting"]
    assert targeting == {"fractional": [SEED, ["on", 10], ["off", 90]]}


@pytest.mark.parametrize("percent", ["-1", "101"])
def test_rollout_percentage_is_bounded(flag_file: Path, percent: str) -> None:
    assert change(flag_file, "rollout", "newest-first", percent) == 1


def test_rollout_does_not_replace_other_targeting_rules(flag_file: Path) -> None:
    assert change(flag_file, "rollout", "large-pages", "50") == 1
    assert len(records(flag_file)) == 1


def test_kill_all_spares_permission_flags(flag_file: Path) -> None:
    assert change(flag_file, "kill-all") == 0
    document = json.loads(flag_file.read_text())["flags"]
    assert document["large-pages"]["state"] == "ENABLED"
    assert document["create-enabled"]["state"] == "DISABLED"
    assert document["newest-first"]["state"] == "DISABLED"
    record = records(flag_file)[-1]
    assert record["flag"] == "*"
    assert record["after"] == {"create-enabled": "DISABLED", "newest-first": "DISABLED"}
    assert change(flag_file, "kill-all") == 1
    assert run(flag_file, "verify") == 0


def test_the_file_keeps_its_formatting(flag_file: Path) -> None:
    original = flag_file.read_text()
    change(flag_file, "kill", "create-enabled")
    change(flag_file, "enable", "create-enabled")
    assert flag_file.read_text() == original


def test_a_tampered_record_fails_verify_naming_its_seq(
    flag_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change(flag_file, "kill", "create-enabled")
    change(flag_file, "enable", "create-enabled")
    log = flags.audit_path(flag_file)
    lines = log.read_text().splitlines(keepends=True)
    lines[1] = lines[1].replace("tester@example.com", "someone-else@example.com")
    log.write_text("".join(lines))
    assert run(flag_file, "verify") == 1
    assert "seq 2: hash does not match" in capsys.readouterr().err
    # A broken log also stops further changes.
    assert change(flag_file, "kill", "create-enabled") == 1


def test_a_removed_record_fails_verify(flag_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    change(flag_file, "kill", "create-enabled")
    change(flag_file, "enable", "create-enabled")
    log = flags.audit_path(flag_file)
    lines = log.read_text().splitlines(keepends=True)
    log.write_text(lines[0] + lines[2])
    assert run(flag_file, "verify") == 1
    assert "expected 2" in capsys.readouterr().err


def test_a_hand_edit_fails_verify_and_blocks_changes(
    flag_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(flag_file.read_text())
    document["flags"]["plain"]["state"] = "ENABLED"
    flag_file.write_bytes(flags.dump_flags(document))
    assert run(flag_file, "verify") == 1
    assert "edited without ops flags" in capsys.readouterr().err
    assert change(flag_file, "kill", "create-enabled") == 1


def test_audit_init_refuses_an_existing_log(flag_file: Path) -> None:
    assert change(flag_file, "audit-init") == 1


def test_lint_passes_valid_flags(flag_file: Path) -> None:
    assert run(flag_file, "lint", "--today", TODAY.isoformat()) == 0


def test_lint_fails_an_expired_flag(flag_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(flag_file, "lint", "--today", "2026-07-01") == 1
    assert "create-enabled: expired on 2026-06-30" in capsys.readouterr().err


def test_lint_reports_every_problem(flag_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    document = json.loads(flag_file.read_text())
    del document["flags"]["plain"]["metadata"]
    newest = document["flags"]["newest-first"]["metadata"]
    newest["type"] = "forever"
    newest["created"] = "2026-07-01"
    del newest["owner"]
    flag_file.write_bytes(flags.dump_flags(document))
    assert run(flag_file, "lint", "--today", TODAY.isoformat()) == 1
    errors = capsys.readouterr().err
    assert "plain: metadata (owner, type, created, expires, description) is missing" in errors
    assert "newest-first: metadata.type must be one of" in errors
    assert "newest-first: metadata.owner is missing" in errors
    assert "newest-first: metadata.created 2026-07-01 is after" in errors


# --- the history check -------------------------------------------------------------


def git(repo: Path, *args: str) -> None:
    executable = shutil.which("git")
    assert executable is not None
    subprocess.run(  # noqa: S603 - the test's own git commands
        [
            executable,
            "-C",
            str(repo),
            "-c",
            "user.name=Test",
            "-c",
            "user.email=test@example.com",
            "-c",
            "commit.gpgsign=false",
            *args,
        ],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def repo(flag_file: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    root = flag_file.parents[2]
    git(root, "init", "--quiet")
    git(root, "add", ".")
    git(root, "commit", "--quiet", "-m", "flags")
    return root


def test_history_with_a_record_for_every_commit_passes(repo: Path, flag_file: Path) -> None:
    change(flag_file, "kill", "create-enabled")
    git(repo, "commit", "--quiet", "-am", "kill create")
    assert run(flag_file, "verify", "--git") == 0


def test_a_commit_without_a_record_fails(
    repo: Path, flag_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    document = json.loads(flag_file.read_text())
    document["flags"]["plain"]["state"] = "ENABLED"
    flag_file.write_bytes(flags.dump_flags(document))
    git(repo, "commit", "--quiet", "-am", "sneaky edit")
    # Made good afterwards through the command: the file matches the log again...
    document["flags"]["plain"]["state"] = "DISABLED"
    flag_file.write_bytes(flags.dump_flags(document))
    git(repo, "commit", "--quiet", "-am", "revert")
    assert run(flag_file, "verify") == 0
    # ...but the history still holds a version nobody recorded.
    assert run(flag_file, "verify", "--git") == 1
    assert "(sneaky edit) changed the flag file without an audit record" in capsys.readouterr().err


def test_a_hand_edit_back_to_an_earlier_recorded_state_fails(
    repo: Path, flag_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    original = flag_file.read_bytes()
    change(flag_file, "kill", "create-enabled")
    git(repo, "commit", "--quiet", "-am", "kill create")
    killed = flag_file.read_bytes()
    # The original file has a record (the log's first), but not at the end of this log.
    flag_file.write_bytes(original)
    git(repo, "commit", "--quiet", "-am", "sneaky rollback")
    flag_file.write_bytes(killed)
    git(repo, "commit", "--quiet", "-am", "put it back")
    assert run(flag_file, "verify") == 0
    assert run(flag_file, "verify", "--git") == 1
    err = capsys.readouterr().err
    assert "(sneaky rollback) changed the flag file without an audit record" in err
    assert "(put it back)" not in err


def test_a_rewritten_log_in_history_fails(
    repo: Path, flag_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change(flag_file, "kill", "create-enabled")
    git(repo, "commit", "--quiet", "-am", "kill create")
    # Rebuild the whole chain from scratch: every hash is consistent again.
    flags.audit_path(flag_file).unlink()
    flags.init_log(flag_file, actor="mallory", reason="fresh start")
    git(repo, "commit", "--quiet", "-am", "rewrite")
    assert run(flag_file, "verify") == 0
    assert run(flag_file, "verify", "--git") == 1
    assert "no longer starts with" in capsys.readouterr().err
