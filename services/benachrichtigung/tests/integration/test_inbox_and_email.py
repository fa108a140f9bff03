"""The office hears of stage events in its inbox and by e-mail; a person sees only their own inbox."""

import uuid

from benachrichtigung.main import create_app
from zwk_common.testing import eventually, running_app
from zwk_common.testing.plugin import bearer

RIESA = str(uuid.uuid4())
ANNA = "office-anna"


def stage(municipality_id: str = RIESA, stage: str = "KOMMUNALPROFIL", **extra: object) -> dict[str, object]:
    return {
        "municipality_id": municipality_id,
        "municipality_name": "Riesa",
        "programme": "ZWK",
        "stage": stage,
        "status": "COMPLETED",
        "due_date": "2024-03-31",
        "at": "2024-03-01T10:00:00+00:00",
        "actor": "riesa-staff",
        "reason": None,
        **extra,
    }


async def inbox(client, token, **params):  # type: ignore[no-untyped-def]
    response = await client.get("/inbox", params=params, headers=bearer(token))
    assert response.status_code == 200, response.text
    return response.json()


async def add_office_user(client, office_token, subject=ANNA, name="Anna Berger", email="anna@zwk.test"):  # type: ignore[no-untyped-def]
    response = await client.put(
        f"/office-users/{subject}", json={"name": name, "email": email}, headers=bearer(office_token)
    )
    assert response.status_code in (200, 201), response.text
    return response


async def test_the_office_reads_a_completed_stage_in_its_inbox_and_by_email(  # type: ignore[no-untyped-def]
    settings_for, smtp, publish, event, zwk_token, last_published
) -> None:
    async with running_app(create_app(settings_for(smtp))) as client:
        office = zwk_token("office", subject=ANNA)
        await add_office_user(client, office)
        await publish(event("zwk.prozess.stage.completed", stage()))

        page = await eventually(lambda: _items(client, office))
        assert [n["title"] for n in page] == ["Riesa: „Kommunalprofil“ abgeschlossen"]
        assert page[0]["body"] == "Riesa hat im Programm ZWK den Prozessschritt „Kommunalprofil“ abgeschlossen."
        assert page[0]["read"] is False
        assert page[0]["link"] == f"/kommunen/{RIESA}/prozess"
        unread = await client.get("/inbox/unread-count", headers=bearer(office))
        assert unread.json() == {"unread": 1}

        mails = await eventually(lambda: smtp.to("anna@zwk.test"))
        assert len(mails) == 1
        mail = mails[0].message
        assert mail["Subject"] == "Riesa: „Kommunalprofil“ abgeschlossen"
        assert mail["To"] == "Anna Berger <anna@zwk.test>"
        assert "benachrichtigung@zwk.example" in mail["From"]
        assert mail["List-Unsubscribe"].startswith("<http://benachrichtigung.test/unsubscribe?token=")
        assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
        assert "Guten Tag Anna Berger," in mails[0].text
        assert "Zum Eintrag: https://zwk.test/kommunen/" in mails[0].text
        assert "Diese E-Mails abbestellen: http://benachrichtigung.test/unsubscribe?token=" in mails[0].text
        assert "<h1" in mails[0].html and "Riesa: „Kommunalprofil“ abgeschlossen" in mails[0].html

        delivered = await eventually(lambda: last_published("zwk.benachrichtigung.notification.delivered"))
        assert delivered.data["channel"] == "email"
        assert delivered.data["recipient_id"] == ANNA
        assert delivered.data["kind"] == "stage_progress"
        assert delivered.data["attempts"] == 1
        assert delivered.data["notification_id"] == page[0]["id"]
        assert "@" not in delivered.model_dump_json()


async def _items(client, token):  # type: ignore[no-untyped-def]
    return (await inbox(client, token))["items"]


async def test_a_person_sees_and_marks_only_their_own_notifications(  # type: ignore[no-untyped-def]
    settings_for, smtp, publish, event, zwk_token
) -> None:
    async with running_app(create_app(settings_for(smtp))) as client:
        anna = zwk_token("office", subject=ANNA)
        ben = zwk_token("office", subject="office-ben")
        await add_office_user(client, anna)
        await publish(event("zwk.prozess.stage.overdue", stage(stage="WERKSTATTPLAN")))
        items = await eventually(lambda: _items(client, anna))

        assert (await inbox(client, ben))["items"] == []
        assert (await client.get("/inbox/unread-count", headers=bearer(ben))).json() == {"unread": 0}
        foreign = await client.post(f"/inbox/{items[0]['id']}/read", headers=bearer(ben))
        assert foreign.status_code == 404
        assert foreign.json()["code"] == "NOT_FOUND"
        assert (await client.get("/inbox/unread-count", headers=bearer(anna))).json() == {"unread": 1}

        marked = await client.post(f"/inbox/{items[0]['id']}/read", headers=bearer(anna))
        assert marked.status_code == 200
        assert marked.json()["read"] is True
        assert (await client.get("/inbox/unread-count", headers=bearer(anna))).json() == {"unread": 0}


async def test_the_inbox_pages_newest_first_and_marks_all_read(  # type: ignore[no-untyped-def]
    settings_for, smtp, publish, event, zwk_token
) -> None:
    async with running_app(create_app(settings_for(smtp))) as client:
        anna = zwk_token("office", subject=ANNA)
        await add_office_user(client, anna)
        stages = ["KICK_OFF", "KOMMUNALPROFIL", "ZUKUNFTSWERKSTATT", "WERKSTATTPLAN", "ZWISCHENBILANZ"]
        await publish(*(event("zwk.prozess.stage.started", stage(stage=s, status="IN_PROGRESS")) for s in stages))
        await eventually(lambda: _count(client, anna, 5))

        first = await inbox(client, anna, first=2)
        assert first["total_count"] == 5
        assert len(first["items"]) == 2 and first["next_cursor"]
        second = await inbox(client, anna, first=2, after=first["next_cursor"])
        third = await inbox(client, anna, first=2, after=second["next_cursor"])
        assert third["next_cursor"] is None
        titles = [n["title"] for p in (first, second, third) for n in p["items"]]
        assert len(set(titles)) == 5
        assert {t.split("„")[1].split("“")[0] for t in titles} == {
            "Kick-Off",
            "Kommunalprofil",
            "Zukunftswerkstatt",
            "Werkstattplan",
            "Zwischenbilanz",
        }

        marked = await client.post("/inbox/read-all", headers=bearer(anna))
        assert marked.json() == {"marked": 5}
        assert (await inbox(client, anna, unread="true"))["items"] == []
        assert (await client.get("/inbox/unread-count", headers=bearer(anna))).json() == {"unread": 0}

        bad = await client.get("/inbox", params={"after": "not-a-cursor"}, headers=bearer(anna))
        assert bad.status_code == 422
        too_many = await client.get("/inbox", params={"first": 500}, headers=bearer(anna))
        assert too_many.status_code == 422
        anonymous = await client.get("/inbox")
        assert anonymous.status_code == 401


async def _count(client, token, expected):  # type: ignore[no-untyped-def]
    return (await inbox(client, token))["total_count"] == expected
