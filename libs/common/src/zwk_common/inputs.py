"""What PostgreSQL cannot store is refused at the door: NUL (U+0000) anywhere in a request.

asyncpg rejects the whole statement when a text holds NUL, which each service would answer
with a 500 for what is the caller's mistake. Every other character stays a matter of the
service's own validation.
"""

from __future__ import annotations

import re
from urllib.parse import unquote_to_bytes

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zwk_common.errors import BadInput, problem_response

# JSON spells NUL `\u0000`; after an even run of backslashes it is an escaped backslash and text.
_JSON_NUL = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
NUL_DETAIL = "Text must not contain the NUL character (U+0000)."


class NulGuard:
    """Answers 422 to a request whose path, query or body holds NUL, before any service code runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if "\x00" in scope.get("path", "") or b"\x00" in unquote_to_bytes(scope.get("query_string", b"")):
            await self._refuse(scope, receive, send)
            return
        if scope["method"] not in ("POST", "PUT", "PATCH"):
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request" or not message.get("more_body", False):
                break
        body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
        if b"\x00" in body or _JSON_NUL.search(body):
            await self._refuse(scope, receive, send)
            return

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send) -> None:
        problem = BadInput(NUL_DETAIL)
        await problem_response(problem.body(scope.get("path")))(scope, receive, send)
