"""mkdocs hook: the flag report page, generated from the flag file and its audit log.

``modules/flag-report.md`` exists only in the build: a table of every flag in
``config/flags/flags.json`` (state, variants, rollout, owner, type, created and
expiry date, flags past their expiry highlighted) and the most recent records of
``config/flags/audit.jsonl``. It is rebuilt from the committed files on every
build, so it cannot drift from them. The audit chain itself is checked by
``ops flags verify`` in CI; this page only shows it. The file readers, the rollout
summary and the date parsing are the flag command's own (``ops.flags.store``).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import PluginError
from mkdocs.structure.files import File, Files
from ops.flags import store
from ops.markdown import cell

PAGE_URI = "modules/flag-report.md"
FLAGS_PATH = Path("config") / "flags" / "flags.json"
AUDIT_PATH = Path("config") / "flags" / "audit.jsonl"
RECENT_CHANGES = 20
SOON = dt.timedelta(days=30)


def expiry(value: object, today: dt.date) -> str:
    date = store.parse_date(value)
    if date is None:
        return f"**{cell(value)} (not a date)**"
    if date < today:
        return f"**{date} (expired)**"
    if date - today <= SOON:
        return f"*{date} (soon)*"
    return str(date)


def flag_table(flags: Mapping[str, Any], today: dt.date) -> list[str]:
    lines = [
        "| Flag | State | Variants (default) | Rollout | Owner | Type | Created | Expires |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for key, flag in flags.items():
        metadata = flag.get("metadata") or {}
        expires = expiry(metadata.get("expires"), today)
        variants = ", ".join(
            f"`{name}`={json.dumps(value)}" for name, value in (flag.get("variants") or {}).items()
        )
        state = flag.get("state", "")
        lines.append(
            f"| `{cell(key)}` | {'**DISABLED**' if state == 'DISABLED' else cell(state)} "
            f"| {cell(variants)} (`{cell(flag.get('defaultVariant'))}`) "
            f"| {cell(store.rollout_summary(flag))} "
            f"| {cell(metadata.get('owner'))} | {cell(metadata.get('type'))} "
            f"| {cell(metadata.get('created'))} | {expires} |"
        )
    return lines


def describe(record: Mapping[str, Any]) -> str:
    """What a record changed, in a few words."""
    before, after = record.get("before"), record.get("after")
    if record.get("action") == "create" and isinstance(after, Mapping):
        return f"{len(after)} flags"
    if isinstance(before, Mapping) and isinstance(after, Mapping):
        if record.get("flag") == "*":
            return f"{len(after)} flags DISABLED"
        if before.get("state") != after.get("state"):
            return f"{before.get('state')} → {after.get('state')}"
        if before.get("targeting") != after.get("targeting"):
            return f"{store.rollout_summary(before)} → {store.rollout_summary(after)}"
    return "-"


def changes_table(records: Sequence[Mapping[str, Any]]) -> list[str]:
    lines = [
        "| Seq | Time (UTC) | Actor | Flag | Action | Change | Reason |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for record in reversed(records[-RECENT_CHANGES:]):
        lines.append(
            f"| {cell(record.get('seq'))} | {cell(record.get('time'))} "
            f"| {cell(record.get('actor'))} | `{cell(record.get('flag'))}` "
            f"| {cell(record.get('action'))} | {cell(describe(record))} "
            f"| {cell(record.get('reason'))} |"
        )
    return lines


def render_report(
    flags: Mapping[str, Any],
    records: Sequence[Mapping[str, Any]],
    today: dt.date,
) -> str:
    expired = [
        key
        for key, flag in flags.items()
        if expiry((flag.get("metadata") or {}).get("expires"), today).endswith("(expired)**")
    ]
    lines = [
        "# Flag report",
        "",
        f"Generated when the site was built ({today}) from `{FLAGS_PATH.as_posix()}` and "
        f"`{AUDIT_PATH.as_posix()}`. Change flags with `make flags`; see the "
        "[module page](feature-flags.md).",
        "",
    ]
    if expired:
        lines += [
            '!!! warning "Flags past their expiry date"',
            "",
            f"    {', '.join(f'`{key}`' for key in expired)}: remove them and the code that "
            "reads them, or agree a new date with their owner. CI fails until then.",
            "",
        ]
    disabled = sum(1 for flag in flags.values() if flag.get("state") == "DISABLED")
    lines += [
        "## Flags",
        "",
        f"{len(flags)} flags, {disabled} disabled (a disabled flag gives the code default).",
        "",
        *flag_table(flags, today),
        "",
        "## Recent changes",
        "",
        f"The last {min(len(records), RECENT_CHANGES)} of {len(records)} audit records, "
        "newest first.",
        "",
        *changes_table(records),
    ]
    return "\n".join(lines) + "\n"


def on_files(files: Files, config: MkDocsConfig) -> Files:
    root = Path(config.config_file_path).resolve().parent
    try:
        flags = store.load_flags(root / FLAGS_PATH)["flags"]
        records = store.read_records(root / AUDIT_PATH)
    except store.FlagError as error:
        raise PluginError(str(error)) from error
    today = dt.datetime.now(dt.UTC).date()
    content = render_report(flags, records, today)
    files.append(File.generated(config, PAGE_URI, content=content))
    return files
