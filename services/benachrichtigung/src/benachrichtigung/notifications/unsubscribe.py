"""The signed link in every e-mail that stops e-mails of its kinds, without logging in."""

from typing import Any

import jwt

from benachrichtigung.config import Settings
from zwk_common.errors import BadInput

AUDIENCE = "zwk-unsubscribe"


def unsubscribe_token(settings: Settings, recipient_id: str, kinds: list[str]) -> str:
    # No expiry: a link in a months-old e-mail must still work; it can only ever switch e-mail off.
    return jwt.encode({"sub": recipient_id, "kinds": sorted(set(kinds)), "aud": AUDIENCE}, settings.jwt_secret)


def unsubscribe_url(settings: Settings, recipient_id: str, kinds: list[str]) -> str:
    return f"{settings.public_url.rstrip('/')}/unsubscribe?token={unsubscribe_token(settings, recipient_id, kinds)}"


def read_unsubscribe_token(settings: Settings, token: str) -> tuple[str, list[str]]:
    try:
        claims: dict[str, Any] = jwt.decode(token, settings.jwt_secret, algorithms=["HS256"], audience=AUDIENCE)
    except jwt.InvalidTokenError as exc:
        raise BadInput("This unsubscribe link is not valid.") from exc
    kinds = claims.get("kinds")
    if not isinstance(claims.get("sub"), str) or not isinstance(kinds, list):
        raise BadInput("This unsubscribe link is not valid.")
    return claims["sub"], [str(k) for k in kinds]
