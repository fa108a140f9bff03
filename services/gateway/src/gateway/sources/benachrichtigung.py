"""benachrichtigung: the caller's own inbox."""

from __future__ import annotations

from typing import Any

from gateway.pagination import PageRequest
from gateway.sources import Call, seg

SERVICE = "benachrichtigung"


class Benachrichtigung:
    def __init__(self, call: Call) -> None:
        self._call = call

    async def inbox(self, unread_only: bool, page: PageRequest) -> dict[str, Any]:
        # The service knows whose inbox from the token: the gateway never names a recipient.
        params = {"unread": str(unread_only).lower(), **page.params()}
        answer: dict[str, Any] = await self._call(SERVICE, "GET", "/inbox", params=params)
        return answer

    async def mark_read(self, notification_id: str) -> dict[str, Any]:
        answer: dict[str, Any] = await self._call(SERVICE, "POST", f"/inbox/{seg(notification_id)}/read")
        return answer

    async def unread_count(self) -> int:
        answer = await self._call(SERVICE, "GET", "/inbox/unread-count")
        return int(answer["unread"])

    async def mark_all_read(self) -> int:
        answer = await self._call(SERVICE, "POST", "/inbox/read-all")
        return int(answer["marked"])

    async def preferences(self) -> list[dict[str, Any]]:
        answer: list[dict[str, Any]] = await self._call(SERVICE, "GET", "/preferences")
        return answer

    async def set_preference(self, kind: str, channel: str, frequency: str) -> dict[str, Any]:
        answer: dict[str, Any] = await self._call(
            SERVICE, "PUT", f"/preferences/{seg(kind)}", json={"channel": channel, "frequency": frequency}
        )
        return answer
