"""Reads modules.yml, the module map, and answers questions about it.

Used by copier (through extensions/context.py), by the goldenpath CLI and by the
tests, so that module paths, presets and service ports are declared once.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

MODULE_MAP_FILE = Path(__file__).resolve().parent.parent / "modules.yml"


@dataclass(frozen=True)
class Module:
    """One switchable module, as declared in modules.yml."""

    id: str
    title: str
    roadmap: int
    adds: str
    paths: tuple[str, ...]
    mentions: tuple[str, ...]
    service: Mapping[str, Any] | None = None
    integrates: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ModuleMap:
    """All modules plus the presets that switch them."""

    modules: tuple[Module, ...]
    presets: Mapping[str, tuple[str, ...]]

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(module.id for module in self.modules)

    def get(self, module_id: str) -> Module:
        for module in self.modules:
            if module.id == module_id:
                return module
        raise KeyError(module_id)

    def enabled(self, answers: Mapping[str, Any]) -> tuple[Module, ...]:
        """The modules whose switch is on in ``answers`` (missing answers count as off)."""
        return tuple(module for module in self.modules if _is_on(answers.get(module.id)))

    def excluded_paths(self, answers: Mapping[str, Any]) -> tuple[str, ...]:
        """Path patterns of every module that is off, for copier's ``_exclude``."""
        return tuple(
            path
            for module in self.modules
            if not _is_on(answers.get(module.id))
            for path in module.paths
        )


def _is_on(answer: Any) -> bool:
    if isinstance(answer, str):
        return answer.strip().lower() in {"true", "yes", "on", "1", "y"}
    return bool(answer)


def load(path: Path = MODULE_MAP_FILE) -> ModuleMap:
    """Parse modules.yml; raise ValueError naming the problem if it is malformed."""
    # copier renders hundreds of strings per run, each through the context hook.
    return _load_cached(path, path.stat().st_mtime_ns)


@lru_cache(maxsize=8)
def _load_cached(path: Path, _mtime_ns: int) -> ModuleMap:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    modules = []
    for module_id, spec in data["modules"].items():
        try:
            modules.append(
                Module(
                    id=module_id,
                    title=spec["title"],
                    roadmap=int(spec["roadmap"]),
                    adds=" ".join(spec["adds"].split()),
                    paths=tuple(spec["paths"]),
                    mentions=tuple(word.lower() for word in spec["mentions"]),
                    service=spec.get("service"),
                    integrates=spec.get("integrates") or {},
                )
            )
        except KeyError as missing:
            raise ValueError(f"{path}: module {module_id!r} lacks {missing}") from None
    known = {module.id for module in modules}
    presets = {name: tuple(ids or ()) for name, ids in data["presets"].items()}
    for name, ids in presets.items():
        if unknown := set(ids) - known:
            raise ValueError(f"{path}: preset {name!r} names unknown modules {sorted(unknown)}")
    return ModuleMap(modules=tuple(modules), presets=presets)
