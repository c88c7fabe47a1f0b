"""The action pins recorded in tests/data/action-pins.toml, and a check of files against them.

A pin is `uses: owner/repo[/path]@<40-hex sha> # <tag>`; the comment is what a reader
(and Dependabot) takes for the version, so it must name the tag that commit carries.
zizmor's offline mode cannot check that; the recorded data can.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PINS_FILE = Path(__file__).parent / "data" / "action-pins.toml"
# Runtimes GitHub's hosted runners run without a deprecation warning. When they move
# on (as from node20 to node24), change this set: every older pin then fails.
CURRENT_RUNTIMES = frozenset({"node24", "composite", "docker"})

USES = re.compile(
    r"^\s*(?:-\s+)?uses:\s*(?P<action>[^@\s#]+)(?:@(?P<ref>\S+))?(?:\s+#\s*(?P<comment>\S+))?"
)
LOCAL = ("./", "docker://")


def load_pins() -> dict[str, dict[str, Any]]:
    """action repository ("owner/repo") -> its entry."""
    with PINS_FILE.open("rb") as handle:
        return dict(tomllib.load(handle)["actions"])


def pin_problems(files: Iterable[Path], root: Path) -> list[str]:
    """Every `uses:` line in `files` that is not pinned exactly as recorded."""
    pins = load_pins()
    problems = []
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = USES.match(line)
            if not match or match["action"].startswith(LOCAL):
                continue
            where = f"{path.relative_to(root)}:{number}"
            repository = "/".join(match["action"].split("/")[:2])
            entry = pins.get(repository)
            if entry is None:
                problems.append(f"{where}: {repository} is not in {PINS_FILE.name}")
            elif match["ref"] != entry["sha"]:
                recorded = f"{entry['sha']} ({entry['tag']})"
                problems.append(f"{where}: {repository}@{match['ref']}, recorded {recorded}")
            elif match["comment"] != entry["tag"]:
                problems.append(
                    f"{where}: the comment says {match['comment']!r} but {entry['sha']} is "
                    f"{entry['tag']}"
                )
    return problems
