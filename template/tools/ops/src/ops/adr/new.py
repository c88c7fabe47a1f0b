"""Create the next architecture decision record (ADR) from docs/adr/template.md.

Usage::

    ops adr new "Use PostgreSQL for orders"

writes ``docs/adr/NNNN-use-postgresql-for-orders.md`` (NNNN is one more than the
highest existing number), fills in the title, number and today's date, adds the
record to the index in ``docs/adr/README.md`` and prints the new file's path.
It needs only the core install.
"""

from __future__ import annotations

import datetime as dt
import re
import string
import unicodedata
from pathlib import Path

from ops.errors import OpsError

DEFAULT_ADR_DIR = Path("docs/adr")
TEMPLATE_NAME = "template.md"
INDEX_NAME = "README.md"
INDEX_START = "<!-- adr-index:start -->"
INDEX_END = "<!-- adr-index:end -->"
RECORD_NAME = re.compile(r"^(\d{4})-[a-z0-9-]+\.md$")
MAX_NUMBER = 9999


class AdrError(OpsError):
    """A problem the user can fix; its message says what is wrong."""


def slugify(title: str) -> str:
    """Turn a title into an ASCII, lowercase, hyphen-separated file name stem."""
    decomposed = unicodedata.normalize("NFKD", title)
    ascii_title = decomposed.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")


def next_number(adr_dir: Path) -> int:
    """Return one more than the highest record number in ``adr_dir`` (1 if none)."""
    numbers = [
        int(match.group(1))
        for path in adr_dir.iterdir()
        if (match := RECORD_NAME.match(path.name)) is not None
    ]
    number = max(numbers, default=0) + 1
    if number > MAX_NUMBER:
        msg = f"no ADR numbers left after {MAX_NUMBER:04d}"
        raise AdrError(msg)
    return number


def add_to_index(index: Path, line: str) -> None:
    """Append ``line`` to the list between the index markers in ``index``."""
    text = index.read_text(encoding="utf-8")
    start = text.find(INDEX_START)
    end = text.find(INDEX_END)
    if start == -1 or end == -1 or end < start:
        msg = f"{index} has no {INDEX_START} ... {INDEX_END} block to add the record to"
        raise AdrError(msg)
    before = text[:end].rstrip("\n")
    index.write_text(f"{before}\n{line}\n{text[end:]}", encoding="utf-8")


def create_adr(title: str, adr_dir: Path, today: dt.date) -> Path:
    """Write the next record for ``title``, add it to the index, return its path."""
    if not adr_dir.is_dir():
        msg = f"{adr_dir} is not a directory"
        raise AdrError(msg)
    title = " ".join(title.split())
    if not title:
        msg = "the title is empty; pass one, e.g. 'Use PostgreSQL for orders'"
        raise AdrError(msg)
    slug = slugify(title)
    if not slug:
        msg = f"the title {title!r} has no letters or digits to name the file after"
        raise AdrError(msg)
    template_path = adr_dir / TEMPLATE_NAME
    if not template_path.is_file():
        msg = f"the ADR template {template_path} is missing"
        raise AdrError(msg)
    records = adr_dir.glob("[0-9][0-9][0-9][0-9]-*.md")
    if any(path.name.endswith(f"-{slug}.md") for path in records):
        msg = f"a record named {slug!r} already exists in {adr_dir}"
        raise AdrError(msg)
    number = f"{next_number(adr_dir):04d}"
    target = adr_dir / f"{number}-{slug}.md"
    template = string.Template(template_path.read_text(encoding="utf-8"))
    date = today.isoformat()
    content = template.safe_substitute(number=number, title=title, date=date)
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(content)
    except FileExistsError as error:
        msg = f"{target} already exists"
        raise AdrError(msg) from error
    index = adr_dir / INDEX_NAME
    if index.is_file():
        add_to_index(index, f"- [ADR {number}: {title}]({target.name})")
    return target
