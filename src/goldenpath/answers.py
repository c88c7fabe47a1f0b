"""Turn CLI options (--preset, --with, --set) into copier data, refusing unknown names.

Values stay strings: copier casts each to its question's type and runs the
question's validator (extensions/naming.py) before it writes anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from goldenpath.errors import BadInputError

# copier reads any other string as true for a bool question; refuse it instead.
BOOLEAN_WORDS = frozenset({"true", "false", "yes", "no", "on", "off", "1", "0", "y", "n"})


def parse_assignments(assignments: Iterable[str], questions: Mapping[str, Any]) -> dict[str, str]:
    """``["project_name=Acme"]`` -> ``{"project_name": "Acme"}``; every key must be a question."""
    data: dict[str, str] = {}
    for assignment in assignments:
        key, separator, value = assignment.partition("=")
        key = key.strip()
        if not separator or not key:
            raise BadInputError(
                f"--set {assignment!r} is not KEY=VALUE",
                "write it as --set project_name='Acme Platform'",
            )
        if key not in questions:
            raise BadInputError(
                f"--set {key}: unknown question {key!r}",
                f"allowed questions: {', '.join(questions)}",
            )
        if questions[key].get("type") == "bool" and value.strip().lower() not in BOOLEAN_WORDS:
            raise BadInputError(
                f"--set {key}={value!r}: {key} is a switch",
                f"write --set {key}=true or --set {key}=false",
            )
        data[key] = value
    return data


def module_switches(
    preset: str | None,
    with_modules: Iterable[str],
    module_ids: tuple[str, ...],
    presets: Mapping[str, tuple[str, ...]],
) -> dict[str, str]:
    """Module answers from a preset plus ``--with`` names (``--set`` may still override them)."""
    data: dict[str, str] = {}
    if preset is not None:
        if preset not in presets:
            raise BadInputError(
                f"--preset {preset!r}: unknown preset", f"allowed presets: {', '.join(presets)}"
            )
        data = {module: str(module in presets[preset]).lower() for module in module_ids}
    for name in with_modules:
        module = name.strip().replace("-", "_")
        if module not in module_ids:
            raise BadInputError(
                f"--with {name!r}: unknown module",
                f"allowed modules: {', '.join(module_ids)} (see `goldenpath modules`)",
            )
        data[module] = "true"
    return data
