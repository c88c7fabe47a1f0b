"""Feature flags: read and change the flag file, keeping an audited, hash-chained record
of every change. ``ops flags`` is the command line over this module.

Usage (``make flags FLAGS_ARGS="..."`` runs the same)::

    ops flags list
    ops flags enable items-canary --reason "canary looks healthy"
    ops flags disable items-canary --reason "rolled back"
    ops flags rollout items-newest-first 50 --reason "widen to half"
    ops flags kill items-create-enabled --reason "incident 123"
    ops flags kill-all --reason "incident 124"
    ops flags lint
    ops flags verify --git

The flags live in ``config/flags/flags.json`` (flagd's format); ``audit.jsonl`` next to
it is an append-only log with one JSON record per change. Each record holds the
SHA-256 of the previous record (``prev_hash``) and of itself (``hash``: its canonical
JSON without that field, keys sorted, no spaces), and the SHA-256 of the flag file
the change produced (``flags_sha256``), so ``verify`` finds
an edited or removed record, and ``verify --git`` finds a commit whose flag file is not
what its log's last record says (a change made without the command, even one reverted
later) or whose log was rewritten. The chain has no key: it finds accidents and
unrecorded edits in the history, not a writer who rebuilds the whole log and history;
protected branches and required reviews are what stop that. It needs only the core
install, so CI runs it without syncing the workspace.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ops.errors import OpsError
from ops.files import write_atomically

DEFAULT_FLAGS = Path("config/flags/flags.json")
AUDIT_NAME = "audit.jsonl"
# Digests are written "sha256:<hex>", as container image digests are: self-describing,
# and secret scanners do not mistake a bare 64-character hex string for a key.
DIGEST_PREFIX = "sha256:"
GENESIS = DIGEST_PREFIX + "0" * 64
STATES = ("ENABLED", "DISABLED")
TYPES = ("release", "experiment", "operational", "kill-switch", "permission")
# Flags the global kill switch leaves alone: access rules, not features.
KILL_ALL_SPARES = "permission"
# The bucketing expression new percentage rollouts use: the flag key salts the
# hash, so one subject lands in different buckets for different flags, and the
# same bucket every time for this flag (sticky).
FLAG_KEY_SEED: dict[str, Any] = {"cat": [{"var": "$flagd.flagKey"}, {"var": "targetingKey"}]}
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
FULL = 100

Flags = dict[str, Any]
Record = dict[str, Any]


class FlagError(OpsError):
    """A problem the user can fix; its message says what is wrong."""


# --- files ---------------------------------------------------------------------------


def audit_path(flags_path: Path) -> Path:
    return flags_path.with_name(AUDIT_NAME)


def digest(data: bytes) -> str:
    return DIGEST_PREFIX + hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str:
    with path.open("rb") as handle:
        return DIGEST_PREFIX + hashlib.file_digest(handle, "sha256").hexdigest()


def load_flags(path: Path) -> Flags:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        msg = f"{path}: no such flag file"
        raise FlagError(msg) from None
    except json.JSONDecodeError as error:
        msg = f"{path}: not valid JSON: {error}"
        raise FlagError(msg) from None
    if not isinstance(document, dict) or not isinstance(document.get("flags"), dict):
        msg = f'{path}: expected an object with a "flags" object'
        raise FlagError(msg)
    return document


def dump_flags(document: Flags) -> bytes:
    """The file's one formatting: two-space indent, keys in their order, final newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def read_records(path: Path) -> list[Record]:
    if not path.exists():
        return []
    records = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            msg = f"{path}: line {number} is not a JSON record"
            raise FlagError(msg) from None
        if not isinstance(record, dict):
            msg = f"{path}: line {number} is not a JSON object"
            raise FlagError(msg)
        records.append(record)
    return records


def record_hash(record: Record) -> str:
    """SHA-256 of the record's canonical JSON, without its own ``hash`` field."""
    body = {key: value for key, value in record.items() if key != "hash"}
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return digest(canonical.encode("utf-8"))


def append_record(path: Path, record: Record) -> None:
    """Append one line and flush it to disk: the log is only ever appended to."""
    line = json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n"
    with path.open("a", encoding="utf-8") as file:
        file.write(line)
        file.flush()
        os.fsync(file.fileno())


def new_record(
    records: list[Record],
    *,
    actor: str,
    flag: str,
    action: str,
    before: Any,
    after: Any,
    reason: str,
    flags_sha256: str,
) -> Record:
    last = records[-1] if records else None
    record: Record = {
        "seq": (int(last["seq"]) + 1) if last else 1,
        "time": dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z"),
        "actor": actor,
        "flag": flag,
        "action": action,
        "before": before,
        "after": after,
        "reason": reason,
        "flags_sha256": flags_sha256,
        "prev_hash": str(last["hash"]) if last else GENESIS,
    }
    record["hash"] = record_hash(record)
    return record


def default_actor() -> str:
    git = shutil.which("git")
    if git:
        result = subprocess.run(  # noqa: S603 - fixed arguments, no shell
            [git, "config", "user.email"], capture_output=True, text=True, check=False
        )
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    return os.environ.get("USER") or getpass.getuser()


# --- reading a flag --------------------------------------------------------------------


def find_fractional(node: Any) -> list[Any] | None:
    """The first ``fractional`` operation's argument list in a targeting rule, if any."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "fractional" and isinstance(value, list):
                return value
            found = find_fractional(value)
            if found is not None:
                return found
    elif isinstance(node, list):
        for item in node:
            found = find_fractional(item)
            if found is not None:
                return found
    return None


def buckets(fractional: list[Any]) -> list[list[Any]]:
    """The ``[variant, weight]`` pairs of a fractional operation (the seed is not one)."""
    return [item for item in fractional if isinstance(item, list)]


def rollout_summary(flag: Mapping[str, Any]) -> str:
    targeting = flag.get("targeting") or {}
    fractional = find_fractional(targeting)
    if fractional is not None:
        pairs = buckets(fractional)
        total = sum(int(weight) for _, weight in pairs) or 1
        return " / ".join(f"{variant} {int(weight) * FULL // total}%" for variant, weight in pairs)
    if targeting:
        return "targeting rules"
    return f"all: {flag.get('defaultVariant')}"


def boolean_variants(key: str, flag: dict[str, Any]) -> tuple[str, str]:
    """The names of a boolean flag's true and false variants."""
    variants = flag.get("variants") or {}
    on = [name for name, value in variants.items() if value is True]
    off = [name for name, value in variants.items() if value is False]
    if len(on) != 1 or len(off) != 1:
        msg = f"{key}: a percentage rollout needs exactly one true and one false variant"
        raise FlagError(msg)
    return on[0], off[0]


# --- changes ---------------------------------------------------------------------------


def get_flag(document: Flags, key: str) -> dict[str, Any]:
    flag = document["flags"].get(key)
    if not isinstance(flag, dict):
        known = ", ".join(sorted(document["flags"])) or "none"
        msg = f"no flag {key!r} (flags: {known})"
        raise FlagError(msg)
    return flag


def set_state(document: Flags, key: str, state: str) -> tuple[Any, Any]:
    flag = get_flag(document, key)
    if flag.get("state") == state:
        msg = f"{key} is already {state}: nothing to change"
        raise FlagError(msg)
    before = json.loads(json.dumps(flag))
    flag["state"] = state
    return before, flag


def set_rollout(document: Flags, key: str, percent: int) -> tuple[Any, Any]:
    if not 0 <= percent <= FULL:
        msg = f"the rollout percentage must be between 0 and {FULL}, not {percent}"
        raise FlagError(msg)
    flag = get_flag(document, key)
    on, off = boolean_variants(key, flag)
    before = json.loads(json.dumps(flag))
    wanted = [[on, percent], [off, FULL - percent]]
    targeting = flag.get("targeting") or {}
    fractional = find_fractional(targeting)
    if fractional is None:
        if targeting:
            msg = (
                f"{key} has targeting rules without a percentage split; "
                "add a fractional rule to it in a reviewed change first"
            )
            raise FlagError(msg)
        flag["targeting"] = {"fractional": [FLAG_KEY_SEED, *wanted]}
    else:
        current = {str(variant): int(weight) for variant, weight in buckets(fractional)}
        total = sum(current.values())
        if total and current.get(on, 0) * FULL == percent * total and set(current) <= {on, off}:
            msg = f"{key} already sends {percent}% to {on}: nothing to change"
            raise FlagError(msg)
        # Keep the bucketing expression (the seed) so subjects stay in their buckets.
        seed = [item for item in fractional if not isinstance(item, list)]
        fractional[:] = [*seed, *wanted]
    return before, flag


def kill_all(document: Flags) -> tuple[Any, Any]:
    before: dict[str, str] = {}
    after: dict[str, str] = {}
    for key, flag in document["flags"].items():
        kind = (flag.get("metadata") or {}).get("type")
        if kind == KILL_ALL_SPARES or flag.get("state") == "DISABLED":
            continue
        before[key] = str(flag.get("state"))
        flag["state"] = "DISABLED"
        after[key] = "DISABLED"
    if not after:
        msg = "every flag that the kill switch covers is already DISABLED: nothing to change"
        raise FlagError(msg)
    return before, after


Change = Callable[[Flags], tuple[Any, Any]]


def apply_change(
    flags_path: Path, *, flag: str, action: str, change: Change, actor: str, reason: str
) -> Record:
    """Change the flag file, then append the audit record for the new file."""
    if not reason.strip():
        msg = "--reason must say why"
        raise FlagError(msg)
    log = audit_path(flags_path)
    records = read_records(log)
    problems = chain_problems(records)
    if problems:
        msg = f"{log}: the audit log is broken, fix it first: {problems[0]}"
        raise FlagError(msg)
    current = sha256_file(flags_path)
    if records and records[-1].get("flags_sha256") != current:
        msg = (
            f"{flags_path} was changed without this command (its SHA-256 is not the last "
            "audit record's); restore it or record the change first"
        )
        raise FlagError(msg)
    document = load_flags(flags_path)
    before, after = change(document)
    data = dump_flags(document)
    write_atomically(flags_path, data)
    record = new_record(
        records,
        actor=actor,
        flag=flag,
        action=action,
        before=before,
        after=after,
        reason=reason.strip(),
        flags_sha256=digest(data),
    )
    append_record(log, record)
    return record


def init_log(flags_path: Path, *, actor: str, reason: str) -> Record:
    """Start the audit log of a flag file with one ``create`` record."""
    log = audit_path(flags_path)
    if log.exists() and log.stat().st_size:
        msg = f"{log} already has records; the log is append-only"
        raise FlagError(msg)
    document = load_flags(flags_path)
    record = new_record(
        [],
        actor=actor,
        flag="*",
        action="create",
        before=None,
        after={key: flag.get("state") for key, flag in document["flags"].items()},
        reason=reason,
        flags_sha256=sha256_file(flags_path),
    )
    append_record(log, record)
    return record


# --- checks ----------------------------------------------------------------------------


def parse_date(value: Any) -> dt.date | None:
    if not isinstance(value, str) or not DATE.match(value):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def flag_problems(key: str, flag: Any, today: dt.date) -> Iterator[str]:
    if not isinstance(flag, dict):
        yield f"{key}: not an object"
        return
    if flag.get("state") not in STATES:
        yield f"{key}: state must be one of {', '.join(STATES)}"
    variants = flag.get("variants")
    if not isinstance(variants, dict) or not variants:
        yield f"{key}: variants are missing"
    elif flag.get("defaultVariant") not in variants:
        yield f"{key}: defaultVariant {flag.get('defaultVariant')!r} is not a variant"
    else:
        fractional = find_fractional(flag.get("targeting") or {})
        for variant, _ in buckets(fractional or []):
            if variant not in variants:
                yield f"{key}: the rollout names an unknown variant {variant!r}"
    metadata = flag.get("metadata")
    if not isinstance(metadata, dict):
        yield f"{key}: metadata (owner, type, created, expires, description) is missing"
    else:
        yield from metadata_problems(key, metadata, today)


def metadata_problems(key: str, metadata: dict[str, Any], today: dt.date) -> Iterator[str]:
    for field in ("owner", "description"):
        if not isinstance(metadata.get(field), str) or not metadata[field].strip():
            yield f"{key}: metadata.{field} is missing"
    if metadata.get("type") not in TYPES:
        yield f"{key}: metadata.type must be one of {', '.join(TYPES)}"
    created = parse_date(metadata.get("created"))
    expires = parse_date(metadata.get("expires"))
    if created is None:
        yield f"{key}: metadata.created must be a date (YYYY-MM-DD)"
    if expires is None:
        yield f"{key}: metadata.expires must be a date (YYYY-MM-DD)"
    if created and expires and created > expires:
        yield f"{key}: metadata.created {created} is after metadata.expires {expires}"
    if expires and expires < today:
        yield (
            f"{key}: expired on {expires}: remove the flag and the code that reads it, "
            "or agree a new expiry date with its owner"
        )


def lint_problems(path: Path, today: dt.date) -> list[str]:
    document = load_flags(path)
    problems = []
    if not str(document.get("$schema", "")).startswith("https://flagd.dev/schema/"):
        problems.append('"$schema" must point at the flagd schema')
    for key, flag in document["flags"].items():
        problems.extend(flag_problems(key, flag, today))
    return problems


def chain_problems(records: list[Record]) -> list[str]:
    problems = []
    previous = GENESIS
    for index, record in enumerate(records, start=1):
        seq = record.get("seq")
        if seq != index:
            problems.append(f"record {index}: seq is {seq!r}, expected {index}")
        if record.get("prev_hash") != previous:
            problems.append(f"seq {seq}: prev_hash does not match the previous record's hash")
        if record.get("hash") != record_hash(record):
            problems.append(f"seq {seq}: hash does not match its content (record edited)")
        previous = str(record.get("hash"))
    return problems


def git(repo: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    executable = shutil.which("git")
    if executable is None:
        msg = "git is not installed"
        raise FlagError(msg)
    return subprocess.run(  # noqa: S603 - fixed program, arguments from this script
        [executable, "-C", str(repo), *args], capture_output=True, check=False
    )


def history_problems(flags_path: Path, records: list[Record]) -> list[str]:
    """At every commit that touched the flag file or its log, the flag file is what the
    log's records up to that commit produced (its SHA-256 is the last record's), and
    every committed log is a prefix of the current one (the log was only appended to).

    Checking the order, not only that each committed flag file has some record, matters:
    a hand edit back to an earlier recorded state, reverted later, has a matching record
    somewhere in the log but not at the end of the log committed with it."""
    directory = flags_path.resolve().parent
    top = git(directory, "rev-parse", "--show-toplevel")
    if top.returncode:
        msg = f"{directory} is not in a git repository"
        raise FlagError(msg)
    root = Path(top.stdout.decode().strip())
    if git(root, "rev-parse", "--is-shallow-repository").stdout.decode().strip() == "true":
        msg = "the clone is shallow: the history check needs all of it (fetch-depth: 0)"
        raise FlagError(msg)
    log_path = audit_path(flags_path)
    current_log = log_path.read_bytes()
    problems = []
    for label, flag_data, log_data in committed_pairs(root, flags_path, log_path):
        if log_data is not None and not current_log.startswith(log_data):
            problems.append(f"{label} has audit records that the current log no longer starts with")
        if flag_data is None:
            continue
        last = last_record(log_data)
        if last is None or last.get("flags_sha256") != digest(flag_data):
            problems.append(
                f"{label} changed the flag file without an audit record (use ops flags): "
                "it is not what the log committed with it ends with"
            )
    return problems


def last_record(log_data: bytes | None) -> Record | None:
    """The last record of a committed log, or None when there is none to read."""
    if not log_data:
        return None
    lines = log_data.decode("utf-8", errors="replace").splitlines()
    try:
        record = json.loads(lines[-1]) if lines else None
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


def committed_pairs(
    root: Path, flags_path: Path, log_path: Path
) -> Iterator[tuple[str, bytes | None, bytes | None]]:
    """``(label, flag file, log)`` as of every commit that changed either; None where the
    file does not exist in that commit."""
    relative_flags = flags_path.resolve().relative_to(root.resolve()).as_posix()
    relative_log = log_path.resolve().relative_to(root.resolve()).as_posix()
    log = git(root, "log", "--format=%h %s", "--", relative_flags, relative_log)
    for line in log.stdout.decode().splitlines():
        commit, _, subject = line.partition(" ")
        flag_data = git(root, "show", f"{commit}:{relative_flags}")
        log_data = git(root, "show", f"{commit}:{relative_log}")
        yield (
            f"commit {commit} ({subject})",
            flag_data.stdout if flag_data.returncode == 0 else None,
            log_data.stdout if log_data.returncode == 0 else None,
        )


def verify_problems(flags_path: Path, *, with_git: bool) -> list[str]:
    log = audit_path(flags_path)
    records = read_records(log)
    if not records:
        return [f"{log}: no audit records"]
    problems = chain_problems(records)
    current = sha256_file(flags_path)
    if records[-1].get("flags_sha256") != current:
        problems.append(
            f"{flags_path.name} does not match the last audit record (seq "
            f"{records[-1].get('seq')}): it was edited without ops flags"
        )
    if with_git:
        problems.extend(history_problems(flags_path, records))
    return problems


# --- command line ----------------------------------------------------------------------


def print_table(document: Flags) -> None:
    header = ("flag", "state", "default", "rollout", "owner", "type", "expires")
    rows = [header]
    for key, flag in document["flags"].items():
        metadata = flag.get("metadata") or {}
        rows.append(
            (
                key,
                str(flag.get("state", "")),
                str(flag.get("defaultVariant", "")),
                rollout_summary(flag),
                str(metadata.get("owner", "")),
                str(metadata.get("type", "")),
                str(metadata.get("expires", "")),
            )
        )
    widths = [max(len(row[column]) for row in rows) for column in range(len(header))]
    for row in rows:
        print(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        )


def report(problems: list[str], success: str) -> int:
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    if problems:
        return 1
    print(success)
    return 0
