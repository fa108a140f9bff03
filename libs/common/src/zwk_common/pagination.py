"""Opaque cursors and pages, the same in every service's lists."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query
from pydantic import BaseModel

from zwk_common.errors import BadInput

MAX_PAGE_SIZE = 100
T = TypeVar("T")


def encode_cursor(*values: Any) -> str:
    """An opaque cursor of the sort key of the last item on a page."""
    raw = json.dumps(list(values), separators=(",", ":"), default=str).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, arity: int) -> list[Any]:
    """The values of a cursor; a cursor that was not made here is bad input."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise BadInput("The cursor `after` is not one this service gave out.") from exc
    if not isinstance(values, list) or len(values) != arity:
        raise BadInput("The cursor `after` is not one this service gave out.")
    return values


class PageParams(BaseModel):
    first: int
    after: str | None


# Dependencies are `async def` although they never wait: FastAPI runs a plain `def` dependency
# in its thread pool, a hand-over to another thread and back on every request.
async def _page_params(
    first: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="page size, at most 100")] = 20,
    after: Annotated[str | None, Query(max_length=500, description="cursor of the previous page")] = None,
) -> PageParams:
    return PageParams(first=first, after=after)


PageDep = Annotated[PageParams, Depends(_page_params)]


class Page(BaseModel, Generic[T]):
    """One page of a list; `next_cursor` is null on the last page."""

    items: list[T]
    next_cursor: str | None = None
    total_count: int | None = None


def page_json(records: list[str], next_cursor: str | None, total_count: int | None) -> str:
    """A `Page` in JSON around records that are JSON already (written by PostgreSQL)."""
    return (
        '{"items":['
        + ",".join(records)
        + '],"next_cursor":'
        + json.dumps(next_cursor)
        + ',"total_count":'
        + json.dumps(total_count)
        + "}"
    )
