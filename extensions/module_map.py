"""Reads modules.yml, the module map, and answers questions about it.

Used by copier (through extensions/context.py), by the goldenpath CLI and by the
tests, so that module paths, presets and service ports are declared once.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path, PurePath
from typing import Any

import jinja2
import yaml

# The repo's answers file: its name selects the repo's tree in copier.yml's _subdirectory
# (a service's answers file selects service-template/, which has no modules).
REPO_ANSWERS_FILE = ".copier-answers.yml"

MODULE_MAP_FILE = Path(__file__).resolve().parent.parent / "modules.yml"
TEMPLATE_SUFFIX = ".jinja"
# Answer-dependent parts a module path may name (filled by the context hook).
PLACEHOLDERS = ("first_service", "domain_package")
PLACEHOLDER_RE = re.compile(r"\{(\w+)\}")
# The platform roadmap the product implements has 32 prompts, numbered from 1.
ROADMAP_PROMPTS = range(1, 33)
# ready: switching the module on generates working, tested code. planned: it
# generates its docs page and directory READMEs only, saying what will come.
STATUSES = ("ready", "planned")


@dataclass(frozen=True)
class Module:
    """One switchable module, as declared in modules.yml."""

    id: str
    title: str
    roadmap: int
    status: str
    adds: str
    paths: tuple[str, ...]
    docs: str
    mentions: tuple[str, ...]
    service: Mapping[str, Any] | None = None
    integrates: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ModuleMap:
    """All modules plus the presets that switch them."""

    modules: tuple[Module, ...]
    presets: Mapping[str, tuple[str, ...]]
    # The generated tree (copier's _subdirectory), to find directories that only
    # switched-off modules fill.
    template_dir: Path | None = None

    @property
    def ids(self) -> tuple[str, ...]:
        return tuple(module.id for module in self.modules)

    def planned(self) -> tuple[Module, ...]:
        """The modules whose code is still to come."""
        return tuple(module for module in self.modules if module.status == "planned")

    def get(self, module_id: str) -> Module:
        for module in self.modules:
            if module.id == module_id:
                return module
        raise KeyError(module_id)

    def enabled(self, answers: Mapping[str, Any]) -> tuple[Module, ...]:
        """The modules whose switch is on in ``answers`` (missing answers count as off)."""
        return tuple(module for module in self.modules if _is_on(answers.get(module.id)))

    def excluded_paths(
        self, answers: Mapping[str, Any], names: Mapping[str, str] | None = None
    ) -> tuple[str, ...]:
        """Paths of every module that is off, for copier's ``_exclude`` (which matches
        rendered paths), with ``{first_service}``/``{domain_package}`` filled from ``names``.

        A directory that holds nothing but switched-off modules' files (``docs/modules``
        with every module off) is excluded too, so no empty directory is left behind.
        """
        excluded = [
            fill_placeholders(path, names or {})
            for module in self.modules
            if not _is_on(answers.get(module.id))
            for path in module.paths
        ]
        return (*excluded, *self._emptied_directories(excluded))

    def non_python_dirs(self, modules: tuple[Module, ...]) -> tuple[str, ...]:
        """Module directories under services/ or libs/ without a pyproject.toml.

        The uv workspace globs services/* and libs/*, and every match must be a
        Python project; a module directory that holds only configuration is skipped.
        """
        if self.template_dir is None:
            return ()
        return tuple(
            path
            for module in modules
            for path in module.paths
            if Path(path).parent.name in {"services", "libs"}
            and not any(
                (self.template_dir / path / name).is_file()
                for name in ("pyproject.toml", f"pyproject.toml{TEMPLATE_SUFFIX}")
            )
        )

    def _emptied_directories(self, excluded: list[str]) -> list[str]:
        if self.template_dir is None:
            return []
        ancestors = sorted({str(parent) for path in excluded for parent in Path(path).parents})
        return [
            directory
            for directory in ancestors
            if directory != "."
            # A filled-in placeholder path (services/catalog) is not a template directory.
            and (self.template_dir / directory).is_dir()
            and all(
                _covered(file.relative_to(self.template_dir), excluded)
                for file in (self.template_dir / directory).rglob("*")
                if file.is_file()
            )
        ]


def fill_placeholders(path: str, names: Mapping[str, str]) -> str:
    """A module path with its answer-dependent parts filled in: files a module adds inside
    the domain service live under ``services/{first_service}/src/{domain_package}/``."""
    if "{" not in path:
        return path
    return path.format_map({name: names.get(name, f"{{{name}}}") for name in PLACEHOLDERS})


def _covered(relative: Path, excluded: list[str]) -> bool:
    """Whether a template file (``x.md.jinja`` renders ``x.md``) falls under ``excluded``."""
    rendered = str(relative).removesuffix(TEMPLATE_SUFFIX)
    return any(rendered == path or rendered.startswith(f"{path}/") for path in excluded)


def _is_on(answer: Any) -> bool:
    if isinstance(answer, str):
        return answer.strip().lower() in {"true", "yes", "on", "1", "y"}
    return bool(answer)


def _check_roadmap_and_status(path: Path, modules: list[Module]) -> None:
    """Each module names its own roadmap prompt and says honestly whether it is built."""
    claimed: dict[int, str] = {}
    for module in modules:
        if module.roadmap not in ROADMAP_PROMPTS:
            raise ValueError(
                f"{path}: module {module.id!r} roadmap {module.roadmap} is not a prompt "
                f"number ({ROADMAP_PROMPTS.start}-{ROADMAP_PROMPTS.stop - 1})"
            )
        if module.roadmap in claimed:
            raise ValueError(
                f"{path}: modules {claimed[module.roadmap]!r} and {module.id!r} both claim "
                f"roadmap prompt {module.roadmap}"
            )
        claimed[module.roadmap] = module.id
        if module.status not in STATUSES:
            raise ValueError(
                f"{path}: module {module.id!r} status {module.status!r} is not one of "
                f"{', '.join(STATUSES)}"
            )
        # The sentence is shown to users as is: a planned module must not read as if
        # its code were already there.
        if (module.status == "planned") != module.adds.startswith("Will "):
            raise ValueError(
                f"{path}: module {module.id!r} is {module.status} but its adds text "
                + ("does not start" if module.status == "planned" else "starts")
                + " with 'Will' (planned modules say what they will add)"
            )


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
                    status=spec["status"],
                    adds=" ".join(spec["adds"].split()),
                    paths=tuple(spec["paths"]),
                    docs=spec["docs"],
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
    _check_roadmap_and_status(path, modules)
    for module in modules:
        if module.docs not in module.paths:
            raise ValueError(f"{path}: module {module.id!r} docs page is not one of its paths")
        for module_path in module.paths:
            unknown = set(PLACEHOLDER_RE.findall(module_path)) - set(PLACEHOLDERS)
            if unknown:
                raise ValueError(
                    f"{path}: module {module.id!r} path {module_path!r} uses unknown "
                    f"placeholders {sorted(unknown)}; allowed: {', '.join(PLACEHOLDERS)}"
                )
            if any(char in module_path for char in "*?[!") or module_path.startswith("/"):
                raise ValueError(
                    f"{path}: module {module.id!r} path {module_path!r} must be a plain "
                    "relative path (no globs), so that empty directories can be found"
                )
    copier_settings = yaml.safe_load((path.parent / "copier.yml").read_text(encoding="utf-8"))
    template_dir = path.parent / repo_subdirectory(str(copier_settings.get("_subdirectory", "")))
    return ModuleMap(
        modules=tuple(modules),
        presets=presets,
        template_dir=template_dir if template_dir.is_dir() else None,
    )


def repo_subdirectory(setting: str) -> str:
    """copier.yml's ``_subdirectory`` as copier renders it for the repo's answers file."""
    context = {"_copier_conf": {"answers_file": PurePath(REPO_ANSWERS_FILE)}}
    # A path, not HTML: nothing to escape.
    return jinja2.Environment(autoescape=False).from_string(setting).render(context)  # noqa: S701
