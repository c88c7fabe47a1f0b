"""The floor for a render of this template: the same tree rendered with plain Jinja2.

No questionnaire, no validation, no git, no answers-file bookkeeping: the answers of an
existing render (its .copier-answers.yml) plus the template's derived values, each
`*.jinja` file rendered once, every other file copied, switched-off modules' paths left
out. A render tool cannot do less work than this for the same output, so it is the
floor the benchmark compares copier and goldenpath with.

    python benchmarks/jinja_floor.py TEMPLATE_CHECKOUT ANSWERS_FILE DEST

Prints how many files it wrote.
"""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import jinja2
import yaml
from jinja2_ansible_filters import AnsibleCoreFiltersExtension  # type: ignore[import-untyped]

SUFFIX = ".jinja"


def load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def render_tree(template: Path, answers_file: Path, dest: Path) -> int:
    recorded: dict[str, Any] = yaml.safe_load(answers_file.read_text(encoding="utf-8"))
    answers = {key: value for key, value in recorded.items() if not key.startswith("_")}
    context_module = load(template / "extensions" / "context.py", "floor_context")
    naming = load(template / "extensions" / "naming.py", "floor_naming")
    context: dict[str, Any] = {**answers, **context_module.derived_values(answers)}
    context["_copier_answers"] = recorded
    context["_copier_conf"] = {"answers_file": ".copier-answers.yml", "dst_path": dest}
    excluded = [line for line in context["module_exclusions"].splitlines() if line]

    root = template / "template"
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(template),  # includes name paths from the checkout
        extensions=[AnsibleCoreFiltersExtension, naming.NamingExtension],
        keep_trailing_newline=True,
        autoescape=False,  # noqa: S701 - renders source files, not HTML
    )
    written = 0
    for source in sorted(path for path in root.rglob("*") if path.is_file()):
        relative = source.relative_to(root).as_posix()
        target = env.from_string(relative.removesuffix(SUFFIX)).render(context)
        if "__pycache__" in target or any(
            target == path or target.startswith(f"{path}/") for path in excluded
        ):
            continue
        out = dest / target
        out.parent.mkdir(parents=True, exist_ok=True)
        if relative.endswith(SUFFIX):
            rendered = env.get_template(f"template/{relative}").render(context)
            out.write_text(rendered, encoding="utf-8")
        else:
            shutil.copyfile(source, out)
        shutil.copymode(source, out)
        written += 1
    return written


if __name__ == "__main__":
    template_dir, answers_path, dest_dir = (Path(arg) for arg in sys.argv[1:4])
    print(render_tree(template_dir, answers_path, dest_dir))
