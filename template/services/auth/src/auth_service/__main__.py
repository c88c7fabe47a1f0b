"""Command line: `python -m auth_service {serve,rotate-keys,revoke-key,new-client}`.

- `serve` runs the app with uvicorn on `HOST`:`PORT`, with the connection limits of
  its settings (`service_kit.server`).
- `rotate-keys` retires the active signing key and creates a new one (the first one, on
  a fresh key directory); prints the new key id.
- `revoke-key KID` removes a retired key from the JWKS at once (a leaked key).
- `new-client` draws a random secret for a new client and prints the `CLIENTS` entry.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from .settings import KEY_RETENTION, KeyStoreSettings


def _serve(_: argparse.Namespace) -> int:
    from service_kit.server import run  # noqa: PLC0415 - only this command needs the server

    from .settings import Settings  # noqa: PLC0415 - validated here, not for key commands

    # Validated here too, so a misconfiguration fails before uvicorn starts.
    settings = Settings()
    # The connection limits (header size and timeout, keep-alive, concurrency) come from
    # the settings; see service_kit.server.
    run("auth_service.app:create_app", settings, host=settings.host, port=settings.port)
    return 0


def _rotate_keys(_: argparse.Namespace) -> int:
    from .keys import KeyStore  # noqa: PLC0415

    settings = KeyStoreSettings()
    kid = KeyStore(settings.keys_dir, retention=KEY_RETENTION).rotate()
    sys.stdout.write(f"{kid}\n")
    return 0


def _revoke_key(args: argparse.Namespace) -> int:
    from .keys import KeyStore, KeyStoreError  # noqa: PLC0415

    settings = KeyStoreSettings()
    try:
        KeyStore(settings.keys_dir, retention=KEY_RETENTION).revoke(args.kid)
    except KeyStoreError as exc:
        sys.stderr.write(f"{exc}\n")
        return 1
    return 0


def _new_client(args: argparse.Namespace) -> int:
    from .clients import generate_secret, hash_secret  # noqa: PLC0415
    from .settings import ClientConfig  # noqa: PLC0415

    secret = generate_secret()
    try:
        client = ClientConfig(
            client_id=args.client_id,
            secret_sha256=hash_secret(secret),
            audiences=args.audience,
            scopes=args.scope,
        )
    except ValidationError as exc:
        sys.stderr.write(f"invalid client: {exc}\n")
        return 2
    # The secret goes to the client's own secret store; only the digest goes into CLIENTS.
    sys.stdout.write(f"client_secret: {secret}\n")
    sys.stdout.write(f"CLIENTS entry: {json.dumps(client.model_dump())}\n")
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m auth_service", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("serve", help="run the token service").set_defaults(run=_serve)
    commands.add_parser(
        "rotate-keys", help="retire the active signing key and create a new one"
    ).set_defaults(run=_rotate_keys)
    revoke_key = commands.add_parser("revoke-key", help="unpublish a retired key at once")
    revoke_key.add_argument("kid")
    revoke_key.set_defaults(run=_revoke_key)
    new_client = commands.add_parser("new-client", help="make a client id, secret and entry")
    new_client.add_argument("client_id")
    new_client.add_argument(
        "--audience", action="append", required=True, help="service it may call (repeatable)"
    )
    new_client.add_argument(
        "--scope", action="append", default=[], help="scope it may request (repeatable)"
    )
    new_client.set_defaults(run=_new_client)
    args = parser.parse_args(argv)
    status: int = args.run(args)
    return status


if __name__ == "__main__":
    sys.exit(main())
