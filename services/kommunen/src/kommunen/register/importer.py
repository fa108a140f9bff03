"""Importing the shipped register: when the table is empty or holds another version, and on command."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import logging
import os
import time
from dataclasses import dataclass
from importlib import resources

import asyncpg

from kommunen.register.parsing import parse_register
from kommunen.register.repository import RegisterImport
from zwk_common.db import asyncpg_dsn
from zwk_common.settings import ServiceSettings

log = logging.getLogger(__name__)

GV_FILE = "destatis-gv-auszug-2019.csv"
ZENSUS_FILE = "zensus-2022-population.csv"
# Raised whenever the parsing changes, so that an installed register is re-read.
PARSER_VERSION = "1"


@dataclass(frozen=True)
class ImportResult:
    version: str
    units: int
    imported: bool
    seconds: float


def _read(name: str) -> bytes:
    return resources.files("kommunen.data").joinpath(name).read_bytes()


def shipped_version(gv: bytes, zensus: bytes) -> str:
    digest = hashlib.sha256()
    for part in (PARSER_VERSION.encode(), gv, zensus):
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()


async def load_register(database_url: str, *, force: bool = False) -> ImportResult:
    """Import the shipped register unless the database already holds this version (or `force`)."""
    started = time.monotonic()
    gv, zensus = _read(GV_FILE), _read(ZENSUS_FILE)
    version = shipped_version(gv, zensus)
    connection = await asyncpg.connect(asyncpg_dsn(database_url), timeout=10)
    try:
        async with connection.transaction():
            register = RegisterImport(connection)
            await register.lock()
            if not force and await register.imported_version() == version and await register.unit_count() > 0:
                return ImportResult(version, await register.unit_count(), False, time.monotonic() - started)
            units = parse_register(gv.decode("utf-8"), zensus.decode("utf-8"))
            await register.replace(units, version)
    finally:
        await connection.close()
    return ImportResult(version, len(units), True, time.monotonic() - started)


async def import_register(database_url: str) -> None:
    """The service's reference data: imports the register when it is empty or outdated."""
    result = await load_register(database_url)
    if result.imported:
        log.info("register: imported %d units in %.1fs", result.units, result.seconds)


def main(argv: list[str]) -> int:
    """`zwk import-register`: (re-)import the official register, idempotently."""
    parser = argparse.ArgumentParser(
        prog="zwk import-register", description="Import the official register of German municipalities."
    )
    parser.add_argument("--database-url", help="defaults to ZWK_DATABASE_URL")
    parser.add_argument(
        "--if-outdated", action="store_true", help="only import when the database holds another version"
    )
    args = parser.parse_args(argv)
    database_url = args.database_url or os.environ.get("ZWK_DATABASE_URL") or ServiceSettings().database_url
    result = asyncio.run(load_register(database_url, force=not args.if_outdated))
    if result.imported:
        print(f"zwk: imported {result.units} territorial units in {result.seconds:.1f}s ({result.version[:12]})")
    else:
        print(f"zwk: the register is current: {result.units} territorial units ({result.version[:12]})")
    return 0
