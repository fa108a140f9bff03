"""Who is told: a municipality's contacts and advisers, authors, followers and the office's list;
a removed contact is erased with what was still waiting for them."""

import uuid

from benachrichtigung_payloads import comment_added, stage_overdue
from sqlalchemy import func, select

from benachrichtigung.main import create_app, delivery_worker
from benachrichtigung.models import notifications
from zwk_common.testing import eventually, running_app
from zwk_common.testing.plugin import bearer

RIESA = str(uuid.uuid4())
DORTMUND = str(uuid.uuid4())
BOERSE = str(uuid.uuid4())


def municipality(event, municipality_id, name, advisers, updated=False):  # type: ignore[no-untyped-def]
    return event(
        f"zwk.kommunen.municipality.{'updated' if updated else 'registered'}",
        {
            "municipality_id": municipality_id,
            "ags": "14627230",
            "member_keys": [],
            "name": name,
            "kind": "STADT",
            "bundesland": "SN",
            "population": 29620,
            "urbanisation": 2,
            "kreis_key": "14627",
            "latitude": None,
            "longitude": None,
            "programmes": ["ZWK"],
            "zwk_cluster": None,
            "topics": [],
            "adviser_subjects": advisers,
        },
    )


def contact(event, municipality_id, name, email, subject=None, contact_id=None, verb="added"):  # type: ignore[no-untyped-def]
    return event(
        f"zwk.kommunen.contact.{verb}",
        {
            "municipality_id": municipality_id,
            "contact_id": contact_id or str(uuid.uuid4()),
            "name": name,
            "function": "Demografiebeauftragte",
            "email": email,
            "subject": subject,
        },
    )


def overdue(event, municipality_id=RIESA, name="Riesa", stage="KICK_OFF"):  # type: ignore[no-untyped-def]
    return event("zwk.prozess.stage.overdue", stage_overdue(municipality_id, name, stage, "2024-02-29"))


async def titles(client, token):  # type: ignore[no-untyped-def]
    response = await client.get("/inbox", headers=bearer(token))
    assert response.status_code == 200, response.text
    return [n["title"] for n in response.json()["items"]]


async def test_a_municipality_s_contacts_and_advisers_hear_of_its_overdue_stage(  # type: ignore[no-untyped-def]
    settings_for, smtp, publish, event, zwk_token, handled
) -> None:
    app = create_app(settings_for(smtp))
    async with running_app(app) as client:
        await publish(
            municipality(event, RIESA, "Riesa", ["adviser-ute"]),
            contact(event, RIESA, "Clara Weiß", "clara@riesa.test", subject="riesa-clara"),
            contact(event, RIESA, "Bürgermeister Müller", "buergermeister@riesa.test"),
            contact(event, DORTMUND, "Deniz Yilmaz", "deniz@dortmund.test", subject="dortmund-deniz"),
        )
        await eventually(lambda: handled(app, "zwk.kommunen.contact.added", 3))
        await publish(overdue(event))

        expected = ["Riesa: „Kick-Off“ ist überfällig"]
        clara = zwk_token("municipality", municipality_id=RIESA, subject="riesa-clara")
        ute = zwk_token("adviser", municipality_ids=[RIESA], subject="adviser-ute")
        assert await eventually(lambda: titles(client, clara)) == expected
        assert await eventually(lambda: titles(client, ute)) == expected
        await eventually(lambda: smtp.to("buergermeister@riesa.test") and smtp.to("clara@riesa.test"))
        assert (
            smtp.to("buergermeister@riesa.test")[0].message["To"] == "Bürgermeister Müller <buergermeister@riesa.test>"
        )
        deniz = zwk_token("municipality", municipality_id=DORTMUND, subject="dortmund-deniz")
        assert await titles(client, deniz) == []
        assert smtp.to("deniz@dortmund.test") == []

        # The updated municipality names its advisers afresh.
        await publish(municipality(event, RIESA, "Riesa", ["adviser-otto"], updated=True))
        await eventually(lambda: handled(app, "zwk.kommunen.municipality.updated"))
        await publish(overdue(event, stage="KOMMUNALPROFIL"))
        otto = zwk_token("adviser", municipality_ids=[RIESA], subject="adviser-otto")
        assert await eventually(lambda: titles(client, otto)) == ["Riesa: „Kommunalprofil“ ist überfällig"]
        assert await titles(client, ute) == expected


async def test_a_changed_contact_is_mailed_at_the_new_address(  # type: ignore[no-untyped-def]
    settings_for, smtp, publish, event, handled
) -> None:
    app = create_app(settings_for(smtp))
    async with running_app(app):
        clara = str(uuid.uuid4())
        await publish(contact(event, RIESA, "Clara Weiß", "clara@riesa.test", contact_id=clara))
        await publish(contact(event, RIESA, "Clara Weiß", "c.weiss@riesa.test", contact_id=clara, verb="changed"))
        await eventually(lambda: handled(app, "zwk.kommunen.contact.changed"))
        await publish(overdue(event))
        await eventually(lambda: smtp.to("c.weiss@riesa.test"))
        assert smtp.to("clara@riesa.test") == []


async def test_a_removed_contact_is_erased_with_what_still_waited_for_them(  # type: ignore[no-untyped-def]
    settings_for, smtp, publish, event, zwk_token, handled
) -> None:
    app = create_app(settings_for(smtp, run_jobs=False))
    async with running_app(app) as client:
        mayor = str(uuid.uuid4())
        clara = str(uuid.uuid4())
        await publish(
            contact(event, RIESA, "Bürgermeister Müller", "buergermeister@riesa.test", contact_id=mayor),
            contact(event, RIESA, "Clara Weiß", "clara@riesa.test", subject="riesa-clara", contact_id=clara),
            event(
                "zwk.austausch.follow.started",
                {"subject": "riesa-clara", "target_kind": "topic", "target_id": "wohnen", "email": None},
            ),
        )
        await eventually(lambda: handled(app, "zwk.kommunen.contact.added", 2))
        await publish(overdue(event))
        office = zwk_token("office")

        async def waiting() -> list[str]:
            response = await client.get("/deliveries", params={"status": "queued"}, headers=bearer(office))
            return sorted(d["recipient_id"] for d in response.json()["items"])

        assert await eventually(waiting) == sorted([f"contact:{mayor}", "riesa-clara"])

        await publish(
            event("zwk.kommunen.contact.removed", {"municipality_id": RIESA, "contact_id": mayor}),
            event("zwk.kommunen.contact.removed", {"municipality_id": RIESA, "contact_id": clara}),
        )
        await eventually(lambda: handled(app, "zwk.kommunen.contact.removed", 2))
        # The mayor, known here only as a contact, is gone with everything told to them. Clara still
        # follows a topic here, so she keeps her inbox; her address left with the contact record.
        assert await waiting() == ["riesa-clara"]
        async with app.state.runtime.sessions() as session:
            left = await session.execute(
                select(func.count()).select_from(notifications).where(notifications.c.recipient_id.like("contact:%"))
            )
            assert left.scalar_one() == 0
        assert await titles(client, zwk_token("municipality", municipality_id=RIESA, subject="riesa-clara")) == [
            "Riesa: „Kick-Off“ ist überfällig"
        ]

        await delivery_worker(app.state.runtime).run_due()
        assert smtp.mails == []
        [settled] = (await client.get("/deliveries", headers=bearer(office))).json()["items"]
        assert settled["status"] == "failed"
        assert settled["last_error"] == "Keine E-Mail-Adresse bekannt"


async def test_whoever_acts_is_not_told_and_an_author_reads_about_their_own_practice(  # type: ignore[no-untyped-def]
    settings_for, smtp, publish, event, zwk_token
) -> None:
    async with running_app(create_app(settings_for(smtp))) as client:
        follow = [
            event(
                "zwk.austausch.follow.started",
                {"subject": subject, "target_kind": "practice", "target_id": BOERSE, "email": None},
            )
            for subject in ("riesa-author", "dortmund-deniz", "zwk-follower")
        ]
        comment = event(
            "zwk.austausch.comment.added",
            comment_added(
                BOERSE,
                RIESA,
                "Wie habt ihr die Ehrenamtlichen gewonnen?",
                author_subject="dortmund-deniz",
                author_name="Deniz Yilmaz (Dortmund)",
            ),
        )
        await publish(*follow, comment)

        author = zwk_token("municipality", municipality_id=RIESA, subject="riesa-author")
        follower = zwk_token("municipality", municipality_id=RIESA, subject="zwk-follower")
        deniz = zwk_token("municipality", municipality_id=DORTMUND, subject="dortmund-deniz")
        assert await eventually(lambda: titles(client, author)) == [
            "Neuer Kommentar zu Ihrem Praxisbeispiel „Nachbarschaftsbörse“"
        ]
        [note] = (await client.get("/inbox", headers=bearer(author))).json()["items"]
        assert note["body"] == (
            "Deniz Yilmaz (Dortmund) hat Ihr Praxisbeispiel „Nachbarschaftsbörse“ kommentiert: "
            "„Wie habt ihr die Ehrenamtlichen gewonnen?“"
        )
        assert note["item"] == {"kind": "practice", "id": BOERSE, "title": "Nachbarschaftsbörse"}
        assert await eventually(lambda: titles(client, follower)) == ["Neuer Kommentar zu „Nachbarschaftsbörse“"]
        assert await titles(client, deniz) == []


async def test_moderation_reaches_the_author_and_reports_reach_the_office(  # type: ignore[no-untyped-def]
    settings_for, smtp, publish, event, zwk_token
) -> None:
    async with running_app(create_app(settings_for(smtp))) as client:
        office = zwk_token("office", subject="office-anna")
        await client.put(
            "/office-users/office-anna", json={"name": "Anna Berger", "email": "anna@zwk.test"}, headers=bearer(office)
        )
        await publish(
            event(
                "zwk.austausch.report.filed",
                {"report_id": str(uuid.uuid4()), "target_kind": "comment", "target_id": "c1", "reason": "Werbung"},
            ),
            event(
                "zwk.austausch.comment.hidden",
                {"target_id": "c1", "municipality_id": None, "author_subject": "spammer", "reason": "Werbung"},
            ),
        )
        assert await eventually(lambda: titles(client, office)) == ["Neue Meldung: Kommentar"]
        [report] = (await client.get("/inbox", headers=bearer(office))).json()["items"]
        assert report["body"] == "Ein Beitrag (Kommentar) wurde gemeldet. Grund: Werbung. Bitte prüfen Sie ihn."
        spammer = zwk_token("municipality", municipality_id=DORTMUND, subject="spammer")
        [hidden] = await eventually(lambda: _items(client, spammer))
        assert hidden["title"] == "Ihr Kommentar wurde ausgeblendet"
        assert hidden["body"] == "Die Moderation hat Ihren Kommentar im Austausch ausgeblendet. Grund: Werbung."


async def _items(client, token):  # type: ignore[no-untyped-def]
    return (await client.get("/inbox", headers=bearer(token))).json()["items"]


async def test_a_stopped_follow_tells_nothing_more(settings_for, smtp, publish, event, zwk_token) -> None:  # type: ignore[no-untyped-def]
    async with running_app(create_app(settings_for(smtp))) as client:
        follow = {"subject": "zwk-follower", "target_kind": "topic", "target_id": "wohnen", "email": None}

        def published(title: str, topic: str = "wohnen"):  # type: ignore[no-untyped-def]
            return event(
                "zwk.austausch.practice.published",
                {
                    "practice_id": str(uuid.uuid4()),
                    "municipality_id": RIESA,
                    "municipality_name": "Riesa",
                    "title": title,
                    "summary": None,
                    "topics": [topic],
                    "author_subject": "riesa-author",
                    "actor": "riesa-author",
                },
            )

        await publish(event("zwk.austausch.follow.started", follow), published("Wohnen für Hilfe"))
        await publish(event("zwk.austausch.follow.stopped", follow), published("Dorfladen"))
        await publish(
            event("zwk.austausch.follow.started", {**follow, "target_id": "mobilitaet"}),
            published("Bürgerbus", "mobilitaet"),
        )
        follower = zwk_token("municipality", municipality_id=DORTMUND, subject="zwk-follower")
        assert await eventually(lambda: _when(titles(client, follower), 2)) == [
            "Neues Praxisbeispiel: „Bürgerbus“",
            "Neues Praxisbeispiel: „Wohnen für Hilfe“",
        ]


async def _when(awaitable, count):  # type: ignore[no-untyped-def]
    value = await awaitable
    return value if len(value) >= count else None


async def test_only_the_office_keeps_its_user_list(settings_for, smtp, zwk_token) -> None:  # type: ignore[no-untyped-def]
    async with running_app(create_app(settings_for(smtp))) as client:
        office = bearer(zwk_token("office"))
        added = await client.put(
            "/office-users/office-anna", json={"name": "Anna Berger", "email": "anna@zwk.test"}, headers=office
        )
        assert added.status_code == 201
        changed = await client.put(
            "/office-users/office-anna", json={"name": "Anna Berger-Lang", "email": "anna@zwk.test"}, headers=office
        )
        assert changed.status_code == 200 and changed.json()["name"] == "Anna Berger-Lang"
        await client.put("/office-users/office-ben", json={"name": "Ben Kurz", "email": "ben@zwk.test"}, headers=office)

        first = (await client.get("/office-users", params={"first": 1}, headers=office)).json()
        assert first["total_count"] == 2 and [u["subject"] for u in first["items"]] == ["office-anna"]
        second = (
            await client.get("/office-users", params={"first": 1, "after": first["next_cursor"]}, headers=office)
        ).json()
        assert [u["subject"] for u in second["items"]] == ["office-ben"] and second["next_cursor"] is None

        riesa = bearer(zwk_token("municipality", municipality_id=RIESA))
        adviser = bearer(zwk_token("adviser", municipality_ids=[RIESA]))
        for headers in (riesa, adviser):
            assert (await client.get("/office-users", headers=headers)).status_code == 403
            denied = await client.put("/office-users/x", json={"name": "X", "email": "x@zwk.test"}, headers=headers)
            assert denied.status_code == 403
            assert (await client.delete("/office-users/office-anna", headers=headers)).status_code == 403

        for bad in ({"name": "Anna", "email": "keine-adresse"}, {"name": "", "email": "a@zwk.test"}, {"name": "A"}):
            response = await client.put("/office-users/office-cem", json=bad, headers=office)
            assert response.status_code == 422, bad
        assert (await client.get("/office-users/office-cem", headers=office)).status_code == 404

        assert (await client.delete("/office-users/office-ben", headers=office)).status_code == 204
        assert (await client.delete("/office-users/office-ben", headers=office)).status_code == 404
        assert (await client.get("/office-users/office-anna", headers=office)).json()["email"] == "anna@zwk.test"
