"""Looking up the official register: by key, and by name or key prefix for autocomplete."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from kommunen.keys import LEVEL_BY_LENGTH
from kommunen.register.parsing import search_name
from kommunen.register.repository import RegisterRepository
from kommunen.register.schemas import RegisterUnit, UnitLevel
from zwk_common.errors import BadInput, NotFound

KEY_LENGTHS = "2 (Land), 3 (Regierungsbezirk), 5 (Kreis), 8 (Gemeinde) or 9 (Gemeindeverband)"


def check_register_key(key: str, *, field: str = "key") -> None:
    """A key that cannot name a unit is bad input, with the reason."""
    if not key.isascii() or not key.isdigit():
        raise BadInput(f"The key {key!r} must consist of digits only.", field=field)
    if len(key) not in LEVEL_BY_LENGTH:
        raise BadInput(f"The key {key} has {len(key)} digits; a key has {KEY_LENGTHS} digits.", field=field)


async def get_unit(session: AsyncSession, key: str) -> RegisterUnit:
    check_register_key(key)
    row = await RegisterRepository(session).get(key)
    if row is None:
        raise NotFound(f"The key {key} is not in the official register.")
    return RegisterUnit.model_validate(row)


async def find_unit(session: AsyncSession, key: str) -> RegisterUnit | None:
    row = await RegisterRepository(session).get(key)
    return RegisterUnit.model_validate(row) if row is not None else None


async def get_units(session: AsyncSession, keys: Sequence[str]) -> dict[str, RegisterUnit]:
    rows = await RegisterRepository(session).get_many(keys)
    return {row["key"]: RegisterUnit.model_validate(row) for row in rows}


async def search_units(
    session: AsyncSession, prefix: str, *, levels: Sequence[UnitLevel] | None, limit: int
) -> list[RegisterUnit]:
    """Units whose name (or key, for digits) begins with `prefix`, the most populous first."""
    text = prefix.strip()
    if not text:
        raise BadInput("The prefix must not be empty.", field="prefix")
    repository = RegisterRepository(session)
    level_names = [level.value for level in levels] if levels else None
    if text.isascii() and text.isdigit():
        rows = await repository.search("key", text, levels=level_names, limit=limit)
    else:
        rows = await repository.search("search_name", search_name(text), levels=level_names, limit=limit)
    return [RegisterUnit.model_validate(row) for row in rows]
