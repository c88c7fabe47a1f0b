"""Skips that would hide a check that never ran.

Tools the suite runs that no ``pip install`` brings (promtool, terraform): a developer
machine without one skips the checks that need it, with the reason and how to install
it. In CI (``CI`` set, as ``.ci/run`` and every hosted CI do) the same check fails
instead: ``.ci/run`` installs every tool.

The end-to-end tests read the skips of a generated repo's own test run from its JUnit
report (:func:`junit_outcomes`).
"""

from __future__ import annotations

import os
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

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


def junit_outcomes(report: Path) -> tuple[int, dict[str, str]]:
    """How many tests a pytest JUnit report (``--junitxml``) holds, and test id -> reason
    for each that was skipped (xfailed tests are reported as skipped too)."""
    # The report of a run this suite started, not untrusted input.
    root = ElementTree.parse(report).getroot()  # noqa: S314
    cases = list(root.iter("testcase"))
    # A skip's text says where and why (a skipped module's message is only "collection
    # skipped"); an xfail has no text, only its reason as the message.
    skipped = {
        f"{case.get('classname')}::{case.get('name')}": (marker.text or "").strip()
        or str(marker.get("message", ""))
        for case in cases
        if (marker := case.find("skipped")) is not None
    }
    return len(cases), skipped
