"""Wrong answers are refused before anything is written; odd-but-valid ones render safely."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import copier
import pytest
import yaml
from typer.testing import CliRunner

from goldenpath.cli import app
from tests.conftest import ANSWERS_FILE, TEMPLATE_ROOT, parse_structured_files

# (question, bad answer, words the error must contain besides the question name)
BAD_ANSWERS = [
    ("project_name", "", "must not be empty"),
    ("project_name", "   ", "must not be empty"),
    ("project_name", "acme/platform", "must not contain /"),
    ("project_name", "acme\\platform", "must not contain \\"),
    ("project_name", "..", "'..'"),
    ("project_name", "../escape", "'..'"),
    ("project_name", "yes", "boolean or null"),
    ("project_name", "No", "boolean or null"),
    ("project_name", "null", "boolean or null"),
    ("project_name", ": x", "must not contain :"),
    ("project_name", "acme $(rm -rf ~)", "must not contain $"),
    ("project_name", "acme; reboot", "must not contain ;"),
    ("project_name", "`id`", "must not contain `"),
    ("project_name", "acme | tee", "must not contain |"),
    ("project_name", "x" * 65, "at most 64 characters"),
    ("project_name", "two\nlines", "one line"),
    ("project_name", "-leading-dash", "must start with a letter or digit"),
    ("project_name", "\u0410cme", "mixes Cyrillic and Latin letters (Cyrillic"),
    ("author_name", "Zo\u0435 Smith", "mixes Cyrillic and Latin letters"),
    ("project_slug", "Acme", "not a DNS-1123 label"),
    ("project_slug", "acme_platform", "not a DNS-1123 label"),
    ("project_slug", "acme-", "not a DNS-1123 label"),
    ("project_slug", "1acme", "not a DNS-1123 label"),
    ("project_slug", "ac/me", "not a DNS-1123 label"),
    ("project_slug", "..", "not a DNS-1123 label"),
    ("project_slug", "a" * 41, "at most 40 characters"),
    ("project_slug", "null", "boolean or null"),
    ("project_slug", "", "must not be empty"),
    ("description", "", "must not be empty"),
    ("description", "first\nsecond", "one line"),
    ("description", "d" * 201, "at most 200 characters"),
    ("organization", "-acme", "not a GitHub organization name"),
    ("organization", "acme_corp", "not a GitHub organization name"),
    ("organization", "a" * 40, "not a GitHub organization name"),
    ("owner_team", "Platform Team", "not a GitHub team slug"),
    ("owner_team", "@acme/platform", "not a GitHub team slug"),
    ("author_name", "", "must not be empty"),
    ("author_name", "Eve; rm -rf /", "must not contain"),
    ("author_email", "not-an-email", "not an email address"),
    ("author_email", "x y@acme.example", "not an email address"),
    ("author_email", "a@b", "not an email address"),
    ("python_version", "2.7", "Invalid choice"),
    ("license", "WTFPL", "Invalid choice"),
    ("cloud_provider", "azure", "Invalid choice"),
    ("aws_region", "mars-north-1x", "not an AWS region code"),
    ("aws_region", "US-EAST-1", "not an AWS region code"),
    ("default_branch", "feat..x", "not a usable branch name"),
    ("default_branch", "has space", "not a usable branch name"),
    ("default_branch", "$(whoami)", "not a usable branch name"),
    ("first_service", "auth", "reserved"),
    ("first_service", "Catalog", "not a DNS-1123 label"),
    ("first_service", "c" * 31, "at most 30 characters"),
    ("first_service", "../catalog", "not a DNS-1123 label"),
]


def _id(question: str, value: str) -> str:
    shown = value if len(value) <= 12 else value[:10] + "..."
    return f"{question}={shown!r}"


@pytest.mark.parametrize(
    ("question", "value", "expected"),
    [pytest.param(q, v, e, id=_id(q, v)) for q, v, e in BAD_ANSWERS],
)
def test_copier_refuses_bad_answer_before_writing(
    tmp_path: Path, question: str, value: str, expected: str
) -> None:
    """Plain `copier copy --data` refuses it too: the rule lives in the template."""
    dest = tmp_path / "repo"
    with pytest.raises(ValueError, match=f"'{question}'") as caught:
        copier.run_copy(
            str(TEMPLATE_ROOT),
            dest,
            data={question: value},
            defaults=True,
            unsafe=True,
            vcs_ref="HEAD",
            quiet=True,
        )
    assert expected in str(caught.value)
    assert not dest.exists(), "nothing may be written for a refused answer"


@pytest.mark.parametrize(
    "name",
    [
        pytest.param("Платформа", id="cyrillic-name"),
        pytest.param("Acme Платформа", id="latin-and-cyrillic-words"),
        pytest.param("東京", id="cjk-name"),
    ],
)
def test_name_with_letters_outside_ascii_needs_an_explicit_slug(tmp_path: Path, name: str) -> None:
    """The default slug would drop those letters; it is left empty so the slug question asks."""
    dest = tmp_path / "repo"
    result = CliRunner().invoke(
        app, ["new", str(dest), "--defaults", "--vcs-ref", "HEAD", "--set", f"project_name={name}"]
    )
    assert result.exit_code == 2, result.output
    assert "'project_slug'" in result.output
    assert "set project_slug yourself" in result.output
    assert not dest.exists()


CLI_BAD_INPUT = [
    pytest.param(["--set", "project_name=acme/x"], "project_name", id="bad-answer"),
    pytest.param(["--set", "colour=blue"], "unknown question 'colour'", id="unknown-question"),
    pytest.param(["--set", "no-equals-sign"], "is not KEY=VALUE", id="not-key-value"),
    pytest.param(["--with", "blockchain"], "unknown module", id="unknown-module"),
    pytest.param(["--preset", "everything"], "unknown preset", id="unknown-preset"),
    pytest.param(["--set", "gateway=maybe"], "gateway", id="switch-not-boolean"),
]


@pytest.mark.parametrize(("args", "message"), CLI_BAD_INPUT)
def test_cli_refuses_bad_input_with_one_line_and_hint(
    tmp_path: Path, args: list[str], message: str
) -> None:
    dest = tmp_path / "repo"
    result = CliRunner().invoke(app, ["new", str(dest), "--defaults", "--vcs-ref", "HEAD", *args])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines[0].startswith("error:"), result.output
    assert message in result.output
    assert any(line.startswith("hint:") for line in lines), result.output
    assert not dest.exists()


@pytest.mark.parametrize(
    ("existing", "message"),
    [
        pytest.param("file", "is a file", id="dest-is-file"),
        pytest.param("dir", "is not empty", id="dest-not-empty"),
        pytest.param("dangling-symlink", "which does not exist", id="dest-dangling-symlink"),
    ],
)
def test_cli_refuses_occupied_destination(tmp_path: Path, existing: str, message: str) -> None:
    dest = tmp_path / "repo"
    if existing == "file":
        dest.write_text("mine\n")
    elif existing == "dir":
        dest.mkdir()
        (dest / "notes.txt").write_text("mine\n")
    else:
        dest.symlink_to(tmp_path / "nowhere")
    result = CliRunner().invoke(app, ["new", str(dest), "--defaults", "--vcs-ref", "HEAD"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 2, result.output
    assert lines[0].startswith("error:")
    assert message in lines[0]
    assert lines[1].startswith("hint:")
    if existing == "dir":
        assert sorted(p.name for p in dest.iterdir()) == ["notes.txt"]
    elif existing == "file":
        assert dest.read_text() == "mine\n"
    else:
        assert dest.is_symlink()
        assert not (tmp_path / "nowhere").exists()


UNUSUAL_BUT_VALID = {
    "project_name": 'Café "Ünïcode" O\'Brien Platform',
    "project_slug": "cafe-unicode",
    "description": 'Handles "quoted" text, back\\slashes, colons: and # hashes — ✓',
    "author_name": "Zoë O'Neil",
}


def test_unusual_answers_render_into_valid_structured_files(render: Callable[..., Path]) -> None:
    repo = render(**UNUSUAL_BUT_VALID)
    answers = yaml.safe_load((repo / ANSWERS_FILE).read_text(encoding="utf-8"))
    for question, value in UNUSUAL_BUT_VALID.items():
        assert answers[question] == value, question
    assert parse_structured_files(repo)
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert UNUSUAL_BUT_VALID["project_name"] in readme
