"""The recorded action pins are complete and on a runtime the runners support.

The workflows are checked against this data in test_render_delivery.py (generated
repos) and test_repo_hygiene.py (this repository's own CI).
"""

from __future__ import annotations

import re

import pytest

from tests.action_pins import CURRENT_RUNTIMES, USES, load_pins

PINS = load_pins()
TAG = re.compile(r"^v\d+\.\d+\.\d+$")


@pytest.mark.parametrize("repository", sorted(PINS))
def test_each_pin_records_a_release_commit_and_its_check(repository: str) -> None:
    entry = PINS[repository]
    assert re.fullmatch(r"[0-9a-f]{40}", entry["sha"]), entry
    assert TAG.match(entry["tag"]), f"{repository}: pin a release tag, not {entry['tag']!r}"
    assert entry["checked"].startswith(f"github.com/{repository}"), entry["checked"]


@pytest.mark.parametrize("repository", sorted(PINS))
def test_each_pin_runs_on_a_current_runtime(repository: str) -> None:
    """A pin on an older runtime is allowed only while it is the action's newest release."""
    entry = PINS[repository]
    if entry["runs-using"] in CURRENT_RUNTIMES:
        assert "no-node24-release" not in entry, f"{repository}: stale no-node24-release note"
        return
    assert entry.get("no-node24-release") == entry["tag"], (
        f"{repository} {entry['tag']} runs on {entry['runs-using']}: move to a release on "
        f"{sorted(CURRENT_RUNTIMES)}, or record that {entry['tag']} is the newest release"
    )


@pytest.mark.parametrize(
    ("line", "action", "ref", "comment"),
    [
        pytest.param(
            "      - uses: actions/checkout@" + "a" * 40 + " # v7.0.1",
            "actions/checkout",
            "a" * 40,
            "v7.0.1",
            id="step",
        ),
        pytest.param(
            "      uses: github/codeql-action/init@" + "b" * 40,
            "github/codeql-action/init",
            "b" * 40,
            None,
            id="no-comment",
        ),
        pytest.param("    uses: ./ci/templates/setup-workspace", None, None, None, id="local"),
    ],
)
def test_uses_lines_are_parsed(
    line: str, action: str | None, ref: str | None, comment: str | None
) -> None:
    match = USES.match(line)
    assert match is not None
    if action is None:
        assert match["action"].startswith("./")
        return
    assert (match["action"], match["ref"], match["comment"]) == (action, ref, comment)
