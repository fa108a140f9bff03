import time

import jwt
import pytest
from pydantic import ValidationError

from zwk_common import auth
from zwk_common.auth import Role, TokenVerifier, mint_token
from zwk_common.errors import BadInput, Forbidden, Unauthenticated
from zwk_common.events import Envelope, EventPayload
from zwk_common.pagination import decode_cursor, encode_cursor
from zwk_common.settings import DEVELOPMENT_JWT_SECRET, Environment, ServiceSettings


def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(ValidationError, match="production needs"):
        ServiceSettings(environment=Environment.PRODUCTION, jwt_secret=DEVELOPMENT_JWT_SECRET)


def test_production_accepts_an_oidc_provider() -> None:
    settings = ServiceSettings(environment=Environment.PRODUCTION, oidc_jwks_url="https://id.example/jwks")
    assert settings.is_production


def test_shared_settings_come_from_zwk_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZWK_NATS_URL", "nats://10.0.0.1:4222")
    assert ServiceSettings().nats_url == "nats://10.0.0.1:4222"


def test_event_subjects_live_under_the_installation_root() -> None:
    settings = ServiceSettings(event_subject_root="zwkt1")
    assert settings.subject_for("zwk.kommunen.municipality.registered") == "zwkt1.kommunen.municipality.registered"


class StageCompleted(EventPayload):
    event_type = "zwk.prozess.stage.completed"
    version = 2
    municipality_id: str
    stage: str

    def ordering_key(self) -> str:
        return self.municipality_id


def test_envelope_carries_cloudevents_attributes_and_the_ordering_key() -> None:
    envelope = Envelope.wrap(
        StageCompleted(municipality_id="m-1", stage="KICK_OFF"),
        source="/zwk/prozess",
        traceparent="00-" + "a" * 32 + "-" + "b" * 16 + "-01",
    )
    again = Envelope.from_bytes(envelope.to_bytes())
    assert again.specversion == "1.0"
    assert again.type == "zwk.prozess.stage.completed"
    assert again.subject == "m-1"
    assert again.dataversion == 2
    assert again.traceparent and again.traceparent.startswith("00-aaaa")
    assert again.data == {"municipality_id": "m-1", "stage": "KICK_OFF"}
    assert again.id == envelope.id


def test_cursor_round_trips_and_a_forged_cursor_is_bad_input() -> None:
    cursor = encode_cursor("Dortmund", "b094ca14")
    assert decode_cursor(cursor, 2) == ["Dortmund", "b094ca14"]
    with pytest.raises(BadInput):
        decode_cursor("not-a-cursor!!", 2)
    with pytest.raises(BadInput):
        decode_cursor(encode_cursor("only-one"), 2)


async def test_a_minted_token_yields_its_caller() -> None:
    settings = ServiceSettings()
    token = mint_token(settings, role=Role.MUNICIPALITY, municipality_id="m-1", name="Stadt Riesa")
    caller = await TokenVerifier(settings).verify(token)
    assert caller.role is Role.MUNICIPALITY
    assert caller.may_act_for("m-1")
    assert not caller.may_act_for("m-2")
    with pytest.raises(Forbidden):
        caller.require_role(Role.OFFICE)


async def test_an_adviser_acts_for_assigned_municipalities_only() -> None:
    settings = ServiceSettings()
    caller = await TokenVerifier(settings).verify(
        mint_token(settings, role=Role.ADVISER, municipality_ids=["m-1", "m-2"])
    )
    assert caller.may_act_for("m-2")
    assert not caller.may_act_for("m-3")


async def test_a_reader_may_not_write() -> None:
    settings = ServiceSettings()
    caller = await TokenVerifier(settings).verify(mint_token(settings, role=Role.READER))
    with pytest.raises(Forbidden):
        caller.require_writer()


@pytest.mark.parametrize(
    "claims",
    [
        {"role": "office", "exp": int(time.time()) - 10},
        {"role": "superuser"},
        {"role": "municipality"},
    ],
)
async def test_bad_tokens_are_unauthenticated(claims: dict[str, object]) -> None:
    settings = ServiceSettings()
    base = {"iss": settings.jwt_issuer, "aud": settings.jwt_audience, "sub": "x", "exp": int(time.time()) + 60}
    token = jwt.encode({**base, **claims}, settings.jwt_secret, algorithm="HS256")
    with pytest.raises(Unauthenticated):
        await TokenVerifier(settings).verify(token)


async def test_a_token_signed_with_another_secret_is_refused() -> None:
    settings = ServiceSettings()
    other = ServiceSettings(jwt_secret="another-secret-that-is-long-enough-000000")
    with pytest.raises(Unauthenticated):
        await TokenVerifier(settings).verify(mint_token(other, role=Role.OFFICE))


class _Clock:
    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


def _counting_decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    decoded: list[str] = []
    real = jwt.decode

    def decode(token: str, *args: object, **kwargs: object) -> object:
        decoded.append(token)
        return real(token, *args, **kwargs)

    monkeypatch.setattr(auth.jwt, "decode", decode)
    return decoded


async def test_a_token_is_verified_once_and_refused_once_it_expires(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = ServiceSettings()
    clock = _Clock()
    verifier = TokenVerifier(settings, clock=clock)
    decoded = _counting_decodes(monkeypatch)
    token = mint_token(settings, role=Role.ADVISER, subject="beratung-1", municipality_ids=["m-1"], ttl_seconds=60)

    first = await verifier.verify(token)
    again = await verifier.verify(token)
    assert again == first and again.may_act_for("m-1")
    assert decoded == [token]

    clock.now += 61
    with pytest.raises(Unauthenticated, match="expired"):
        await verifier.verify(token)


async def test_a_kept_token_is_verified_again_after_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = ServiceSettings()
    clock = _Clock()
    verifier = TokenVerifier(settings, clock=clock)
    decoded = _counting_decodes(monkeypatch)
    token = mint_token(settings, role=Role.OFFICE, ttl_seconds=3600)

    await verifier.verify(token)
    clock.now += auth.VERIFIED_FOR - 1
    await verifier.verify(token)
    assert len(decoded) == 1
    clock.now += 2
    await verifier.verify(token)
    assert len(decoded) == 2


async def test_only_verified_tokens_are_kept_and_only_so_many(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = ServiceSettings()
    verifier = TokenVerifier(settings)
    token = mint_token(settings, role=Role.OFFICE)
    await verifier.verify(token)
    head, payload, signature = token.split(".")
    forged = ".".join((head, payload, signature[:-4] + ("AAAA" if signature[-4:] != "AAAA" else "BBBB")))
    for _ in range(2):
        with pytest.raises(Unauthenticated):
            await verifier.verify(forged)
    assert list(verifier._verified) == [token]

    monkeypatch.setattr(auth, "VERIFIED_TOKENS", 3)
    tokens = [mint_token(settings, role=Role.READER, subject=f"leser-{i}") for i in range(5)]
    for each in tokens:
        await verifier.verify(each)
    assert list(verifier._verified) == tokens[-3:]
