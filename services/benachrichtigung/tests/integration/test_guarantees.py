"""One notification per recipient and event however often it arrives; no mail lost while SMTP is down;
a practice on a topic with 11,000 followers reaches 11,000 inboxes within seconds."""

import time
import uuid

from benachrichtigung_payloads import comment_added, stage_overdue
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind
from sqlalchemy import func, select, text

from benachrichtigung.events import PracticePublished, StageOverdue
from benachrichtigung.main import create_app
from benachrichtigung.models import advisers, deliveries, digest_items, inbox, notifications
from benachrichtigung.notifications.service import notify_of, notify_once
from benachrichtigung.recipients.service import keep_advisers
from zwk_common.db import transaction
from zwk_common.inbox import InboxClaim
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

        await eventually(lambda: len(smtp.to("anna@zwk.test")) == 2)
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
        [mail] = await eventually(lambda: smtp_later.to("anna@zwk.test"))
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


def _statements_under(exporter: InMemorySpanExporter, consume_name: str) -> list[str]:
    """The SQL of the statements run while one event was consumed, in order."""
    [consume] = [s for s in exporter.get_finished_spans() if s.name == consume_name]
    beneath = [
        s
        for s in exporter.get_finished_spans()
        if s.parent is not None and s.parent.span_id == consume.context.span_id and s.kind is SpanKind.CLIENT
    ]
    return [str(s.attributes["db.statement"]) for s in sorted(beneath, key=lambda s: s.start_time or 0)]  # type: ignore[index]


async def test_an_event_one_rule_names_is_claimed_and_told_in_one_statement(  # type: ignore[no-untyped-def]
    settings_for, smtp, publish, event, handled, zwk_token, zwk_spans
) -> None:
    app = create_app(settings_for(smtp, run_jobs=False))
    async with running_app(app) as client:
        await add_office_user(client, zwk_token("office", subject="office-anna"))
        await publish(event("zwk.prozess.stage.overdue", overdue()))
        await eventually(lambda: handled(app, "zwk.prozess.stage.overdue"))
        await publish(event("zwk.austausch.comment.added", comment_added(str(uuid.uuid4()), RIESA, "Gute Idee")))
        await eventually(lambda: handled(app, "zwk.austausch.comment.added"))
    # A stage event: the claim and the fan-out are one statement (run without BEGIN and COMMIT).
    [told] = _statements_under(zwk_spans, "consume zwk.prozess.stage.overdue")
    assert "INSERT INTO benachrichtigung.inbox" in told and "INSERT INTO benachrichtigung.notifications" in told
    # A comment tells two audiences by two rules: the claim and two fan-outs, in one transaction.
    claim, *fan_outs = _statements_under(zwk_spans, "consume zwk.austausch.comment.added")
    assert claim.startswith("INSERT INTO benachrichtigung.inbox")
    assert len(fan_outs) == 2 and all("benachrichtigung.inbox" not in s for s in fan_outs)


async def test_an_event_told_once_is_claimed_once_even_with_nobody_to_tell(settings_for, smtp, zwk_token) -> None:  # type: ignore[no-untyped-def]
    settings = settings_for(smtp, run_jobs=False)
    app = create_app(settings)
    async with running_app(app) as client:
        await add_office_user(client, zwk_token("office", subject="office-anna"))
        runtime = app.state.runtime
        stage = StageOverdue.model_validate(overdue())
        # A practice on no topic has no followers to tell: the claim is all the statement writes.
        untold = PracticePublished.model_validate(
            {
                "practice_id": str(uuid.uuid4()),
                "municipality_id": RIESA,
                "municipality_name": "Riesa",
                "title": "Nachbarschaftsbörse",
                "summary": "Nachbarn helfen Nachbarn.",
                "topics": [],
                "author_subject": "riesa-author",
                "actor": "riesa-author",
            }
        )
        for payload, event_id in ((stage, "event-1"), (untold, "event-2")):
            claim = InboxClaim.of(inbox, "benachrichtigung-test", event_id, payload.event_type)
            async with transaction(runtime.sessions) as session:
                assert await notify_once(session, payload, claim=claim, event_id=event_id, settings=settings)
            async with transaction(runtime.sessions) as session:
                assert not await notify_once(session, payload, claim=claim, event_id=event_id, settings=settings)
        async with runtime.sessions() as session:
            claimed = (await session.execute(select(inbox.table.c.event_id).order_by(inbox.table.c.event_id))).all()
            told = (await session.execute(select(notifications.c.event_id, notifications.c.recipient_id))).all()
        assert [c.event_id for c in claimed] == ["event-1", "event-2"]
        assert [tuple(t) for t in told] == [("event-1", "office-anna")]


async def test_an_adviser_event_handled_twice_changes_the_advisers_once(settings_for, smtp) -> None:  # type: ignore[no-untyped-def]
    app = create_app(settings_for(smtp, run_jobs=False))
    async with running_app(app):
        sessions = app.state.runtime.sessions
        riesa = uuid.UUID(RIESA)
        registered = InboxClaim.of(inbox, "benachrichtigung-test", "event-1", "zwk.kommunen.municipality.registered")
        updated = InboxClaim.of(inbox, "benachrichtigung-test", "event-2", "zwk.kommunen.municipality.updated")
        async with transaction(sessions) as session:
            assert await keep_advisers(session, riesa, ["adviser-ute", "adviser-ben", ""], registered)
        async with transaction(sessions) as session:
            assert await keep_advisers(session, riesa, ["adviser-ben", "adviser-eva"], updated)
        # The registration again, after the update: it is a duplicate and brings Ute back in no way.
        async with transaction(sessions) as session:
            assert not await keep_advisers(session, riesa, ["adviser-ute", "adviser-ben"], registered)
        async with sessions() as session:
            kept = (await session.execute(select(advisers.c.subject).order_by(advisers.c.subject))).scalars().all()
            claimed = (await session.execute(select(inbox.table.c.event_id).order_by(inbox.table.c.event_id))).all()
        assert kept == ["adviser-ben", "adviser-eva"]
        assert [c.event_id for c in claimed] == ["event-1", "event-2"]


async def test_stage_events_are_told_side_by_side_by_municipality_while_follows_keep_the_stream_order(  # type: ignore[no-untyped-def]
    settings_for, smtp
) -> None:
    # Who hears of a publication depends on the follows before it; a stage event touches its municipality only.
    app = create_app(settings_for(smtp, run_jobs=False))
    async with running_app(app):
        side_by_side = {consumer.durable: consumer.parallel_by_entity for consumer in app.state.runtime.consumers}
    assert side_by_side == {
        "benachrichtigung-prozess": True,
        "benachrichtigung-austausch": False,
        "benachrichtigung-kommunen": False,
    }
