"""Bearer JWT verification and the caller it yields; roles and what they may reach."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import jwt
from fastapi import Depends, Request

from zwk_common.errors import Forbidden, Unauthenticated
from zwk_common.roles import Role
from zwk_common.settings import ServiceSettings


@dataclass(frozen=True)
class Caller:
    """Who is calling: from a verified token, never from the request body."""

    subject: str
    role: Role
    name: str | None = None
    email: str | None = None
    municipality_id: str | None = None
    municipality_ids: frozenset[str] = field(default_factory=frozenset)
    token: str | None = field(default=None, repr=False, compare=False)

    @property
    def is_office(self) -> bool:
        return self.role is Role.OFFICE

    def assigned(self) -> frozenset[str] | None:
        """The municipalities this caller acts for; None means all (the office)."""
        if self.role is Role.OFFICE:
            return None
        if self.role is Role.MUNICIPALITY:
            return frozenset({self.municipality_id}) if self.municipality_id else frozenset()
        if self.role is Role.ADVISER:
            return self.municipality_ids
        return frozenset()

    def may_act_for(self, municipality_id: str) -> bool:
        """May change this municipality's own records."""
        scope = self.assigned()
        return scope is None or str(municipality_id) in scope

    def may_read_private(self, municipality_id: str) -> bool:
        """May read what only the municipality and its helpers see (contacts, inbox)."""
        return self.may_act_for(municipality_id)

    def require_role(self, *roles: Role) -> None:
        if self.role not in roles:
            raise Forbidden(
                f"This needs the role {' or '.join(r.value for r in roles)}; the caller is {self.role.value}."
            )

    def require_act_for(self, municipality_id: str) -> None:
        if not self.may_act_for(municipality_id):
            raise Forbidden("The caller may not act for this municipality.")

    def require_writer(self) -> None:
        if self.role is Role.READER:
            raise Forbidden("A reader token is read-only.")


# Tokens already verified, by their whole text. Checking a signature costs a gateway request about
# a fourteenth of its CPU, and every service the request reaches checks the same token again; a
# dashboard or an integration sends one token with every request. Only tokens that passed are kept,
# so a caller cannot fill the cache with forgeries. An entry lasts until the token expires, and
# never longer than VERIFIED_FOR seconds: a key the identity provider withdraws stops being
# accepted within that time.
VERIFIED_TOKENS = 1024
VERIFIED_FOR = 300.0


@dataclass(frozen=True)
class _Verified:
    caller: Caller
    expires: float | None
    recheck: float


class TokenVerifier:
    """Verifies bearer tokens: HS256 with the local secret, or an OIDC provider's JWKS."""

    def __init__(self, settings: ServiceSettings, *, clock: Callable[[], float] = time.time) -> None:
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.oidc_jwks_url, cache_keys=True) if settings.oidc_jwks_url else None
        self._clock = clock
        self._verified: OrderedDict[str, _Verified] = OrderedDict()

    async def verify(self, token: str) -> Caller:
        now = self._clock()
        known = self._verified.get(token)
        if known is not None:
            if known.expires is not None and now >= known.expires:
                del self._verified[token]
                raise Unauthenticated("The token has expired.")
            if now < known.recheck:
                self._verified.move_to_end(token)
                return known.caller
            del self._verified[token]
        claims = await self._decode(token)
        caller = caller_from_claims(claims, token)
        expires = claims.get("exp")
        self._verified[token] = _Verified(
            caller, float(expires) if isinstance(expires, int | float) else None, now + VERIFIED_FOR
        )
        if len(self._verified) > VERIFIED_TOKENS:
            self._verified.popitem(last=False)
        return caller

    async def _decode(self, token: str) -> dict[str, Any]:
        try:
            if self._jwks is not None:
                # The key fetch is blocking I/O (cached after the first call).
                key = (await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)).key
                return jwt.decode(
                    token,
                    key,
                    algorithms=["RS256", "ES256", "PS256"],
                    audience=self.settings.jwt_audience,
                    issuer=self.settings.jwt_issuer,
                )
            return jwt.decode(
                token,
                self.settings.jwt_secret,
                algorithms=["HS256"],
                audience=self.settings.jwt_audience,
                issuer=self.settings.jwt_issuer,
            )
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("The token has expired.") from exc
        except (jwt.InvalidTokenError, jwt.PyJWKClientError) as exc:
            raise Unauthenticated("The token is not valid.") from exc


def caller_from_claims(claims: dict[str, Any], token: str | None = None) -> Caller:
    try:
        role = Role(str(claims.get("role")))
    except ValueError as exc:
        raise Unauthenticated("The token names no known role.") from exc
    municipality_id = claims.get("municipality_id")
    if role is Role.MUNICIPALITY and not municipality_id:
        raise Unauthenticated("A municipality token needs the claim municipality_id.")
    ids = claims.get("municipality_ids") or []
    if not isinstance(ids, list):
        raise Unauthenticated("The claim municipality_ids must be a list.")
    return Caller(
        subject=str(claims.get("sub", "")),
        role=role,
        name=claims.get("name"),
        email=claims.get("email"),
        municipality_id=str(municipality_id) if municipality_id else None,
        municipality_ids=frozenset(str(i) for i in ids),
        token=token,
    )


def mint_token(
    settings: ServiceSettings,
    *,
    role: Role | str,
    subject: str | None = None,
    name: str | None = None,
    email: str | None = None,
    municipality_id: str | None = None,
    municipality_ids: list[str] | None = None,
    ttl_seconds: int = 12 * 3600,
) -> str:
    """A token signed with the local secret, for development and tests."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "sub": subject or str(uuid.uuid4()),
        "role": Role(role).value,
        "iss": settings.jwt_issuer,
        "aud": settings.jwt_audience,
        "iat": now,
        "exp": now + ttl_seconds,
    }
    if name:
        claims["name"] = name
    if email:
        claims["email"] = email
    if municipality_id:
        claims["municipality_id"] = str(municipality_id)
    if municipality_ids:
        claims["municipality_ids"] = [str(i) for i in municipality_ids]
    return jwt.encode(claims, settings.jwt_secret, algorithm="HS256")


async def current_caller(request: Request) -> Caller:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("Send a bearer token in the Authorization header.")
    verifier: TokenVerifier = request.app.state.runtime.verifier
    return await verifier.verify(token.strip())


CallerDep = Annotated[Caller, Depends(current_caller)]
