"""Relay connections over the services' pages (`{items, next_cursor, total_count}`).

A service gives one cursor per page; Relay wants one per edge. An edge cursor is
the service's cursor of the page it came from plus its position on that page, so
any edge can be resumed from. The last edge of a page carries the service's own
next cursor with position 0, so ordinary paging is always one service call.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass
from typing import Any

from gateway.errors import bad_input

MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class PageRequest:
    """A caller's `first`/`after` as the service page to fetch and where on it to begin."""

    first: int
    service_after: str | None
    offset: int

    @property
    def service_first(self) -> int:
        # A service page holds at most 100; resuming mid-page may then yield fewer than `first`.
        return max(1, min(MAX_PAGE_SIZE, self.offset + self.first))

    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"first": self.service_first}
        if self.service_after is not None:
            params["after"] = self.service_after
        return params

    @property
    def key(self) -> tuple[int, str | None]:
        return (self.service_first, self.service_after)


def check_page_size(first: int, argument: str = "first") -> int:
    if first < 0 or first > MAX_PAGE_SIZE:
        raise bad_input(
            f"`{argument}` must be between 0 and {MAX_PAGE_SIZE}; page through longer lists with `after`.",
            argument=argument,
            maximum=MAX_PAGE_SIZE,
        )
    return first


# A service's cursor is base64url: written into JSON as it is. Every edge of a page has a cursor,
# and `json.dumps` for each was a tenth of what a page of 100 cost the gateway outside execution.
_PLAIN_CURSOR = re.compile(r"[A-Za-z0-9_=-]*")


def encode_cursor(service_after: str | None, offset: int) -> str:
    if service_after is None:
        raw = f"[null,{int(offset)}]"
    elif _PLAIN_CURSOR.fullmatch(service_after):
        raw = f'["{service_after}",{int(offset)}]'
    else:
        raw = json.dumps([service_after, offset], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def page_request(first: int, after: str | None) -> PageRequest:
    check_page_size(first)
    if after is None:
        return PageRequest(first, None, 0)
    if len(after) > 1000:
        raise bad_input("The cursor `after` is not one this API gave out.", argument="after")
    try:
        values = json.loads(base64.urlsafe_b64decode(after + "=" * (-len(after) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
        raise bad_input("The cursor `after` is not one this API gave out.", argument="after") from exc
    if (
        not isinstance(values, list)
        or len(values) != 2
        or not isinstance(values[0], str | None)
        or not isinstance(values[1], int)
        or not 0 <= values[1] <= MAX_PAGE_SIZE
    ):
        raise bad_input("The cursor `after` is not one this API gave out.", argument="after")
    return PageRequest(first, values[0], values[1])


@dataclass(frozen=True)
class Slice:
    """The part of a service page that one connection shows, with its edge cursors."""

    items: list[tuple[str, dict[str, Any]]]
    has_next_page: bool
    end_cursor: str | None
    total_count: int


def slice_page(page: dict[str, Any], request: PageRequest) -> Slice:
    items: list[dict[str, Any]] = list(page.get("items") or [])
    next_cursor: str | None = page.get("next_cursor")
    shown = items[request.offset : request.offset + request.first]
    edges = []
    for index, item in enumerate(shown, start=request.offset):
        if index == len(items) - 1 and next_cursor is not None:
            cursor = encode_cursor(next_cursor, 0)
        else:
            cursor = encode_cursor(request.service_after, index + 1)
        edges.append((cursor, item))
    last = request.offset + len(shown)
    has_next = last < len(items) or next_cursor is not None
    total = page.get("total_count")
    if not isinstance(total, int):
        # A service that does not count: exact on the last page, a lower bound before it.
        total = len(items) + (1 if next_cursor is not None else 0)
    return Slice(edges, has_next, edges[-1][0] if edges else None, total)


def slice_offsets(items: list[dict[str, Any]], total: int, request: PageRequest) -> Slice:
    """A page of a list read from its start (the oldest n), where a cursor is just a position in it."""
    shown = items[request.offset : request.offset + request.first]
    edges = [(encode_cursor(None, index + 1), item) for index, item in enumerate(shown, start=request.offset)]
    total = max(total, len(items))
    return Slice(edges, request.offset + len(shown) < total, edges[-1][0] if edges else None, total)
