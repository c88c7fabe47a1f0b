"""goldenpath's faster render writes exactly what `copier copy` writes.

goldenpath.rendering skips work copier repeats per file (see docs/adr/0006); these tests
hold it to copier's output byte for byte, mode for mode, directory for directory.
"""

from __future__ import annotations

import io
import os
import stat
from contextlib import redirect_stderr
from pathlib import Path

import copier
import pytest
from rich.console import Console
from typer.testing import CliRunner

from goldenpath.cli import app
from goldenpath.progress import Progress
from goldenpath.rendering import render_into_scratch
from tests.conftest import MODULE_IDS
from tools.scratch import snapshot_template

runner = CliRunner()


@pytest.fixture(scope="module")
def template_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This working tree as a committed template: renders of a dirty checkout record a
    commit copier makes on the fly, which differs between two renders."""
    return snapshot_template(tmp_path_factory.mktemp("template") / "template", "v1.0.0")


def tree(root: Path) -> dict[str, tuple[str, bytes | None, int]]:
    """Every path under ``root``: its kind, its bytes (files) and its permission bits."""
    entries: dict[str, tuple[str, bytes | None, int]] = {}
    for directory, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(directory) / name
            mode = stat.S_IMODE(path.lstat().st_mode)
            if path.is_dir():
                entries[str(path.relative_to(root))] = ("dir", None, mode)
            else:
                entries[str(path.relative_to(root))] = ("file", path.read_bytes(), mode)
    return entries


def copier_copy(template: Path, dest: Path, data: dict[str, object]) -> None:
    with redirect_stderr(io.StringIO()):
        copier.run_copy(
            str(template), dest, data=data, defaults=True, vcs_ref="v1.0.0",
            unsafe=True, quiet=True,
        )  # fmt: skip


def assert_same_tree(ours: Path, copiers: Path) -> None:
    mine, theirs = tree(ours), tree(copiers)
    assert sorted(mine) == sorted(theirs)
    different = [path for path in mine if mine[path] != theirs[path]]
    assert not different, f"differs from copier copy: {different[:10]}"


@pytest.mark.parametrize(
    ("args", "data"),
    [
        pytest.param(["--preset", "full"], dict.fromkeys(MODULE_IDS, True), id="full"),
        pytest.param(["--preset", "minimal"], dict.fromkeys(MODULE_IDS, False), id="minimal"),
        pytest.param(
            ["--with", "ml", "--set", "first_service=billing-ledger"],
            {"ml": True, "first_service": "billing-ledger"},
            id="ml-renamed-service",
        ),
    ],
)
def test_new_is_byte_identical_to_copier_copy(
    tmp_path: Path, template_repo: Path, args: list[str], data: dict[str, object]
) -> None:
    ours = tmp_path / "goldenpath"
    source = ["--template", str(template_repo), "--vcs-ref", "v1.0.0"]
    result = runner.invoke(app, ["new", str(ours), "--defaults", *source, *args])
    assert result.exit_code == 0, result.output
    copier_copy(template_repo, tmp_path / "copier", data)
    assert_same_tree(ours, tmp_path / "copier")


def test_render_counts_every_file_it_writes(tmp_path: Path, template_repo: Path) -> None:
    written: list[Path] = []
    with redirect_stderr(io.StringIO()):
        render_into_scratch(
            str(template_repo), tmp_path / "out", {}, vcs_ref="v1.0.0", defaults=True,
            on_file=written.append,
        )  # fmt: skip
    on_disk = {
        path.relative_to(tmp_path / "out") for path in (tmp_path / "out").rglob("*")
        if path.is_file()
    }  # fmt: skip
    assert sorted(written) == sorted(on_disk)


def test_render_refuses_a_directory_with_files(tmp_path: Path, template_repo: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("keep me", encoding="utf-8")
    with pytest.raises(ValueError, match="not a fresh scratch directory"):
        render_into_scratch(
            str(template_repo), tmp_path / "out", {}, vcs_ref="v1.0.0", defaults=True
        )
    assert (tmp_path / "out" / "mine.txt").read_text(encoding="utf-8") == "keep me"


def test_progress_counts_files_per_phase() -> None:
    progress = Progress(Console(file=io.StringIO(), force_terminal=True))
    with progress.shown():
        progress.phase("Rendering")
        for _ in range(3):
            progress.file_written()
        assert progress.files == 3
        progress.phase("Merging")
        assert progress.files == 0
