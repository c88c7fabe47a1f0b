"""The `flags` pytest fixture: force flag states in a test, restored afterwards.

    def test_creates_refused_when_killed(flags, client):
        flags.disable("items-create-enabled")
        ...

The fixture swaps the provider of the flag domain for OpenFeature's in-memory
provider, holding every flag of the repository's flag file at its default variant
(targeting rules ignored, so results do not depend on who the test calls as), with
DISABLED flags still DISABLED. `set` forces a value, `disable` makes a flag return
the code default. `configure` leaves the domain alone while the fixture is active.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openfeature import api
from openfeature.flag_evaluation import FlagValueType
from openfeature.provider.in_memory_provider import InMemoryFlag, InMemoryProvider

from . import client
from .settings import FlagSettings, Resolver

FORCED_VARIANT = "forced"


def flags_from_file(path: Path) -> dict[str, InMemoryFlag[Any]]:
    """Each flag of a flagd file at its default variant, ignoring targeting."""
    document = json.loads(path.read_text(encoding="utf-8"))
    result: dict[str, InMemoryFlag[Any]] = {}
    for key, flag in document.get("flags", {}).items():
        state = InMemoryFlag.State(flag.get("state", "ENABLED"))
        result[key] = InMemoryFlag(
            default_variant=flag["defaultVariant"],
            variants=dict(flag["variants"]),
            flag_metadata=dict(flag.get("metadata", {})),
            state=state,
        )
    return result


class ForcedFlags:
    """The flag states of one test."""

    def __init__(self, domain: str, initial: dict[str, InMemoryFlag[Any]]) -> None:
        self.domain = domain
        self._flags = dict(initial)
        self._install()

    def set(self, key: str, value: FlagValueType) -> None:
        self._flags[key] = InMemoryFlag(FORCED_VARIANT, {FORCED_VARIANT: value})
        self._install()

    def disable(self, key: str) -> None:
        """DISABLED: evaluations return the default the code passes."""
        self._flags[key] = InMemoryFlag(
            FORCED_VARIANT, {FORCED_VARIANT: None}, state=InMemoryFlag.State.DISABLED
        )
        self._install()

    def remove(self, key: str) -> None:
        """As if the flag were not defined at all (evaluations return the code default)."""
        self._flags.pop(key, None)
        self._install()

    def use_file(self, path: Path | None = None) -> None:
        """Evaluate with the flag file's real targeting rules for the rest of the test."""
        settings = FlagSettings(flags_resolver=Resolver.FILE, flags_file=path)
        api.set_provider(client.build_provider(settings), self.domain)

    def _install(self) -> None:
        api.set_provider(InMemoryProvider(self._flags), self.domain)


def _initial_flags() -> dict[str, InMemoryFlag[Any]]:
    try:
        return flags_from_file(FlagSettings().flag_file())
    except FileNotFoundError:
        return {}


@contextlib.contextmanager
def forced_flags(domain: str = client.DEFAULT_DOMAIN) -> Iterator[ForcedFlags]:
    """Forced flag states for `domain`; its previous provider is back afterwards.

    The previous provider is the client's (`OpenFeatureClient.provider`, public API):
    the domain's own, or the default provider when it had none, which is then bound to
    the domain explicitly; lookups answer the same either way.
    """
    previous = api.get_client(domain).provider
    client._pinned.add(domain)
    try:
        yield ForcedFlags(domain, _initial_flags())
    finally:
        client._pinned.discard(domain)
        api.set_provider(previous, domain)


@pytest.fixture
def flags() -> Iterator[ForcedFlags]:
    """Forced flag states for the default flag domain, restored after the test."""
    with forced_flags() as forced:
        yield forced
