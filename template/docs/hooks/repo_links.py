"""mkdocs hook: links from the docs to the rest of the repository point at the repository.

Pages link to code with ordinary relative links (``../../services/auth/README.md``),
which work when browsing the repository. The site contains only ``docs/``, so
on the site such a link would be broken (and ``mkdocs build --strict`` refuses
it): this hook rewrites every relative link that leaves ``docs/`` into a link to
the file on the repository host, ``<repo_url>/blob/<branch>/<path>`` (``tree``
for directories). The branch is ``extra.repository_branch`` in mkdocs.yml.
"""

from __future__ import annotations

import posixpath
import re
from pathlib import Path

from mkdocs.config.defaults import MkDocsConfig
from mkdocs.structure.files import Files
from mkdocs.structure.pages import Page

# An inline Markdown link or image target: ](target) or ](target "title").
LINK = re.compile(r"(\]\()([^)\s#]+)((?:#[^)\s]*)?(?:\s+\"[^\"]*\")?\))")
FENCE = re.compile(r"^\s*(```|~~~)")
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)


def rewrite(markdown: str, page_uri: str, repo_root: Path, repo_url: str, branch: str) -> str:
    """``markdown`` with links that leave docs/ turned into repository URLs."""
    page_dir = posixpath.dirname(f"docs/{page_uri}")
    in_fence = False
    lines = []
    for line in markdown.splitlines(keepends=True):
        if FENCE.match(line):
            in_fence = not in_fence
        if in_fence:
            lines.append(line)
        else:
            lines.append(
                LINK.sub(lambda m: _replace(m, page_dir, repo_root, repo_url, branch), line)
            )
    return "".join(lines)


def _replace(
    match: re.Match[str], page_dir: str, repo_root: Path, repo_url: str, branch: str
) -> str:
    target = match.group(2)
    if EXTERNAL.match(target) or target.startswith("/"):
        return match.group(0)
    path = posixpath.normpath(posixpath.join(page_dir, target))
    if path.startswith("../") or path == ".." or path.startswith("docs/") or path == "docs":
        return match.group(0)
    kind = "tree" if (repo_root / path).is_dir() else "blob"
    return f"{match.group(1)}{repo_url}/{kind}/{branch}/{path}{match.group(3)}"


def on_page_markdown(markdown: str, page: Page, config: MkDocsConfig, files: Files) -> str:
    repo_url = (config.repo_url or "").rstrip("/")
    if not repo_url:
        return markdown
    branch = str(config.extra.get("repository_branch", "main"))
    repo_root = Path(config.config_file_path).resolve().parent
    return rewrite(markdown, page.file.src_uri, repo_root, repo_url, branch)
