"""Context hook: values derived from the answers, computed once for every file.

Templates read these instead of repeating long Jinja expressions:

- ``package_name``: the project slug as a Python identifier;
- ``domain_package``: the first domain service's import package;
- ``service_package``: the import package of a service added with
  ``goldenpath add service`` (service-template/);
- ``workspace_exclude``: enabled module directories under services/ or libs/ that
  hold no Python project (yet), which the uv workspace must skip;
- ``cloud_provider_name``: the cloud's display name;
- ``enabled_modules``: the modules switched on, in module-map order;
- ``module_exclusions``: path patterns of switched-off modules (copier's ``_exclude``);
- ``services``: every long-running service with its local port (a planned module's
  service has ``status: planned``: its port is reserved, its code is still to come).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from copier_template_extensions import ContextHook

_HERE = Path(__file__).resolve().parent

# Core services every generated repo has. The first domain service's name comes
# from the answers; module services and their ports come from modules.yml.
AUTH_SERVICE = {"name": "auth", "port": 8001, "kind": "core"}
DOMAIN_SERVICE_PORT = 8000
CLOUD_PROVIDER_NAMES = {"aws": "Amazon Web Services", "gcp": "Google Cloud"}


def _sibling(name: str) -> ModuleType:
    """Load extensions/<name>.py by path.

    copier loads extension files by path, not as a package, and an update renders
    two template versions in one process: keying the module by its file path keeps
    the old and the new version's code apart.
    """
    path = _HERE / f"{name}.py"
    key = f"goldenpath_extensions_{name}_{abs(hash(str(path)))}"
    if key in sys.modules:
        return sys.modules[key]
    spec = importlib.util.spec_from_file_location(key, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[key] = module
    spec.loader.exec_module(module)
    return module


naming = _sibling("naming")
module_map = _sibling("module_map")


# The answers derived_values reads besides the module switches.
ANSWERS_READ = ("first_service", "project_slug", "cloud_provider")
# copier renders every path part, every file and its answers-file name with a fresh
# context, each running the hook: about 4,600 calls for one render of the full preset.
# The values depend only on the answers read and the template files, so each distinct
# set of answers is derived once. Templates only read these values; none mutates them.
# Each entry keeps its ModuleMap alive, so the id() in its key is never reused.
_derived_cache: dict[tuple[Any, ...], tuple[Any, dict[str, Any]]] = {}


def derived_values(answers: dict[str, Any]) -> dict[str, Any]:
    """Everything the templates derive from the answers (missing answers are tolerated)."""
    modules = module_map.load()
    key = (
        id(modules),  # module_map.load() returns one object per modules.yml version
        *(answers.get(name) for name in (*ANSWERS_READ, *modules.ids)),
    )
    try:
        return _derived_cache[key][1]
    except KeyError:
        derived = _derive(answers, modules)
        _derived_cache[key] = (modules, derived)
        return derived
    except TypeError:  # an unhashable answer: derive without the cache
        return _derive(answers, modules)


def _derive(answers: dict[str, Any], modules: Any) -> dict[str, Any]:
    enabled = modules.enabled(answers)
    first_service = str(answers.get("first_service") or "catalog")
    domain_package = f"{naming.snake(first_service)}_service"
    path_names = {"first_service": first_service, "domain_package": domain_package}
    services = [
        {"name": first_service, "port": DOMAIN_SERVICE_PORT, "kind": "domain"},
        AUTH_SERVICE,
    ]
    services += [
        {
            "name": module.service["name"],
            "port": module.service["port"],
            "kind": module.id,
            "status": module.status,
        }
        for module in enabled
        if module.service
    ]
    return {
        "package_name": naming.snake(str(answers.get("project_slug") or "")),
        "domain_package": domain_package,
        "service_package": f"{naming.snake(str(answers.get('service_name') or ''))}_service",
        "workspace_exclude": list(modules.non_python_dirs(enabled)),
        "cloud_provider_name": CLOUD_PROVIDER_NAMES.get(
            str(answers.get("cloud_provider")), str(answers.get("cloud_provider"))
        ),
        "enabled_modules": [
            {
                "id": module.id,
                "title": module.title,
                "roadmap": module.roadmap,
                "status": module.status,
                "adds": module.adds,
                "paths": [module_map.fill_placeholders(path, path_names) for path in module.paths],
                "docs": module.docs,
                "libs": [
                    path.removeprefix("libs/") for path in module.paths if path.startswith("libs/")
                ],
            }
            for module in enabled
        ],
        "module_exclusions": "\n".join(modules.excluded_paths(answers, path_names)),
        "services": services,
    }


class ContextUpdater(ContextHook):
    """Adds :func:`derived_values` to copier's render context."""

    def hook(self, context: dict[str, Any]) -> None:
        context.update(derived_values(context))
