"""`python -m zwk_common.serve NAME --port P`: run one service under uvicorn.

`--fd N` serves on a listening socket the parent bound and handed down instead:
a port picked first and bound only later, once the service has started, can be
taken by someone else in between (tests start many services side by side).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import socket
import time
from pathlib import Path

import uvicorn
from uvicorn.importer import import_from_string

from zwk_common.registry import discover, find

# How long a service keeps an idle keep-alive connection. Longer than its callers keep one
# (the gateway's pool: 15 s), so that the caller always closes first: a connection the service
# closed while the caller reused it fails the request (uvicorn's default is 5 s, aiohttp's 15 s), and
# the gateway opened new connections for 2 % of its CPU under the pipeline.
KEEP_ALIVE_SECONDS = 20


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="zwk-serve")
    parser.add_argument("service")
    parser.add_argument("--port", type=int)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--fd", type=int, help="serve on this inherited listening socket")
    parser.add_argument(
        "--wait-for",
        type=Path,
        help="import the service, then wait until this JSON file exists and serve with its variables set",
    )
    args = parser.parse_args(argv)
    # Only the service itself is imported: a process starts faster without the others.
    spec = find(args.service)
    if spec is None:
        parser.error(f"unknown service {args.service!r}; installed: {', '.join(s.name for s in discover())}")
    factory = import_from_string(spec.app)
    if args.wait_for is not None:
        # `zwk up` starts the services while it starts the servers: importing is most of a start.
        while not args.wait_for.exists():
            time.sleep(0.05)
        os.environ.update(json.loads(args.wait_for.read_text()))
    app = factory()
    # What the service holds for its whole life (modules, the GraphQL schema, settings) is set
    # apart from the collector: a full collection then walks only the objects of requests in
    # flight. Measured on the gateway's dashboard query: p95 163 ms before, 51 ms after; larger
    # thresholds only made the rarer collections longer (benchmarks/README.md).
    gc.freeze()
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port or spec.port,
        log_level="warning",
        access_log=False,
        timeout_graceful_shutdown=10,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
    )
    server = uvicorn.Server(config)
    if args.fd is None:
        server.run()
    else:
        server.run(sockets=[socket.socket(fileno=args.fd)])


if __name__ == "__main__":
    main()
