"""Webhooks the Standard Webhooks way: secrets, signatures, payloads, and where they may point."""

import asyncio
import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
import socket
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from benachrichtigung.config import Settings
from zwk_common.errors import BadInput

SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, message_id: str, timestamp: int, body: bytes) -> str:
    """The `webhook-signature` header: v1 and the base64 HMAC-SHA256 of "id.timestamp.body"."""
    key = base64.b64decode(secret.removeprefix(SECRET_PREFIX))
    signed = f"{message_id}.{timestamp}.".encode() + body
    return "v1," + base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest()).decode()


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    return {
        "content-type": "application/json",
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": sign(secret, message_id, timestamp, body),
        "user-agent": "ZWK-Benachrichtigung/1",
    }


def payload(event_type: str, at: datetime, data: dict[str, Any]) -> bytes:
    """The body of a call: `type`, `timestamp` and `data`, as Standard Webhooks suggests."""
    return json.dumps(
        {"type": event_type, "timestamp": at.isoformat(), "data": data}, ensure_ascii=False, separators=(",", ":")
    ).encode()


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


async def public_addresses(host: str) -> bool:
    """Whether every address `host` names is a public one (no loopback, private or link-local network)."""
    name = host.strip("[]").lower()
    if name == "localhost" or name.endswith(".localhost"):
        return False
    try:
        return _is_public(name)
    except ValueError:
        pass
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(name, None, type=socket.SOCK_STREAM)
    except OSError:
        return False
    return bool(infos) and all(_is_public(str(info[4][0])) for info in infos)


async def check_webhook_url(url: str, settings: Settings) -> str:
    """The URL as given if it is one webhooks may call, else BadInput (422)."""
    if len(url) > settings.webhook_url_max_length:
        raise BadInput(f"The URL is longer than {settings.webhook_url_max_length} characters.")
    try:
        parts = urlsplit(url)
        host = parts.hostname
        parts.port  # noqa: B018 - raises on a port that is not a number
    except ValueError as exc:
        raise BadInput("The URL cannot be read.") from exc
    if parts.scheme not in ("http", "https"):
        raise BadInput("A webhook URL must begin with http:// or https://.")
    if not host:
        raise BadInput("The URL names no host.")
    if parts.username is not None or parts.password is not None:
        raise BadInput("Put no credentials in the URL; the signature authenticates the call.")
    if settings.is_production and not await public_addresses(host):
        raise BadInput("A webhook URL must point at a public address, not a private, loopback or unknown one.")
    return url
