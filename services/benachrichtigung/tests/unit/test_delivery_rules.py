"""Pure rules of delivery: digest times, backoff, webhook URLs in production, signatures, log texts."""

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta

import aiosmtplib
import pytest

from benachrichtigung.config import Settings
from benachrichtigung.delivery.schedule import next_digest, retry_delay
from benachrichtigung.delivery.webhooks import check_webhook_url, new_secret, sign
from benachrichtigung.delivery.worker import _describe
from benachrichtigung.notifications.unsubscribe import read_unsubscribe_token, unsubscribe_token
from benachrichtigung.rules import Frequency
from zwk_common.errors import BadInput

SECRET = "x" * 40


def settings(**values: object) -> Settings:
    return Settings(**{"jwt_secret": SECRET, **values})  # type: ignore[arg-type]


def test_the_daily_digest_is_due_at_seven_in_berlin_and_the_weekly_on_monday() -> None:
    wednesday_evening = datetime(2024, 5, 15, 18, 0, tzinfo=UTC)  # 20:00 in Berlin
    assert next_digest(wednesday_evening, Frequency.DAILY, settings()) == datetime(2024, 5, 16, 5, 0, tzinfo=UTC)
    assert next_digest(wednesday_evening, Frequency.WEEKLY, settings()) == datetime(2024, 5, 20, 5, 0, tzinfo=UTC)
    early_monday = datetime(2024, 1, 15, 5, 0, tzinfo=UTC)  # 06:00 in Berlin, winter time
    assert next_digest(early_monday, Frequency.DAILY, settings()) == datetime(2024, 1, 15, 6, 0, tzinfo=UTC)
    assert next_digest(early_monday, Frequency.WEEKLY, settings()) == datetime(2024, 1, 15, 6, 0, tzinfo=UTC)
    monday_noon = datetime(2024, 1, 15, 11, 0, tzinfo=UTC)
    assert next_digest(monday_noon, Frequency.WEEKLY, settings()) == datetime(2024, 1, 22, 6, 0, tzinfo=UTC)


def test_retries_back_off_exponentially_up_to_a_cap() -> None:
    s = settings(retry_base_seconds=30, retry_max_delay_seconds=3600)
    assert [retry_delay(n, s).total_seconds() for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(10, s) == timedelta(hours=1)
    assert retry_delay(10_000, s) == timedelta(hours=1)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:8080/hook",
        "http://localhost/hook",
        "https://intranet.localhost/hook",
        "http://10.1.2.3/hook",
        "http://192.168.178.1/hook",
        "http://172.16.0.9/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[fd00::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "http://0.0.0.0/hook",
        "http://100.64.0.1/hook",
    ],
)
async def test_in_production_a_webhook_may_not_point_at_a_private_or_loopback_address(url: str) -> None:
    with pytest.raises(BadInput):
        await check_webhook_url(url, settings(environment="production"))


async def test_in_production_a_public_address_is_accepted_and_in_tests_loopback_too() -> None:
    assert await check_webhook_url("https://93.184.216.34/hook", settings(environment="production"))
    assert await check_webhook_url("http://127.0.0.1:8080/hook", settings(environment="test"))


def test_a_signature_is_the_base64_hmac_of_id_timestamp_and_body() -> None:
    secret = new_secret()
    assert secret.startswith("whsec_") and len(base64.b64decode(secret[6:])) == 32
    body = b'{"type":"notification.comment"}'
    expected = hmac.new(base64.b64decode(secret[6:]), b"msg_1.1700000000." + body, hashlib.sha256).digest()
    assert sign(secret, "msg_1", 1700000000, body) == "v1," + base64.b64encode(expected).decode()
    assert sign(secret, "msg_1", 1700000001, body) != sign(secret, "msg_1", 1700000000, body)


def test_the_log_names_what_went_wrong_without_an_address() -> None:
    refused = aiosmtplib.SMTPResponseException(550, "5.1.1 <anna@zwk.test>: Recipient address rejected")
    assert _describe(refused) == "Mailserver lehnt ab: 550 5.1.1 <<Adresse>>: Recipient address rejected"
    assert "@" not in _describe(ValueError("bad address clara@riesa.test"))
    assert _describe(aiosmtplib.SMTPConnectError("refused")).startswith("Mailserver nicht erreichbar")


def test_an_unsubscribe_link_is_signed_and_names_its_kinds() -> None:
    token = unsubscribe_token(settings(), "riesa-clara", ["comment", "answer"])
    assert read_unsubscribe_token(settings(), token) == ("riesa-clara", ["answer", "comment"])
    with pytest.raises(BadInput):
        read_unsubscribe_token(settings(jwt_secret="y" * 40), token)
