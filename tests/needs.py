"""Tools the suite runs that no ``pip install`` brings (promtool, terraform).

A developer machine without one skips the checks that need it, with the reason and how
to install it. In CI (``CI`` set, as ``.ci/run`` and every hosted CI do) the same check
fails instead: ``.ci/run`` installs every tool, so a skip there would only hide that a
check never ran.
"""

from __future__ import annotations

import os
import shutil

import pytest

# Values of CI that mean "not in CI" (CI=false is how some users switch it off).
NOT_CI = frozenset({"", "0", "false", "no"})


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in NOT_CI


def require_tool(name: str, hint: str) -> str:
    """The path of ``name`` on PATH; otherwise skip the test, or fail it in CI. ``hint``
    says how to install it."""
    found = shutil.which(name)
    if found:
        return found
    message = f"{name} is not on PATH ({hint})"
    if in_ci():
        pytest.fail(f"{message}; CI must run this check, and .ci/run installs it", pytrace=False)
    pytest.skip(message)
