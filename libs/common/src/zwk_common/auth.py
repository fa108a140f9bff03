"""Bearer JWT verification and the caller it yields; roles and what they may reach."""

from __future__ import annotations

import asyncio
import time
import uuid
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


class TokenVerifier:
    """Verifies bearer tokens: HS256 with the local secret, or an OIDC provider's JWKS."""

    def __init__(self, settings: ServiceSettings) -> None:
        self.settings = settings
        self._jwks = jwt.PyJWKClient(settings.oidc_jwks_url, cache_keys=True) if settings.oidc_jwks_url else None

    async def verify(self, token: str) -> Caller:
        try:
            if self._jwks is not None:
                # The key fetch is blocking I/O (cached after the first call).
                key = (await asyncio.to_thread(self._jwks.get_signing_key_from_jwt, token)).key
                claims = jwt.decode(
                    token,
                    key,
                    algorithms=["RS256", "ES256", "PS256"],
                    audience=self.settings.jwt_audience,
                    issuer=self.settings.jwt_issuer,
                )
            else:
                claims = jwt.decode(
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
        return caller_from_claims(claims, token)


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
