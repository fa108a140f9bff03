"""One notification per recipient and event however often it arrives; no mail lost while SMTP is down;
a practice on a topic with 11,000 followers reaches 11,000 inboxes within seconds."""

import time
import uuid

from benachrichtigung_payloads import stage_overdue
from sqlalchemy import func, select, text

from benachrichtigung.events import StageOverdue
from benachrichtigung.main import create_app
from benachrichtigung.models import deliveries, digest_items, notifications
from benachrichtigung.notifications.service import notify_of
from zwk_common.db import transaction
from zwk_common.testing import eventually, running_app
from zwk_common.testing.plugin import bearer

RIESA = str(uuid.uuid4())
DORTMUND = str(uuid.uuid4())


def overdue(municipality_id: str = RIESA, name: str = "Riesa") -> dict[str, object]:
    return stage_overdue(municipality_id, name, "ZUKUNFTSWERKSTATT", "2024-05-31")


async def add_office_user(client, token, subject="office-anna", email="anna@zwk.test"):  # type: ignore[no-untyped-def]
    response = await client.put(
        f"/office-users/{subject}", json={"name": "Anna Berger", "email": email}, headers=bearer(token)
    )
    assert response.status_code == 201, response.text


async def _async(value):  # type: ignore[no-untyped-def]
    return value


async def test_an_event_delivered_twice_notifies_and_mails_once(  # type: ignore[no-untyped-def]
    settings_for, smtp, publish, event, zwk_token
) -> None:
    async with running_app(create_app(settings_for(smtp))) as client:
        anna = zwk_token("office", subject="office-anna")
        await add_office_user(client, anna)
        riesa = event("zwk.prozess.stage.overdue", overdue())
        marker = event("zwk.prozess.stage.overdue", overdue(DORTMUND, "Dortmund"))
        # Distinct message ids get both copies past the server, as a redelivery would.
        await publish(riesa, riesa, marker, msg_ids=["copy-1", "copy-2", "marker"])

        await eventually(lambda: _async(len(smtp.to("anna@zwk.test")) == 2))
        subjects = sorted(m.message["Subject"] for m in smtp.to("anna@zwk.test"))
        assert subjects == [
            "Dortmund: „Zukunftswerkstatt“ ist überfällig",
            "Riesa: „Zukunftswerkstatt“ ist überfällig",
        ]
        page = (await client.get("/inbox", headers=bearer(anna))).json()
        assert page["total_count"] == 2


async def test_telling_of_the_same_event_again_adds_nothing(settings_for, smtp, zwk_token) -> None:  # type: ignore[no-untyped-def]
    # Below the consumer's inbox: the notifications' own unique key holds on its own.
    settings = settings_for(smtp, run_jobs=False)
    app = create_app(settings)
    async with running_app(app) as client:
        await add_office_user(client, zwk_token("office", subject="office-anna"))
        payload = StageOverdue.model_validate(overdue())
        sessions = app.state.runtime.sessions
        async with transaction(sessions) as session:
            assert await notify_of(session, payload, event_id="event-1", settings=settings) == 1
        async with transaction(sessions) as session:
            assert await notify_of(session, payload, event_id="event-1", settings=settings) == 0
        async with sessions() as session:
            assert (await session.execute(select(func.count()).select_from(notifications))).scalar_one() == 1
            assert (await session.execute(select(func.count()).select_from(deliveries))).scalar_one() == 1


async def test_mail_waits_while_the_smtp_server_is_down_and_goes_out_when_it_is_back(  # type: ignore[no-untyped-def]
    settings_for, smtp_later, publish, event, zwk_token
) -> None:
    async with running_app(create_app(settings_for(smtp_later))) as client:
        anna = zwk_token("office", subject="office-anna")
        await add_office_user(client, anna)
        await publish(event("zwk.prozess.stage.overdue", overdue()))

        async def log():  # type: ignore[no-untyped-def]
            response = await client.get("/deliveries", params={"channel": "email"}, headers=bearer(anna))
            assert response.status_code == 200, response.text
            return response.json()["items"]

        async def failed_once():  # type: ignore[no-untyped-def]
            items = await log()
            return items and items[0]["attempt_log"] and items[0]

        waiting = await eventually(failed_once)
        assert waiting["status"] == "queued"
        assert waiting["recipient_id"] == "office-anna"
        assert waiting["attempt_log"][0]["outcome"] == "failed"
        assert waiting["attempt_log"][0]["error"].startswith("Mailserver nicht erreichbar")

        smtp_later.start()
        [mail] = await eventually(lambda: _async(smtp_later.to("anna@zwk.test")))
        assert mail.message["Subject"] == "Riesa: „Zukunftswerkstatt“ ist überfällig"
        done = await eventually(lambda: _when_delivered(log))
        outcomes = [a["outcome"] for a in done["attempt_log"]]
        assert outcomes[-1] == "delivered" and len(outcomes) >= 2
        assert "anna@zwk.test" not in str(done)


async def _when_delivered(log):  # type: ignore[no-untyped-def]
    items = await log()
    return items[0] if items and items[0]["status"] == "delivered" else None


async def test_a_practice_on_a_topic_reaches_eleven_thousand_followers_in_seconds(  # type: ignore[no-untyped-def]
    settings_for, smtp, publish, event, zwk_token
) -> None:
    app = create_app(settings_for(smtp, run_jobs=False))
    async with running_app(app) as client:
        async with transaction(app.state.runtime.sessions) as session:
            await session.execute(
                text(
                    "INSERT INTO benachrichtigung.subscriptions (target_kind, target_id, subject, email) "
                    "SELECT 'topic', 'engagement', 'follower-' || i, 'follower-' || i || '@kommune.test' "
                    "FROM generate_series(1, 11000) AS i"
                )
            )
        practice = str(uuid.uuid4())
        started = time.monotonic()
        await publish(
            event(
                "zwk.austausch.practice.published",
                {
                    "practice_id": practice,
                    "municipality_id": RIESA,
                    "municipality_name": "Riesa",
                    "title": "Nachbarschaftsbörse",
                    "summary": "Nachbarn helfen Nachbarn.",
                    "topics": ["engagement", "begegnung"],
                    "author_subject": "follower-7",
                    "actor": "follower-7",
                },
            )
        )

        async def told() -> int:
            async with app.state.runtime.sessions() as session:
                result = await session.execute(
                    select(func.count()).select_from(notifications).where(notifications.c.item_id == practice)
                )
                return int(result.scalar_one())

        await eventually(lambda: _is(told(), 10999), timeout=30)
        elapsed = time.monotonic() - started
        assert elapsed < 10, f"fan-out to 11,000 took {elapsed:.1f}s"

        # The author is not told of their own practice; everyone else is, once, in their inbox.
        follower = zwk_token("municipality", municipality_id=DORTMUND, subject="follower-10999")
        [notification] = (await client.get("/inbox", headers=bearer(follower))).json()["items"]
        assert notification["title"] == "Neues Praxisbeispiel: „Nachbarschaftsbörse“"
        assert notification["body"] == (
            "Riesa hat das Praxisbeispiel „Nachbarschaftsbörse“ veröffentlicht "
            "(Bürgerschaftliches Engagement, Begegnung, Beratung, Selbsthilfe). Nachbarn helfen Nachbarn."
        )
        author = zwk_token("municipality", municipality_id=RIESA, subject="follower-7")
        assert (await client.get("/inbox", headers=bearer(author))).json()["items"] == []
        async with app.state.runtime.sessions() as session:
            waiting = (await session.execute(select(func.count()).select_from(digest_items))).scalar_one()
        assert waiting == 10999  # forum activity waits for each follower's daily digest


async def _is(awaitable, expected):  # type: ignore[no-untyped-def]
    return (await awaitable) == expected
