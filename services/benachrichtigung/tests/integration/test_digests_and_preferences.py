"""Preferences per person and kind; forum activity waits for the daily digest, which groups by item."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from benachrichtigung_payloads import comment_added, stage_overdue

from benachrichtigung.delivery.digests import collect_digests
from benachrichtigung.main import create_app, delivery_worker
from zwk_common.testing import eventually, running_app
from zwk_common.testing.plugin import bearer

RIESA = str(uuid.uuid4())
BOERSE = str(uuid.uuid4())
QUESTION = str(uuid.uuid4())
CLARA = "follower-clara"


def follow(event, kind: str, target: str, subject: str = CLARA, email: str | None = "clara@riesa.test"):  # type: ignore[no-untyped-def]
    return event(
        "zwk.austausch.follow.started",
        {"subject": subject, "target_kind": kind, "target_id": target, "email": email},
        subject=subject,
    )


def comment(event, n: int, author: str = "dortmund-staff"):  # type: ignore[no-untyped-def]
    data = comment_added(BOERSE, RIESA, f"Gute Idee Nr. {n}", author_subject=author)
    return event("zwk.austausch.comment.added", data, subject=RIESA)


def answer(event):  # type: ignore[no-untyped-def]
    return event(
        "zwk.austausch.answer.added",
        {
            "question_id": QUESTION,
            "answer_id": str(uuid.uuid4()),
            "question_title": "Wie gewinnen wir Ehrenamtliche?",
            "question_author_subject": "someone",
            "question_municipality_id": None,
            "author_subject": "dortmund-staff",
            "municipality_id": None,
        },
    )


async def inbox_titles(client, token):  # type: ignore[no-untyped-def]
    return [n["title"] for n in (await client.get("/inbox", headers=bearer(token))).json()["items"]]


async def test_a_digest_groups_repeated_events_on_one_item_and_waits_for_its_time(  # type: ignore[no-untyped-def]
    settings_for, smtp, receiver, publish, event, zwk_token
) -> None:
    app = create_app(settings_for(smtp, run_jobs=False))
    async with running_app(app) as client:
        clara = zwk_token("municipality", municipality_id=RIESA, subject=CLARA)
        endpoint = (
            await client.post(
                "/webhooks",
                json={"url": receiver.url("/riesa"), "frequency": "daily", "kinds": ["comment"]},
                headers=bearer(clara),
            )
        ).json()
        await publish(follow(event, "practice", BOERSE), follow(event, "question", QUESTION))
        await publish(*(comment(event, n) for n in range(5)), answer(event))

        titles = await eventually(lambda: _when(inbox_titles(client, clara), lambda t: len(t) == 6))
        assert titles.count("Neuer Kommentar zu „Nachbarschaftsbörse“") == 5
        assert "Neue Antwort auf „Wie gewinnen wir Ehrenamtliche?“" in titles

        worker = delivery_worker(app.state.runtime)
        now = datetime.now(UTC)
        await worker.run_due(now)
        assert await collect_digests(app.state.runtime.sessions, app.state.runtime.settings, now) == 0
        assert smtp.mails == [] and receiver.calls == []

        assert (
            await collect_digests(app.state.runtime.sessions, app.state.runtime.settings, now + timedelta(days=1)) == 2
        )
        await worker.run_due(now + timedelta(days=1))
        [mail] = smtp.to("clara@riesa.test")
        assert mail.message["Subject"] == "Ihre tägliche Zusammenfassung: 6 Neuigkeiten"
        assert "• 5 neue Kommentare zu „Nachbarschaftsbörse“ – https://zwk.test/austausch/praxisbeispiele/" in mail.text
        assert "• Eine neue Antwort auf „Wie gewinnen wir Ehrenamtliche?“ – https://zwk.test/austausch/fragen/" in (
            mail.text
        )
        assert "5 neue Kommentare zu „Nachbarschaftsbörse“</a></li>" in mail.html
        assert mail.message["List-Unsubscribe"]

        # Riesa's endpoint (comments only, daily) gets one digest of the comments on its practice.
        [call] = receiver.calls_to("/riesa")
        body = call.json()
        assert body["type"] == "digest"
        assert body["data"]["count"] == 5
        assert [line["text"] for line in body["data"]["lines"]] == ["5 neue Kommentare zu „Nachbarschaftsbörse“"]
        assert endpoint["frequency"] == "daily"

        # Nothing is sent twice.
        assert (
            await collect_digests(app.state.runtime.sessions, app.state.runtime.settings, now + timedelta(days=8)) == 0
        )
        await worker.run_due(now + timedelta(days=8))
        assert len(smtp.mails) == 1 and len(receiver.calls) == 1


async def _when(awaitable, condition):  # type: ignore[no-untyped-def]
    value = await awaitable
    return value if condition(value) else None


async def test_defaults_forum_activity_daily_and_overdue_stages_at_once(  # type: ignore[no-untyped-def]
    settings_for, smtp, zwk_token
) -> None:
    async with running_app(create_app(settings_for(smtp))) as client:
        token = zwk_token("municipality", municipality_id=RIESA, subject=CLARA)
        preferences = (await client.get("/preferences", headers=bearer(token))).json()
        by_kind = {p["kind"]: p for p in preferences}
        assert by_kind["comment"] == {
            "kind": "comment",
            "label": "Kommentare",
            "channel": "email",
            "frequency": "daily",
            "is_default": True,
        }
        assert by_kind["answer"]["frequency"] == "daily"
        assert by_kind["practice_published"]["frequency"] == "daily"
        assert by_kind["stage_overdue"]["frequency"] == "immediately"

        changed = await client.put("/preferences/comment", json={"frequency": "weekly"}, headers=bearer(token))
        assert changed.status_code == 200
        assert changed.json()["frequency"] == "weekly" and changed.json()["is_default"] is False
        other = zwk_token("municipality", municipality_id=RIESA, subject="someone-else")
        theirs = {p["kind"]: p for p in (await client.get("/preferences", headers=bearer(other))).json()}
        assert theirs["comment"]["frequency"] == "daily"

        unknown = await client.put("/preferences/gossip", json={"frequency": "daily"}, headers=bearer(token))
        assert unknown.status_code == 404
        bad = await client.put("/preferences/comment", json={"frequency": "hourly"}, headers=bearer(token))
        assert bad.status_code == 422
        webhook = await client.put(
            "/preferences/comment", json={"channel": "webhook", "frequency": "daily"}, headers=bearer(token)
        )
        assert webhook.status_code == 422
        reader = await client.put(
            "/preferences/comment", json={"frequency": "never"}, headers=bearer(zwk_token("reader"))
        )
        assert reader.status_code == 403
        still = {p["kind"]: p for p in (await client.get("/preferences", headers=bearer(token))).json()}
        assert still["comment"]["frequency"] == "weekly"


def overdue(event):  # type: ignore[no-untyped-def]
    return event("zwk.prozess.stage.overdue", stage_overdue(RIESA, "Riesa", "KOMMUNALPROFIL", "2024-03-31"))


def contact(event, subject: str | None = CLARA, email: str | None = "clara@riesa.test", contact_id=None):  # type: ignore[no-untyped-def]
    return event(
        "zwk.kommunen.contact.added",
        {
            "municipality_id": RIESA,
            "contact_id": contact_id or str(uuid.uuid4()),
            "name": "Clara Weiß",
            "function": "Demografiebeauftragte",
            "email": email,
            "subject": subject,
        },
    )


async def test_a_person_who_chose_never_reads_it_in_the_inbox_but_gets_no_email(  # type: ignore[no-untyped-def]
    settings_for, smtp, publish, event, zwk_token, handled
) -> None:
    app = create_app(settings_for(smtp))
    async with running_app(app) as client:
        clara = zwk_token("municipality", municipality_id=RIESA, subject=CLARA)
        await client.put("/preferences/stage_overdue", json={"frequency": "never"}, headers=bearer(clara))
        await publish(contact(event), contact(event, subject="riesa-bob", email="bob@riesa.test"))
        await eventually(lambda: handled(app, "zwk.kommunen.contact.added", 2))
        await publish(overdue(event))

        await eventually(lambda: smtp.to("bob@riesa.test"))
        assert await inbox_titles(client, clara) == ["Riesa: „Kommunalprofil“ ist überfällig"]
        assert smtp.to("clara@riesa.test") == []


async def test_the_unsubscribe_link_in_an_email_stops_that_kind_of_email(  # type: ignore[no-untyped-def]
    settings_for, smtp, publish, event, zwk_token, handled
) -> None:
    app = create_app(settings_for(smtp))
    async with running_app(app) as client:
        await publish(contact(event))
        await eventually(lambda: handled(app, "zwk.kommunen.contact.added"))
        await publish(overdue(event))
        [mail] = await eventually(lambda: smtp.to("clara@riesa.test"))
        link = re.fullmatch(r"<(.+)>", mail.message["List-Unsubscribe"]).group(1)  # type: ignore[union-attr]
        path = urlsplit(link).path + "?" + urlsplit(link).query

        page = await client.get(path)
        assert page.status_code == 200
        assert "Möchten Sie diese E-Mail-Benachrichtigungen abbestellen?" in page.text
        clara = zwk_token("municipality", municipality_id=RIESA, subject=CLARA)
        prefs = {p["kind"]: p for p in (await client.get("/preferences", headers=bearer(clara))).json()}
        assert prefs["stage_overdue"]["frequency"] == "immediately"

        done = await client.post(path)
        assert done.status_code == 200
        assert "Sie erhalten keine E-Mails mehr zu: Überfällige Prozessschritte." in done.text
        prefs = {p["kind"]: p for p in (await client.get("/preferences", headers=bearer(clara))).json()}
        assert prefs["stage_overdue"]["frequency"] == "never"

        forged = await client.post("/unsubscribe", params={"token": "eyJhbGciOiJIUzI1NiJ9.e30.invalid"})
        assert forged.status_code == 422
