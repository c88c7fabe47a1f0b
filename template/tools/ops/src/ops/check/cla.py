"""Check that a pull request's author has signed the Contributor License Agreement.

Signatures live in ``.github/cla-signatures.json`` in the format of the
contributor-assistant action, ``{"signedContributors": [{"name": login, "id":
user id, ...}]}``, so a team can move to that action without converting the file.
A contributor signs by adding their entry in a commit of their own (the pull
request may carry it). The numeric id is what counts when present: logins can be
renamed and then claimed by someone else. Bots (``*[bot]``) need no signature.
It needs only the core install, so CI runs it without syncing the workspace.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from ops.errors import OpsError

DEFAULT_SIGNATURES = Path(".github/cla-signatures.json")
EXIT_UNSIGNED = 1
EXIT_ERROR = 2


class SignatureFileError(OpsError):
    """The signatures file is missing or malformed."""

    default_exit_code = EXIT_ERROR


def load_signatures(path: Path) -> list[dict[str, object]]:
    if not path.is_file():
        msg = f"{path} does not exist: create it with an empty signedContributors list"
        raise SignatureFileError(msg)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        msg = f"{path} is not valid JSON: {exc}"
        raise SignatureFileError(msg) from exc
    entries = data.get("signedContributors") if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(entry, dict) for entry in entries):
        msg = f"{path}: signedContributors must be a list of objects"
        raise SignatureFileError(msg)
    return entries


def has_signed(entries: Sequence[dict[str, object]], login: str, user_id: int | None) -> bool:
    for entry in entries:
        entry_id = entry.get("id")
        if user_id is not None and isinstance(entry_id, int):
            if entry_id == user_id:
                return True
            continue
        name = entry.get("name")
        if isinstance(name, str) and name.casefold() == login.casefold():
            return True
    return False


def check(login: str, user_id: int | None, signatures: Path) -> int:
    """0 when ``login`` (or ``user_id``) has signed or is a bot, else 1 with instructions."""
    if login.endswith("[bot]"):
        print(f"{login} is a bot: no signature needed")
        return 0
    entries = load_signatures(signatures)
    if has_signed(entries, login, user_id):
        print(f"{login} has signed the CLA")
        return 0
    print(
        f"{login} has not signed the CLA. Read CONTRIBUTING.md, then add "
        f'{{"name": "{login}", "id": {user_id or "<your user id>"}}} to '
        f"signedContributors in {signatures} in a commit of this pull request.",
        file=sys.stderr,
    )
    return EXIT_UNSIGNED
