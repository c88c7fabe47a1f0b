"""Markdown helpers shared by the commands that write tables (reports, generated docs)."""

from __future__ import annotations


def cell(text: object) -> str:
    """Text safe inside a Markdown table cell: one line, pipes escaped, ``-`` when empty."""
    return " ".join(str(text).split()).replace("|", "\\|") or "-"
