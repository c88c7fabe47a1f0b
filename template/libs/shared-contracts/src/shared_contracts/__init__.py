"""The services' OpenAPI contracts: export, drift check, compatibility check, docs."""

from .compat import BreakingChange, breaking_changes
from .docs import render_reference
from .openapi import app_schema, contract_path, contracts_dir, find_repo_root, render

__all__ = [
    "BreakingChange",
    "app_schema",
    "breaking_changes",
    "contract_path",
    "contracts_dir",
    "find_repo_root",
    "render",
    "render_reference",
]
