"""`skinlens-server` (and `python -m sync_server`): migrate, import, token create/revoke, serve."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from catalog_format import parse_catalog_file
from sync_server import auth, changes
from sync_server.config import ServerSettings
from sync_server.db import make_engine, make_sessions


def _settings(args: argparse.Namespace) -> ServerSettings:
    if args.database_url:
        os.environ["DATABASE_URL"] = args.database_url
    return ServerSettings()


def cmd_migrate(settings: ServerSettings, _args: argparse.Namespace) -> int:
    from sync_server.migrate import upgrade_to_head

    upgrade_to_head(settings.sqlalchemy_url)
    engine = make_engine(settings.sqlalchemy_url)
    with make_sessions(engine).begin() as session:
        changes.ensure_signed(session, settings.signer())
    engine.dispose()
    print("schema is at head; the current catalog state is signed")
    return 0


def cmd_import(settings: ServerSettings, args: argparse.Namespace) -> int:
    try:
        parsed = parse_catalog_file(args.file)
        signer = settings.signer()
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    engine = make_engine(settings.sqlalchemy_url)
    with make_sessions(engine).begin() as session:
        outcome = changes.import_rows(session, parsed.rows, signer, replace=args.replace, lines=parsed.lines)
    engine.dispose()
    for error in parsed.errors + outcome.errors:
        print(f"rejected {error}", file=sys.stderr)
    print(f"imported {outcome.upserted} products, {outcome.deleted} deleted, "
          f"{len(parsed.errors) + len(outcome.errors)} rejected; catalog seq {outcome.seq}")
    return 0


def cmd_token(settings: ServerSettings, args: argparse.Namespace) -> int:
    engine = make_engine(settings.sqlalchemy_url)
    try:
        with make_sessions(engine).begin() as session:
            if args.token_command == "create":
                print(auth.create_device_token(session, args.name))
                return 0
            if auth.revoke_device_token(session, args.name):
                print(f"token {args.name} revoked")
                return 0
            print(f"error: no token named {args.name}", file=sys.stderr)
            return 1
    finally:
        engine.dispose()


def cmd_serve(settings: ServerSettings, args: argparse.Namespace) -> int:
    import uvicorn

    from sync_server.app import configure_logging
    from sync_server.transport import GuardedHttpToolsProtocol

    configure_logging()
    # the transport closes slow or oversized request heads (sync_server.transport); idle keep-alive
    # connections close after 5 s; PROTOCOL.md (*Deployment*) lists the limits and a reverse proxy's equivalents
    options: dict[str, object] = {"host": args.host, "port": args.port, "log_config": None, "access_log": False,
                                  "http": GuardedHttpToolsProtocol, "timeout_keep_alive": 5}
    if args.workers > 1:
        uvicorn.run("sync_server.app:app_from_env", factory=True, workers=args.workers, **options)  # type: ignore[arg-type]
    else:
        from sync_server.app import create_app

        uvicorn.run(create_app(settings), **options)  # type: ignore[arg-type]
    return 0


def cmd_keygen(_settings: ServerSettings | None, args: argparse.Namespace) -> int:
    from pathlib import Path

    from sync_server.signing import generate_key

    try:
        signer = generate_key(Path(args.path))
    except FileExistsError:
        print(f"error: {args.path} exists; refusing to overwrite a signing key", file=sys.stderr)
        return 1
    print(f"private key written to {args.path} (keep it secret); the public key for clients:")
    print(signer.public_pem().decode(), end="")
    print(f"fingerprint: {signer.fingerprint()}")
    return 0


def cmd_key(settings: ServerSettings, _args: argparse.Namespace) -> int:
    """The public key clients pin, with the fingerprint `skinlens login` shows (compare them)."""
    signer = settings.signer()
    print(signer.public_pem().decode(), end="")
    print(f"fingerprint: {signer.fingerprint()}")
    return 0


def cmd_compact(settings: ServerSettings, args: argparse.Namespace) -> int:
    days = args.older_than if args.older_than is not None else settings.tombstone_retention_days
    engine = make_engine(settings.sqlalchemy_url)
    with make_sessions(engine).begin() as session:
        removed, horizon = changes.compact(session, days)
    engine.dispose()
    print(f"removed {removed} tombstones older than {days} days; clients behind seq {horizon} will refetch")
    return 0


def cmd_retailer(settings: ServerSettings, args: argparse.Namespace) -> int:
    from sqlalchemy import select

    from sync_server.models import Retailer

    engine = make_engine(settings.sqlalchemy_url)
    with make_sessions(engine).begin() as session:
        if args.retailer_command == "add":
            if "{url}" not in args.template:
                print("error: the template must contain {url}", file=sys.stderr)
                return 1
            session.merge(Retailer(host=args.host.lower(), name=args.name or args.host,
                                   affiliate_template=args.template))
            print(f"retailer {args.host} allowed")
        else:
            for r in session.scalars(select(Retailer).order_by(Retailer.host)):
                print(f"{r.host}\t{r.name}\t{r.affiliate_template}")
    engine.dispose()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="skinlens-server", description="SkinLens catalog sync server")
    parser.add_argument("--database-url", help="PostgreSQL URL (default: $DATABASE_URL)")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("migrate", help="bring the schema to head (Alembic)")
    p_import = sub.add_parser("import", help="upsert a catalog file (CSV or JSON Lines)")
    p_import.add_argument("file")
    p_import.add_argument("--replace", action="store_true", help="delete products not in the file")
    p_token = sub.add_parser("token", help="device tokens")
    token_sub = p_token.add_subparsers(dest="token_command", required=True)
    for name in ("create", "revoke"):
        token_sub.add_parser(name).add_argument("name")
    sub.add_parser("keygen", help="create an Ed25519 signing key").add_argument("path")
    sub.add_parser("key", help="print the public signing key and its fingerprint (what clients pin)")
    p_compact = sub.add_parser("compact", help="purge old tombstones (clients behind them refetch)")
    p_compact.add_argument("--older-than", type=int, metavar="DAYS")
    p_retailer = sub.add_parser("retailer", help="allowed retailers and their affiliate rules")
    retailer_sub = p_retailer.add_subparsers(dest="retailer_command", required=True)
    p_add = retailer_sub.add_parser("add")
    p_add.add_argument("host")
    p_add.add_argument("--template", default="{url}", help="affiliate link template with {url}")
    p_add.add_argument("--name")
    retailer_sub.add_parser("list")
    p_serve = sub.add_parser("serve", help="run the HTTP API")
    p_serve.add_argument("--host", default="127.0.0.1")
    p_serve.add_argument("--port", type=int, default=8000)
    p_serve.add_argument("--workers", type=int, default=1)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    args = build_parser().parse_args(argv)
    if args.command == "keygen":
        return cmd_keygen(None, args)
    try:
        settings = _settings(args)
    except ValidationError as exc:
        print(f"error: configuration refused: {exc.errors()[0]['msg']}", file=sys.stderr)
        return 2
    handler = {"migrate": cmd_migrate, "import": cmd_import, "token": cmd_token, "serve": cmd_serve,
               "compact": cmd_compact, "retailer": cmd_retailer, "key": cmd_key}
    try:
        return handler[args.command](settings, args)
    except Exception as exc:  # a database that is down or refuses us: one clear line, no traceback, no SQL
        from sqlalchemy.exc import DBAPIError, OperationalError

        if isinstance(exc, OperationalError):
            print(f"error: cannot reach the database: {str(exc.orig).splitlines()[0]}", file=sys.stderr)
            return 1
        if isinstance(exc, DBAPIError):
            print(f"error: the database refused the change: {str(exc.orig).splitlines()[0]}", file=sys.stderr)
            return 1
        if isinstance(exc, ValueError):  # e.g. a signing key that cannot be loaded
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise
