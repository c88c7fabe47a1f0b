"""Rendering a template into a fresh scratch directory with copier, without its per-file waste.

`goldenpath new` and both renders of `goldenpath update` write into a directory this
process has just created. For such a render copier repeats two kinds of work that cannot
change its output (measured in docs/benchmarks.md, decided in docs/adr/0006):

- it compiles every path part, and its answers-file name once per path part, with
  ``Environment.from_string``, which Jinja never caches: about 5,000 compilations of a few
  hundred distinct strings for the full preset. :class:`ScratchWorker` keeps each compiled
  string template, and runs the environment's preprocessing on each reuse as a compilation
  would (copier's yield extension resets its state there);
- it rebuilds the whole render context for every one of those strings and files
  (``Worker._render_context``: merging the answer sources and filtering the answers to
  remember, about a quarter of the remaining render time), although the answers are
  settled before rendering starts. :class:`ScratchWorker` builds it once when rendering
  starts and hands each caller a copy with its own ``_copier_conf``, which callers modify;
- after writing each file it runs ``git config core.fileMode`` in the destination, to
  re-stage the executable bit of a *tracked* file when git ignores file modes. Nothing in a
  directory created for this render is tracked, so the lookup (one subprocess per file)
  is skipped.

The CLI reads the template's questions and module map before rendering; the render
reuses that clone of the template instead of making (and deleting) a second one.

Everything else is copier's own ``Worker``: questions, validation, exclusions, rendering.
``copier.run_copy`` is a thin wrapper around that class, which copier documents as internal:
tests/test_private_apis.py pins each part of it used here, so that a copier release that
moves one fails there first.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from pathlib import Path
from typing import Any

from copier._jinja_ext import SandboxedEnvironment
from copier._main import Worker
from copier._template import Template as CopierTemplate
from copier._types import LazyDict
from jinja2 import Template


def _cache_string_templates(env: SandboxedEnvironment) -> None:
    """Make ``env.from_string`` reuse the template compiled for the same source."""
    compiled: dict[str, Template] = {}
    compile_string: Callable[..., Template] = env.from_string

    def from_string(source: Any, globals: Any = None, template_class: Any = None) -> Template:
        if globals is not None or template_class is not None or not isinstance(source, str):
            return compile_string(source, globals, template_class)
        try:
            template = compiled[source]
        except KeyError:
            template = compiled[source] = compile_string(source)
        else:
            env.preprocess(source)  # the extensions' per-compilation side effects
        return template

    env.from_string = from_string  # type: ignore[method-assign]


class ScratchWorker(Worker):
    """copier's Worker for a render into a directory created for it (nothing tracked there)."""

    # Plain class attributes, not dataclass fields: copier's Worker forbids extra fields.
    # Called with each file's path relative to the destination once it is written.
    on_file: Callable[[Path], None] | None = None
    # The render context, built once the answers are settled (while rendering).
    _settled_context: dict[str, Any] | None = None

    def _render_template(self) -> None:
        self._settled_context = dict(super()._render_context())
        try:
            super()._render_template()
        finally:
            self._settled_context = None

    def _render_context(self) -> Any:
        settled = self._settled_context
        if settled is None:  # asking questions, or answers still moving
            return super()._render_context()
        context = dict(settled)
        # A fresh _copier_conf with the same lazy values: answers_relpath overwrites one
        # of its keys in the context it gets, which must not leak into the next one.
        conf = settled["_copier_conf"]
        context["_copier_conf"] = LazyDict(conf._pending)
        return context

    @cached_property
    def jinja_env(self) -> SandboxedEnvironment:
        env = super().jinja_env
        _cache_string_templates(env)
        return env

    def _render_file(
        self, src_relpath: Path, dst_relpath: Path, extra_context: dict[str, Any] | None = None
    ) -> None:
        super()._render_file(src_relpath, dst_relpath, extra_context=extra_context)
        if self.on_file is not None:
            self.on_file(dst_relpath)

    def _sync_git_index_executable_bit(self, dst_relpath: Path, src_mode: int) -> None:
        """No file in a fresh scratch directory is in a git index: nothing to re-stage."""


def render_into_scratch(
    source: str,
    scratch: Path,
    data: dict[str, Any],
    *,
    vcs_ref: str | None,
    defaults: bool,
    template: CopierTemplate | None = None,
    on_file: Callable[[Path], None] | None = None,
    answers_file: str | None = None,
) -> None:
    """``copier copy --trust --quiet`` of ``source`` into ``scratch``, a path this run chose.

    ``answers_file`` is copier's ``--answers-file`` (relative to ``scratch``); it also picks
    the tree rendered (the repo's or the service template's, see copier.yml).

    ``scratch`` must not exist yet or be an empty directory created by the caller.
    ``template``, when given, is copier's ``Template`` for the same ``source`` and
    ``vcs_ref``, already cloned; its owner cleans it up.
    """
    if scratch.exists() and any(scratch.iterdir()):
        raise ValueError(f"{scratch} is not a fresh scratch directory")
    worker = ScratchWorker(
        src_path=source,
        dst_path=scratch,
        data=data,
        defaults=defaults,
        vcs_ref=vcs_ref,
        answers_file=Path(answers_file) if answers_file else None,
        unsafe=True,  # the template's Jinja extensions need --trust
        quiet=True,
    )
    if template is not None:
        if (template.url, template.ref) != (source, vcs_ref):
            raise ValueError(f"{template.url}@{template.ref} is not {source}@{vcs_ref}")
        # Fills copier's cached property with the same Template it would build; copier's
        # cleanup list stays empty for it, as the template's owner removes the clone.
        worker.__dict__["template"] = template
    worker.on_file = on_file
    with worker:
        worker.run_copy()
