"""Rules for every test run in the workspace (pytest loads this file for all of services/,
libs/ and tools/).

In CI a skipped test fails. Tests skip when something they need is missing on the machine
(a PostgreSQL server, git, kubectl, helm): convenient on a laptop, a silent hole in CI,
whose runner must provide everything the suite needs. GitHub Actions sets `CI=true`; set it
yourself to check that a machine runs the whole suite. Expected failures (`xfail`) are not
skips and keep their meaning.
"""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Generator

import pytest

CI_VARIABLE = "CI"
# Values of CI that mean "not in CI"; an unset variable means the same.
NOT_CI = frozenset({"", "0", "false", "no", "off"})
SKIPPED_IN_CI = pytest.StashKey[Counter[str]]()


def in_ci() -> bool:
    return os.environ.get(CI_VARIABLE, "").strip().lower() not in NOT_CI


def _skip_reason(report: pytest.TestReport | pytest.CollectReport) -> str:
    longrepr = report.longrepr
    if isinstance(longrepr, tuple):  # (path, line number, "Skipped: <reason>")
        return longrepr[2].removeprefix("Skipped: ")
    return str(longrepr)


def _fail_instead_of_skipping(
    config: pytest.Config, report: pytest.TestReport | pytest.CollectReport
) -> None:
    if not report.skipped or hasattr(report, "wasxfail") or not in_ci():
        return
    reason = _skip_reason(report)
    config.stash.setdefault(SKIPPED_IN_CI, Counter())[reason] += 1
    report.outcome = "failed"
    report.longrepr = f"skipped in CI ({CI_VARIABLE}={os.environ[CI_VARIABLE]}): {reason}"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    _fail_instead_of_skipping(item.config, report)
    return report


@pytest.hookimpl(wrapper=True)
def pytest_make_collect_report(
    collector: pytest.Collector,
) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
    report = yield
    _fail_instead_of_skipping(collector.config, report)
    return report


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Each reason once, with how many tests it stopped: one missing server can fail
    a hundred tests."""
    skipped = terminalreporter.config.stash.get(SKIPPED_IN_CI, None)
    if not skipped:
        return
    terminalreporter.section(f"skips that failed because {CI_VARIABLE} is set", sep="-")
    for reason, count in skipped.most_common():
        terminalreporter.line(f"{count:4d} x {reason}")
    terminalreporter.line(
        f"Install what these tests need on the CI machine, or unset {CI_VARIABLE} to let them skip."
    )
