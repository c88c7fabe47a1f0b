"""Where the template comes from, and what it declares (questions, module map).

The default source is the git checkout this package runs from: copier records it
in the generated repo's answers file, and `copier update` needs a git source with
version tags to update from later. A template copied into site-packages could not
be updated from, so an installed wheel needs ``--template`` or GOLDENPATH_TEMPLATE.
"""

from __future__ import annotations

import importlib.util
import io
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

from copier._template import Template
from copier.errors import ConfigFileError

from goldenpath.errors import BadInputError, GoldenpathError, one_line

TEMPLATE_ENV_VAR = "GOLDENPATH_TEMPLATE"
_CHECKOUT = Path(__file__).resolve().parents[2]


def default_source() -> str:
    """The template source used when ``--template`` is not given."""
    if from_env := os.environ.get(TEMPLATE_ENV_VAR):
        return from_env
    if (_CHECKOUT / "copier.yml").is_file() and (_CHECKOUT / ".git").exists():
        return str(_CHECKOUT)
    raise BadInputError(
        "no template source: goldenpath is not running from its git checkout",
        f"pass --template SRC (a git URL or path) or set {TEMPLATE_ENV_VAR}",
    )


@dataclass(frozen=True)
class TemplateInfo:
    """What the CLI needs to know about a template before running copier."""

    root: Path
    version: str
    questions: dict[str, dict[str, Any]]
    module_map: Any  # extensions/module_map.py's ModuleMap, loaded from this template
    # copier's view of the same checkout, for a render that reuses its clone.
    template: Template

    @property
    def module_ids(self) -> tuple[str, ...]:
        return tuple(self.module_map.ids)


def _load_by_path(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise GoldenpathError(f"cannot load {path}", "is the template a goldenpath checkout?")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


@contextmanager
def open_template(source: str, vcs_ref: str | None = None) -> Iterator[TemplateInfo]:
    """Check out ``source`` at ``vcs_ref`` (latest tag by default, like copier) and read it."""
    template = Template(url=source, ref=vcs_ref)
    try:
        try:
            # copier prints "No git tags found" when a checkout has no release tag yet;
            # HEAD is then the right ref and the note is noise on our output.
            with redirect_stderr(io.StringIO()):
                root = template.local_abspath
                questions = template.questions_data
        except Exception as error:  # copier raises many types for a bad source
            # copier's config errors name a temporary clone; the YAML error behind says why.
            cause = error.__cause__ if isinstance(error, ConfigFileError) else None
            raise BadInputError(
                f"cannot read template {source!r}"
                + (f" at {vcs_ref!r}" if vcs_ref else "")
                + f": {one_line(cause or error)}",
                "check --template (a goldenpath checkout or git URL) and --vcs-ref",
            ) from error
        map_loader = root / "extensions" / "module_map.py"
        if not map_loader.is_file():
            raise BadInputError(
                f"{source!r} is not a goldenpath template (no extensions/module_map.py)",
                "point --template at a goldenpath checkout or its git URL",
            )
        try:
            loader = _load_by_path(map_loader, f"goldenpath_template_map_{id(template)}")
            modules = loader.load(root / "modules.yml")
        except Exception as error:  # a broken template can fail in any way
            raise BadInputError(
                f"template {source!r}"
                + (f" at {vcs_ref!r}" if vcs_ref else "")
                + f" has a broken module map: {type(error).__name__}: {one_line(error)}",
                "fix modules.yml or extensions/module_map.py in the template, "
                "or choose another --vcs-ref",
            ) from error
        yield TemplateInfo(
            root=root,
            version=str(template.version or template.commit or "unversioned"),
            questions=questions,
            module_map=modules,
            template=template,
        )
    finally:
        template._cleanup()
