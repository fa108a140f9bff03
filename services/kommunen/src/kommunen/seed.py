"""Seeding the known DWK and ZWK participants through the same rules as the REST register."""

from __future__ import annotations

import csv
import io
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine

from kommunen.municipalities import service
from kommunen.municipalities.repository import MunicipalityRepository
from kommunen.municipalities.schemas import MunicipalityCreate, MunicipalityKind
from zwk_common.auth import Caller, Role
from zwk_common.db import async_url, create_sessionmaker, transaction
from zwk_common.errors import Problem

log = logging.getLogger(__name__)

PARTICIPANTS_FILE = "programme-participants.csv"
SEEDER = Caller(subject="zwk-seed", role=Role.OFFICE, name="Geschäftsstelle (Erstbefüllung)")


@dataclass(frozen=True)
class SeedResult:
    registered: list[str]
    present: list[str]
    refused: dict[str, str]


def participants(text: str) -> Iterator[tuple[str, MunicipalityCreate]]:
    """The rows of the participants file as registrations: (row name, request)."""
    for row in csv.DictReader(io.StringIO(text.lstrip("\ufeff"))):
        kind = row["kind"].strip()
        keys = [key.strip() for key in row["key"].split(";") if key.strip()]
        body: dict[str, object] = {
            "name": row["name"].strip(),
            "kind": kind,
            "bundesland": row["bundesland"].strip() or None,
            "programmes": [p.strip() for p in row["programmes"].split(";") if p.strip()],
        }
        if kind == MunicipalityKind.VERBUND:
            body["member_keys"] = keys
        elif kind == MunicipalityKind.QUARTIER:
            # A quarter's row names its city by key; the row's name is the quarter's.
            body["member_keys"] = keys
            body["quarter"] = body.pop("name")
        else:
            body["ags"] = keys[0] if keys else None
        yield row["name"].strip(), MunicipalityCreate.model_validate(body)


async def _present(session: AsyncSession, data: MunicipalityCreate) -> bool:
    repository = MunicipalityRepository(session)
    if data.ags is not None:
        return await repository.get_by_ags(data.ags) is not None
    if data.kind is MunicipalityKind.QUARTIER and data.member_keys and data.quarter:
        return await repository.quarter_taken(data.member_keys[0], data.quarter)
    if data.kind is MunicipalityKind.VERBUND and data.name:
        return await repository.alliance_name_taken(data.name)
    return False


async def seed_from(database_url: str, text: str) -> SeedResult:
    """Register every participant not yet registered; one transaction each, so one bad row stops nothing."""
    engine = create_async_engine(async_url(database_url), pool_size=1, max_overflow=0)
    sessions = create_sessionmaker(engine)
    result = SeedResult([], [], {})
    try:
        rows = list(participants(text))
        for name, data in rows:
            try:
                async with transaction(sessions) as session:
                    if await _present(session, data):
                        result.present.append(name)
                        continue
                    await service.register_municipality(session, SEEDER, data)
                    result.registered.append(name)
            except Problem as problem:
                result.refused[name] = problem.detail
                log.warning("seed: %s refused: %s", name, problem.detail)
    finally:
        await engine.dispose()
    return result


async def seed_participants(database_url: str) -> None:
    """The known DWK and ZWK participants, shipped with the service; idempotent."""
    try:
        result = await seed_from(database_url, _shipped())
    except ValidationError as exc:
        raise ValueError(f"the participants file is malformed: {exc}") from exc
    log.info(
        "seed: %d participants registered, %d present, %d refused",
        len(result.registered),
        len(result.present),
        len(result.refused),
    )


def _shipped() -> str:
    return resources.files("kommunen.data").joinpath(PARTICIPANTS_FILE).read_text("utf-8")
