"""Naming filters and answer validators: the one place for goldenpath's naming rules.

copier loads this file by path (see ``_jinja_extensions`` in copier.yml); the
tests import it the same way. Each ``*_error`` function returns an empty string
for a good answer and otherwise one sentence that says what is allowed, which
copier shows after "Validation error for question '<name>':".
"""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from jinja2 import Environment
from jinja2.ext import Extension

# Words a YAML 1.1 parser reads as booleans or null; refused as names because a
# name must mean the same string in every file format it is written into.
YAML_SPECIAL_WORDS = frozenset(
    {"y", "n", "yes", "no", "true", "false", "on", "off", "null", "none", "~"}
)

# Characters a shell, make or a path would interpret; never allowed in a name.
SHELL_METACHARACTERS = frozenset("$`;|&<>*?!{}[]#\\/%^=")

MAX_PROJECT_NAME = 64
MAX_SLUG = 40
MAX_SERVICE_NAME = 30
MAX_DESCRIPTION = 200
# Core and module service names: a domain service may not take one of them.
RESERVED_SERVICE_NAMES = frozenset(
    {"auth", "gateway", "inference", "edge-sync", "flagd", "libs", "shared", "docs", "api"}
)

_DNS_LABEL = re.compile(r"^[a-z]([a-z0-9-]*[a-z0-9])?$")
_GITHUB_ORG = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$")
_GITHUB_TEAM = re.compile(r"^[a-z0-9][a-z0-9_-]{0,99}$")
_EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_AWS_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-\d$")
_GIT_BRANCH = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$")
_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|[^A-Za-z0-9]+")


# --- converters -------------------------------------------------------------


def _ascii_words(value: str) -> list[str]:
    """Split a human name into ASCII words ("Café API v2" -> Cafe, API, v2)."""
    ascii_text = unicodedata.normalize("NFKD", str(value)).encode("ascii", "ignore").decode()
    return [word for word in _WORD_BOUNDARY.split(ascii_text) if word]


def kebab(value: str) -> str:
    """``"Acme Platform"`` -> ``"acme-platform"``."""
    return "-".join(word.lower() for word in _ascii_words(value))


def snake(value: str) -> str:
    """``"Acme Platform"`` -> ``"acme_platform"``."""
    return "_".join(word.lower() for word in _ascii_words(value))


def pascal(value: str) -> str:
    """``"acme-platform"`` -> ``"AcmePlatform"``."""
    return "".join(word[:1].upper() + word[1:] for word in _ascii_words(value))


def env_var(value: str) -> str:
    """``"acme-platform"`` -> ``"ACME_PLATFORM"`` (a valid environment variable name)."""
    name = snake(value).upper()
    return f"_{name}" if name[:1].isdigit() else name


def dns_label(value: str, max_length: int = 63) -> str:
    """A DNS-1123 label (Kubernetes names) that starts with a letter, cut to ``max_length``."""
    label = kebab(value).lstrip("0123456789-")
    return label[:max_length].rstrip("-")


def slug_default(value: str, max_length: int = MAX_SLUG) -> str:
    """The default project slug: :func:`dns_label` of the name, or ``""`` when that label
    would leave out one of the name's letters (a letter with no ASCII spelling, as in
    "Платформа", or a Cyrillic A, U+0410, hidden in "Acme"). An empty default makes the
    slug's validator ask for a slug instead of silently shortening the name."""
    folded = unicodedata.normalize("NFKD", str(value))
    if any(char.isalpha() and not char.isascii() for char in folded if not _is_mark(char)):
        return ""
    return dns_label(value, max_length)


def quoted(value: Any) -> str:
    """A double-quoted string literal that is valid JSON, YAML and TOML alike.

    Every answer that lands as a whole YAML scalar goes through this filter: unquoted,
    YAML would read the branch ``1.10`` as the number 1.1, ``0123`` as 83, ``on`` as
    true and ``null`` as nothing."""
    return json.dumps(str(value), ensure_ascii=False)


def _is_mark(char: str) -> bool:
    """A combining mark (the accent NFKD splits off "é"), which ASCII folding drops."""
    return unicodedata.category(char).startswith("M")


def _script(char: str) -> str:
    """The script of a letter as Unicode names it: LATIN, CYRILLIC, GREEK, CJK, ..."""
    return unicodedata.name(char, "UNKNOWN").split(" ")[0]


# Scripts with letters that look alike (Latin A, Cyrillic U+0410, Greek U+0391): a word that mixes
# them is a spoofing or copy-paste accident, never a name someone meant to type.
CONFUSABLE_SCRIPTS = frozenset({"LATIN", "CYRILLIC", "GREEK"})
_WORD = re.compile(r"\w+")


def mixed_script_error(value: str) -> str:
    """Name the first word that mixes Latin, Cyrillic or Greek letters, or return ``""``."""
    for word in _WORD.findall(str(value)):
        scripts: dict[str, list[str]] = {}
        for char in word:
            if char.isalpha() and (script := _script(char)) in CONFUSABLE_SCRIPTS:
                scripts.setdefault(script, []).append(char)
        if len(scripts) > 1:
            # The script with the fewest letters in the word is the odd one out.
            odd = min(scripts, key=lambda script: len(scripts[script]))
            letters = ", ".join(
                f"'{char}' (U+{ord(char):04X})" for char in dict.fromkeys(scripts[odd])
            )
            mixed = " and ".join(sorted(script.title() for script in scripts))
            return (
                f"'{word}' mixes {mixed} letters ({odd.title()} {letters}), "
                "which look alike but are different characters"
            )
    return ""


# --- validators ---------------------------------------------------------------


def _free_text_error(value: str, max_length: int) -> str:
    if not value.strip():
        return "must not be empty"
    if value != value.strip():
        return "must not start or end with spaces"
    if len(value) > max_length:
        return f"must be at most {max_length} characters (got {len(value)})"
    if any(unicodedata.category(char).startswith("C") for char in value):
        return "must be one line without control characters"
    return ""


def project_name_error(value: str) -> str:
    """A human-readable name: letters (any script), digits, spaces, quotes, ``-_.,()+'"``."""
    allowed = (
        "allowed: a name that starts with a letter or digit and uses letters, digits, "
        "spaces and - _ . , ( ) + ' \" (e.g. 'Acme Platform')"
    )
    if error := _free_text_error(value, MAX_PROJECT_NAME):
        return f"{error}; {allowed}"
    if ".." in value:
        return f"must not contain '..'; {allowed}"
    if bad := sorted({char for char in value if char in SHELL_METACHARACTERS or char == ":"}):
        return f"must not contain {' '.join(bad)}; {allowed}"
    if not value[0].isalnum():
        return f"must start with a letter or digit; {allowed}"
    if error := mixed_script_error(value):
        return f"{error}; {allowed}, each word in one script"
    if value.strip().lower() in YAML_SPECIAL_WORDS:
        return f"'{value}' reads as a boolean or null in YAML; {allowed}"
    return ""


def slug_error(value: str, max_length: int = MAX_SLUG) -> str:
    """A DNS-1123 label that starts with a letter, at most ``max_length`` characters."""
    allowed = (
        f"allowed: lowercase letters, digits and '-', starting with a letter, not ending "
        f"with '-', at most {max_length} characters (e.g. 'acme-platform')"
    )
    if not value:
        return (
            "must not be empty: no slug can be derived from a name with letters outside "
            f"a-z (after dropping accents), so set project_slug yourself; {allowed}"
        )
    if len(value) > max_length:
        return f"is {len(value)} characters long; {allowed}"
    if not _DNS_LABEL.match(value):
        return f"'{value}' is not a DNS-1123 label; {allowed}"
    if value in YAML_SPECIAL_WORDS:
        return f"'{value}' reads as a boolean or null in YAML; {allowed}"
    return ""


def service_name_error(value: str) -> str:
    """A service name: a short DNS label that is not a reserved platform name."""
    if error := slug_error(value, MAX_SERVICE_NAME):
        return error
    if value in RESERVED_SERVICE_NAMES:
        reserved = ", ".join(sorted(RESERVED_SERVICE_NAMES))
        return f"'{value}' is reserved for the platform (reserved: {reserved})"
    return ""


def description_error(value: str) -> str:
    """One line of free text (any script, quotes allowed), at most 200 characters."""
    if error := _free_text_error(value, MAX_DESCRIPTION):
        return f"{error}; allowed: one line of text, at most {MAX_DESCRIPTION} characters"
    return ""


def person_name_error(value: str) -> str:
    """A person or team name: free text like a project name."""
    return project_name_error(value).replace("(e.g. 'Acme Platform')", "(e.g. 'Ada Lovelace')")


def email_error(value: str) -> str:
    """A plain address such as ``platform@acme.example``."""
    if not _EMAIL.match(value):
        return f"'{value}' is not an email address; allowed: name@domain.tld, no spaces or quotes"
    return ""


def github_org_error(value: str) -> str:
    """A GitHub organization or user name."""
    if not _GITHUB_ORG.match(value):
        return (
            f"'{value}' is not a GitHub organization name; allowed: letters, digits and "
            "single hyphens, not starting or ending with '-', at most 39 characters"
        )
    return ""


def github_team_error(value: str) -> str:
    """A GitHub team slug (the part after ``@org/`` in CODEOWNERS)."""
    if not _GITHUB_TEAM.match(value):
        return (
            f"'{value}' is not a GitHub team slug; allowed: lowercase letters, digits, "
            "'-' and '_', starting with a letter or digit (e.g. 'platform-team')"
        )
    return ""


def aws_region_error(value: str) -> str:
    """An AWS region code such as ``eu-west-1``."""
    if not _AWS_REGION.match(value):
        return f"'{value}' is not an AWS region code; allowed: e.g. us-east-1, eu-west-1"
    return ""


# Local ports a service may take: above the privileged range, below the ephemeral one
# the operating system hands out to clients.
MIN_SERVICE_PORT = 1024
MAX_SERVICE_PORT = 32767


def port_error(value: Any) -> str:
    """A local service port, a whole number from 1024 to 32767."""
    allowed = f"allowed: a whole number from {MIN_SERVICE_PORT} to {MAX_SERVICE_PORT}"
    try:
        port = int(str(value))
    except ValueError:
        return f"'{value}' is not a port number; {allowed}"
    if not MIN_SERVICE_PORT <= port <= MAX_SERVICE_PORT:
        return f"{port} is out of range; {allowed}"
    return ""


def branch_error(value: str) -> str:
    """A git branch name without spaces, ``..`` or shell metacharacters."""
    allowed = "allowed: letters, digits, '.', '_', '-' and '/', e.g. 'main'"
    if not _GIT_BRANCH.match(value) or ".." in value or value.endswith(("/", ".lock", ".")):
        return f"'{value}' is not a usable branch name; {allowed}"
    return ""


FILTERS = {
    "kebab": kebab,
    "snake": snake,
    "pascal": pascal,
    "env_var": env_var,
    "dns_label": dns_label,
    "slug_default": slug_default,
    "quoted": quoted,
    "project_name_error": project_name_error,
    "slug_error": slug_error,
    "service_name_error": service_name_error,
    "description_error": description_error,
    "person_name_error": person_name_error,
    "email_error": email_error,
    "github_org_error": github_org_error,
    "github_team_error": github_team_error,
    "aws_region_error": aws_region_error,
    "branch_error": branch_error,
    "port_error": port_error,
}


class NamingExtension(Extension):
    """Registers the converters and validators above as Jinja filters."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.filters.update(FILTERS)
