"""Where flags come from, read from environment variables."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

FLAGS_FILE = Path("config/flags/flags.json")
RPC_PORT = 8013
SYNC_PORT = 8015


class Resolver(StrEnum):
    """`file` reads the flag file in the process (development, tests); `in-process`
    syncs the flag definitions from flagd and evaluates locally; `rpc` asks flagd."""

    FILE = "file"
    IN_PROCESS = "in-process"
    RPC = "rpc"


class FlagSettings(BaseSettings):
    """`FLAGS_RESOLVER`, `FLAGS_FILE`, `FLAGD_HOST`, `FLAGD_PORT`.

    `FLAGS_FILE` defaults to `config/flags/flags.json` in the nearest directory above
    the working directory that has one, so tests and `make dev` find the repository's
    file from any service directory. `FLAGD_PORT` defaults to flagd's port for the
    resolver: 8013 for evaluations (rpc), 8015 for the sync stream (in-process).
    """

    model_config = SettingsConfigDict(extra="ignore")

    flags_resolver: Resolver = Resolver.FILE
    flags_file: Path | None = None
    flagd_host: str = "localhost"
    flagd_port: int | None = None

    def flag_file(self) -> Path:
        if self.flags_file is not None:
            return self.flags_file
        return find_flag_file(Path.cwd())

    def port(self) -> int:
        if self.flagd_port is not None:
            return self.flagd_port
        return SYNC_PORT if self.flags_resolver is Resolver.IN_PROCESS else RPC_PORT


def find_flag_file(start: Path) -> Path:
    for directory in (start, *start.parents):
        candidate = directory / FLAGS_FILE
        if candidate.is_file():
            return candidate
    msg = f"no {FLAGS_FILE} in {start} or above it; set FLAGS_FILE"
    raise FileNotFoundError(msg)
