"""mkdocs hook: a nav section lists every page of its directory, without editing mkdocs.yml.

mkdocs.yml names only each section's index page (``adr/README.md``,
``runbooks/README.md``, ``services/index.md``, ...). This hook appends the other
pages of that directory to the section, sorted by file name, so a new ADR from
``ops adr new``, a new runbook or a generated service page shows up in the
navigation as soon as the file exists. Pages already placed in the nav by hand
keep their place.
"""

from __future__ import annotations

import itertools
import logging
import posixpath
from collections.abc import Iterable, Iterator

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure import StructureItem
from mkdocs.structure.files import Files
from mkdocs.structure.nav import Navigation, Section
from mkdocs.structure.pages import Page

INDEX_NAMES = ("index.md", "README.md")
log = logging.getLogger(f"mkdocs.hooks.{__name__}")


def sections(items: Iterable[StructureItem]) -> Iterator[Section]:
    for item in items:
        if isinstance(item, Section):
            yield item
            yield from sections(item.children)


def section_directory(section: Section) -> str | None:
    """The directory whose index page opens ``section``, if it is opened by one."""
    first = section.children[0] if section.children else None
    if isinstance(first, Page) and posixpath.basename(first.file.src_uri) in INDEX_NAMES:
        return posixpath.dirname(first.file.src_uri)
    return None


def on_nav(nav: Navigation, config: MkDocsConfig, files: Files) -> Navigation:
    placed = {page.file.src_uri for page in nav.pages}
    for section in list(sections(nav.items)):
        directory = section_directory(section)
        if not directory:
            continue
        added = [
            Page(None, file, config)
            for file in sorted(files.documentation_pages(), key=lambda f: f.src_uri)
            if posixpath.dirname(file.src_uri) == directory and file.src_uri not in placed
        ]
        if not added:
            continue
        # The new pages follow the section's last page in reading (previous/next) order.
        last = max(nav.pages.index(child) for child in section.children if isinstance(child, Page))
        for page in added:
            page.parent = section
            placed.add(page.file.src_uri)
        section.children.extend(added)
        nav.pages[last + 1 : last + 1] = added
    link_neighbours(nav.pages)
    # mkdocs reports omitted pages before this hook runs (mkdocs.yml turns that off);
    # report the pages that are still in no section.
    orphans = sorted(f.src_uri for f in files.documentation_pages() if f.src_uri not in placed)
    if orphans:
        log.info("pages in no nav section (link to them or add a section): %s", orphans)
    return nav


def link_neighbours(pages: list[Page]) -> None:
    """Recompute previous/next links after pages were added to the nav."""
    for before, after in itertools.pairwise(pages):
        before.next_page = after
        after.previous_page = before
    if pages:
        pages[0].previous_page = None
        pages[-1].next_page = None
