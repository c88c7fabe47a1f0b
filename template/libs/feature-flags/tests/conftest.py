"""Shared fixtures: the repository's real flag file."""

from __future__ import annotations

from pathlib import Path

import pytest
from feature_flags import find_flag_file


@pytest.fixture(scope="session")
def flag_file() -> Path:
    return find_flag_file(Path(__file__).resolve().parent)
