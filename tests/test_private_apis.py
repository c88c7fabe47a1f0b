"""Pins on the private copier API the CLI leans on.

copier has no public way to read a template's questions, version and `_skip_if_exists`
without rendering it, so `goldenpath.template_source` and `goldenpath.updating` use
`copier._template.Template`. When a copier release moves or renames any of it, these
tests fail with the name of what moved, before a user sees a traceback.
"""

from __future__ import annotations

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
