"""The `zwk` command: run the whole system, mint development tokens, migrate, see how it runs."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from zwk_common.embedded import EmbeddedNats, EmbeddedPostgres, free_port
from zwk_common.registry import ServiceSpec, discover, load_command
from zwk_common.roles import Role
from zwk_common.settings import ServiceSettings

# FastAPI, Alembic and the operations' clients are imported where they are used: `zwk up`
# starts the services while the rest of it is still being imported.

DATABASE = "zwk"


def _home() -> Path:
    return Path(os.environ.get("ZWK_HOME", ".zwk")).resolve()


def _say(message: str) -> None:
    print(f"zwk: {message}", flush=True)


async def _ensure_database(server_url: str, name: str) -> str:
    import asyncpg
    from sqlalchemy.engine import make_url

    from zwk_common.db import asyncpg_dsn

    connection = await asyncpg.connect(asyncpg_dsn(server_url))
    try:
        exists = await connection.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name)
        if not exists:
            await connection.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
    finally:
        await connection.close()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def migrate_all(database_url: str, specs: list[ServiceSpec]) -> None:
    """Migrate every service's schema, then load its reference data (both idempotent)."""
    from zwk_common.migrations import upgrade

    for spec in specs:
        if spec.migrations is not None:
            upgrade(spec.migrations, database_url)
    for spec in specs:
        load = spec.load_reference_data()
        if load is not None:
            _say(f"loading reference data of {spec.name}")
            asyncio.run(load(database_url))


def _wait_ready(
    specs: list[ServiceSpec], ports: dict[str, int], processes: dict[str, subprocess.Popen[bytes]], timeout: float = 90
) -> None:
    deadline = time.monotonic() + timeout
    waiting = {spec.name for spec in specs}
    with httpx.Client(timeout=2) as client:
        while waiting and time.monotonic() < deadline:
            for name in sorted(waiting):
                if processes[name].poll() is not None:
                    raise RuntimeError(f"{name} exited at start; see {_home() / 'logs' / (name + '.log')}")
                try:
                    if client.get(f"http://127.0.0.1:{ports[name]}/readyz").status_code == 200:
                        waiting.discard(name)
                except httpx.HTTPError:
                    pass
            time.sleep(0.2)
    if waiting:
        raise TimeoutError(f"not ready after {timeout:.0f}s: {', '.join(sorted(waiting))}")


def up(args: argparse.Namespace) -> int:
    """Start PostgreSQL and NATS (unless named), migrate, prepare, start every service; stop all on Ctrl-C."""
    home = _home()
    (home / "logs").mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    postgres: EmbeddedPostgres | None = None
    nats_server: EmbeddedNats | None = None
    processes: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def request_stop(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, request_stop)
    # The services start first and import themselves (seconds each) while the servers start and
    # the schemas migrate; they begin to serve once `go` names their servers.
    go = home / "run" / "go.json"
    go.parent.mkdir(parents=True, exist_ok=True)
    go.unlink(missing_ok=True)
    try:
        specs = discover()
        ports = {spec.name: free_port(spec.port) for spec in specs}
        for spec in specs:
            log = open(home / "logs" / f"{spec.name}.log", "ab")  # noqa: SIM115
            processes[spec.name] = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "zwk_common.serve",
                    spec.name,
                    "--port",
                    str(ports[spec.name]),
                    "--wait-for",
                    str(go),
                ],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        database_url = os.environ.get("ZWK_DATABASE_URL")
        if not database_url:
            postgres = EmbeddedPostgres(home / "pgdata", port=free_port(55432))
            _say(f"starting PostgreSQL on 127.0.0.1:{postgres.port}")
            server_url = postgres.start()
            database_url = asyncio.run(_ensure_database(server_url, DATABASE))
        nats_url = os.environ.get("ZWK_NATS_URL")
        if not nats_url:
            nats_server = EmbeddedNats(home / "jetstream", port=free_port(54222))
            _say(f"starting NATS JetStream on 127.0.0.1:{nats_server.port}")
            nats_url = nats_server.start()
        env = {
            "ZWK_DATABASE_URL": database_url,
            "ZWK_NATS_URL": nats_url,
            **{f"ZWK_URL_{name.upper()}": f"http://127.0.0.1:{port}" for name, port in ports.items()},
        }
        os.environ.update(env)
        _say("migrating " + ", ".join(s.name for s in specs if s.migrations))
        migrate_all(database_url, specs)
        for spec in specs:
            prepare = spec.load_prepare()
            if prepare is not None and not args.no_prepare:
                _say(f"preparing {spec.name}")
                asyncio.run(prepare(database_url))
        # Written whole, then renamed: a service never reads half of it.
        ready_to_go = go.with_suffix(".tmp")
        ready_to_go.write_text(json.dumps(env))
        ready_to_go.replace(go)
        _wait_ready(specs, ports, processes)
        from zwk_common.auth import mint_token

        settings = ServiceSettings()
        token = mint_token(settings, role=Role.OFFICE, subject="dev-office", name="Geschäftsstelle (Entwicklung)")
        gateway = ports.get("gateway")
        _say(f"ready in {time.monotonic() - started:.1f}s")
        for spec in specs:
            _say(f"  {spec.name:<18} http://127.0.0.1:{ports[spec.name]}/docs")
        if gateway:
            _say(f"GraphiQL:  http://127.0.0.1:{gateway}/graphql")
        _say(f"dev token (office): {token}")
        _say("logs in " + str(home / "logs") + "; Ctrl-C stops everything")
        if args.ready_file:
            Path(args.ready_file).write_text(token)
        while not stopping:
            for name, process in processes.items():
                if process.poll() is not None:
                    _say(f"{name} exited with {process.returncode}; stopping")
                    stopping = True
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        _say("stopping")
        for process in processes.values():
            if process.poll() is None:
                process.terminate()
        for process in processes.values():
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                process.kill()
        if nats_server is not None:
            nats_server.stop()
        if postgres is not None:
            postgres.stop()
        _say("stopped")
    return 0


def token(args: argparse.Namespace) -> int:
    from zwk_common.auth import mint_token

    settings = ServiceSettings()
    if args.role == "municipality" and not args.municipality:
        print("zwk token: --role municipality needs --municipality ID", file=sys.stderr)
        return 2
    print(
        mint_token(
            settings,
            role=args.role,
            subject=args.subject,
            name=args.name,
            email=args.email,
            municipality_id=args.municipality if args.role == "municipality" else None,
            municipality_ids=args.municipality if args.role == "adviser" else None,
            ttl_seconds=args.hours * 3600,
        )
    )
    return 0


def migrate(args: argparse.Namespace) -> int:
    from zwk_common.registry import find

    database_url = os.environ.get("ZWK_DATABASE_URL") or ServiceSettings().database_url
    if args.service is None:
        if args.down_to is not None:
            # Going back is one service at a time: each schema is its own, as each release of a service is.
            print("zwk: --down-to takes one service back; name it with --service", file=sys.stderr)
            return 2
        migrate_all(database_url, discover())
        return 0
    spec = find(args.service)
    if spec is None or spec.migrations is None:
        named = ", ".join(s.name for s in discover() if s.migrations is not None)
        print(f"zwk: no migrations of {args.service!r}; services with migrations: {named}", file=sys.stderr)
        return 2
    if args.down_to is None:
        migrate_all(database_url, [spec])
        return 0
    from zwk_common.migrations import downgrade

    downgrade(spec.migrations, database_url, args.down_to)
    _say(f"{spec.name}'s schema is back at revision {args.down_to}")
    return 0


def asyncapi(args: argparse.Namespace) -> int:
    from zwk_common.asyncapi import build

    document = build(discover(), subject_root=ServiceSettings().event_subject_root)
    print(json.dumps(document, indent=2, ensure_ascii=False))
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # Commands with sub-commands and options of their own parse their arguments themselves.
    if argv and argv[0] in ("status", "dead-letters"):
        from zwk_common.operations import dead_letters_command, status_command

        operations = {"status": status_command, "dead-letters": dead_letters_command}
        return operations[argv[0]](argv[1:])
    extra = {name: path for spec in discover() for name, path in spec.commands.items()}
    if argv and argv[0] in extra:
        return load_command(extra[argv[0]])(argv[1:]) or 0

    parser = argparse.ArgumentParser(prog="zwk", description="Run and operate the ZWK platform.")
    commands = parser.add_subparsers(dest="command", required=True)
    p_up = commands.add_parser("up", help="start the whole system (Ctrl-C stops it)")
    p_up.add_argument("--no-prepare", action="store_true", help="skip imports and seeds")
    p_up.add_argument("--ready-file", help="write the office token here once everything is ready")
    p_up.set_defaults(run=up)
    p_token = commands.add_parser("token", help="print a development token")
    p_token.add_argument("--role", choices=[r.value for r in Role], default="office")
    p_token.add_argument("--municipality", action="append", help="municipality id (repeat for an adviser)")
    p_token.add_argument("--subject")
    p_token.add_argument("--name")
    p_token.add_argument("--email")
    p_token.add_argument("--hours", type=int, default=12)
    p_token.set_defaults(run=token)
    p_migrate = commands.add_parser("migrate", help="migrate every service's schema and load its reference data")
    p_migrate.add_argument("--service", help="only this service's schema")
    p_migrate.add_argument(
        "--down-to", metavar="REVISION", help="take one service's schema back to REVISION ('base': nothing)"
    )
    p_migrate.set_defaults(run=migrate)
    p_asyncapi = commands.add_parser("asyncapi", help="print the event catalogue (AsyncAPI 3, JSON)")
    p_asyncapi.set_defaults(run=asyncapi)
    commands.add_parser("status", help="each service's health, outbox backlog, consumer lag and dead letters")
    commands.add_parser("dead-letters", help="list dead letters, or replay them once the cause is fixed")
    for name in extra:
        commands.add_parser(name, help="(provided by a service)")
    args = parser.parse_args(argv)
    if args.command == "token" and args.municipality and args.role == "municipality":
        args.municipality = args.municipality[0]
    return int(args.run(args))


if __name__ == "__main__":
    raise SystemExit(main())
