"""Cursors over (created_at, id), the order of most lists in the forum."""

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from uuid import UUID

from zwk_common.errors import BadInput
from zwk_common.pagination import decode_cursor, encode_cursor


def after_created(cursor: str | None) -> tuple[datetime, UUID] | None:
    if cursor is None:
        return None
    created_at, entry_id = decode_cursor(cursor, 2)
    try:
        return datetime.fromisoformat(str(created_at)), UUID(str(entry_id))
    except ValueError as exc:
        raise BadInput("The cursor `after` is not one this service gave out.") from exc


def next_created(rows: Sequence[Mapping[Any, Any]], first: int) -> str | None:
    """The cursor after the page, if more rows came than the page holds (the query asks for one more)."""
    if len(rows) <= first:
        return None
    last = rows[first - 1]
    return encode_cursor(last["created_at"].isoformat(), str(last["id"]))
