"""Pins on the private copier API the CLI leans on.

copier has no public way to read a template's questions, version and `_skip_if_exists`
without rendering it, so `goldenpath.template_source` and `goldenpath.updating` use
`copier._template.Template`; `goldenpath.rendering` subclasses `copier._main.Worker`, the
class behind `copier.run_copy`, to render without copier's per-file waste. When a copier
release moves or renames any of it, these tests fail with the name of what moved, before a
user sees a traceback.
"""

from __future__ import annotations

import functools
import importlib
import inspect

import pytest

from tests.conftest import TEMPLATE_ROOT

# (what the CLI uses, where): one row per attribute, so a failure names it.
TEMPLATE_ATTRIBUTES = [
    ("local_abspath", "template_source.open_template"),
    ("questions_data", "template_source.open_template"),
    ("version", "template_source.open_template"),
    ("commit", "template_source.open_template"),
    ("skip_if_exists", "updating (files a deletion must not bring back)"),
    ("_cleanup", "template_source and updating (removes the clone of a remote template)"),
]


def template_class() -> type:
    module = importlib.import_module("copier._template")
    template = getattr(module, "Template", None)
    assert isinstance(template, type), "copier._template.Template is gone: see goldenpath.updating"
    return template


def test_template_takes_url_and_ref() -> None:
    parameters = inspect.signature(template_class()).parameters
    missing = {"url", "ref"} - set(parameters)
    assert not missing, f"copier._template.Template no longer takes {sorted(missing)}"


@pytest.mark.parametrize(
    ("attribute", "used_by"), TEMPLATE_ATTRIBUTES, ids=[row[0] for row in TEMPLATE_ATTRIBUTES]
)
def test_template_has_what_the_cli_reads(attribute: str, used_by: str) -> None:
    assert hasattr(template_class(), attribute), (
        f"copier._template.Template.{attribute} is gone; {used_by} reads it"
    )


def test_template_reads_this_template() -> None:
    template = template_class()(url=str(TEMPLATE_ROOT))
    try:
        assert "project_name" in template.questions_data
        # A git checkout is cloned to a scratch directory; the clone has the same copier.yml.
        assert (template.local_abspath / "copier.yml").is_file()
        assert any("CHANGELOG.md" in str(pattern) for pattern in template.skip_if_exists)
    finally:
        template._cleanup()


# goldenpath.rendering subclasses copier's Worker (what copier.run_copy wraps): one row per
# member it overrides, calls or fills, so a failure names what moved.
WORKER_MEMBERS = [
    ("jinja_env", "rendering.ScratchWorker.jinja_env (caches compiled path templates)"),
    ("template", "rendering.render_into_scratch (reuses the CLI's clone of the template)"),
    ("_render_file", "rendering.ScratchWorker._render_file (counts files for the progress)"),
    (
        "_sync_git_index_executable_bit",
        "rendering.ScratchWorker (skips a git lookup per file in a fresh scratch directory)",
    ),
    ("run_copy", "rendering.render_into_scratch"),
    ("_render_template", "rendering.ScratchWorker._render_template (settles the context)"),
    ("_render_context", "rendering.ScratchWorker._render_context (builds it once)"),
]


def worker_class() -> type:
    module = importlib.import_module("copier._main")
    worker = getattr(module, "Worker", None)
    assert isinstance(worker, type), "copier._main.Worker is gone: see goldenpath.rendering"
    return worker


@pytest.mark.parametrize(
    ("member", "used_by"), WORKER_MEMBERS, ids=[row[0] for row in WORKER_MEMBERS]
)
def test_worker_has_what_the_renderer_uses(member: str, used_by: str) -> None:
    assert hasattr(worker_class(), member), f"copier._main.Worker.{member} is gone; {used_by}"


def test_worker_properties_the_renderer_fills_are_cached() -> None:
    # render_into_scratch primes `template` and ScratchWorker wraps `jinja_env`: both must
    # stay cached properties (computed once per Worker, stored on the instance).
    worker = worker_class()
    for name in ("template", "jinja_env"):
        assert isinstance(inspect.getattr_static(worker, name), functools.cached_property), name


def test_worker_methods_the_renderer_overrides_keep_their_parameters() -> None:
    worker = worker_class()
    expected = {
        "_render_file": ["self", "src_relpath", "dst_relpath", "extra_context"],
        "_sync_git_index_executable_bit": ["self", "dst_relpath", "src_mode"],
        "_render_template": ["self"],
        "_render_context": ["self"],
    }
    for name, parameters in expected.items():
        assert list(inspect.signature(getattr(worker, name)).parameters) == parameters, name


def test_render_context_conf_is_a_lazy_dict_of_loaders() -> None:
    # ScratchWorker copies _copier_conf as LazyDict(conf._pending): the loaders, unevaluated.
    lazy_dict = importlib.import_module("copier._types").LazyDict
    conf = lazy_dict({"answers_file": lambda: "x"})
    assert dict(conf._pending).keys() == {"answers_file"}
    copied = lazy_dict(conf._pending)
    copied["answers_file"] = ""
    assert conf["answers_file"] == "x", "a copy's write must not reach the original"
