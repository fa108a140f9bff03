"""Comments on practices, with one level of replies."""

import uuid

from austausch_world import DORTMUND, GROSSENHAIN, RIESA  # type: ignore[import-not-found]


async def comment(forum, practice, municipality_id, body, parent=None):  # type: ignore[no-untyped-def]
    response = await forum.client.post(
        f"/practices/{practice['id']}/comments",
        json={"body": body, **({"parent_comment_id": parent["id"]} if parent else {})},
        headers=forum.member(municipality_id),
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_comment_tells_the_practice_author(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    said = await comment(forum, practice, DORTMUND, "Wie viele Ehrenamtliche braucht man für den Start?")
    assert said["municipality_name"] == "Dortmund"
    assert said["author_name"] == "Staff Dortmund"
    [event] = await forum.events("zwk.austausch.comment.added")
    assert event == {
        "type": "zwk.austausch.comment.added",
        "comment_id": said["id"],
        "practice_id": practice["id"],
        "practice_title": "Nachbarschaftsbörse Riesa",
        "practice_municipality_id": str(RIESA),
        "practice_author_subject": f"staff@{RIESA}",
        "parent_comment_id": None,
        "parent_author_subject": None,
        "author_subject": f"staff@{DORTMUND}",
        "author_name": "Staff Dortmund",
        "body_excerpt": "Wie viele Ehrenamtliche braucht man für den Start?",
    }


async def test_a_reply_is_nested_under_its_comment_and_tells_the_commenter(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    question = await comment(forum, practice, DORTMUND, "Wie viele Ehrenamtliche braucht man?")
    reply = await comment(forum, practice, RIESA, "Fünf reichen für den Anfang. " * 20, parent=question)
    other = await comment(forum, practice, GROSSENHAIN, "Danke für das Beispiel!")
    thread = (await forum.client.get(f"/practices/{practice['id']}/comments", headers=forum.reader())).json()
    assert thread["total_count"] == 2
    assert [c["id"] for c in thread["items"]] == [question["id"], other["id"]]
    assert [r["id"] for r in thread["items"][0]["replies"]] == [reply["id"]]
    event = (await forum.events("zwk.austausch.comment.added"))[1]
    assert event["parent_comment_id"] == question["id"]
    assert event["parent_author_subject"] == f"staff@{DORTMUND}"
    assert len(event["body_excerpt"]) <= 200
    assert event["body_excerpt"].endswith("…")


async def test_replies_go_one_level_deep(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    top = await comment(forum, practice, DORTMUND, "Gibt es eine Satzung?")
    reply = await comment(forum, practice, RIESA, "Ja, wir schicken sie gern.", parent=top)
    response = await forum.client.post(
        f"/practices/{practice['id']}/comments",
        json={"body": "Bitte an uns auch!", "parent_comment_id": reply["id"]},
        headers=forum.member(GROSSENHAIN),
    )
    assert response.status_code == 422
    assert "one level" in response.json()["detail"]
    assert len(await forum.events("zwk.austausch.comment.added")) == 2


async def test_a_reply_must_answer_a_comment_on_the_same_practice(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    elsewhere = await forum.practice(title="Mitfahrbank")
    top = await comment(forum, elsewhere, DORTMUND, "Wo stehen die Bänke?")
    for parent in (top["id"], str(uuid.uuid4())):
        response = await forum.client.post(
            f"/practices/{practice['id']}/comments",
            json={"body": "Hier!", "parent_comment_id": parent},
            headers=forum.member(RIESA),
        )
        assert response.status_code == 422


async def test_drafts_take_no_comments(forum) -> None:  # type: ignore[no-untyped-def]
    draft = await forum.practice(publish=False)
    by_other = await forum.client.post(
        f"/practices/{draft['id']}/comments", json={"body": "Schon fertig?"}, headers=forum.member(DORTMUND)
    )
    assert by_other.status_code == 404
    by_owner = await forum.client.post(
        f"/practices/{draft['id']}/comments", json={"body": "Notiz"}, headers=forum.member(RIESA)
    )
    assert by_owner.status_code == 409


async def test_bad_comments_and_readers_are_refused(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    for body in ("", "  ", "K" * 5001):
        response = await forum.client.post(
            f"/practices/{practice['id']}/comments", json={"body": body}, headers=forum.member(DORTMUND)
        )
        assert response.status_code == 422
    reader = await forum.client.post(
        f"/practices/{practice['id']}/comments", json={"body": "Schön!"}, headers=forum.reader()
    )
    assert reader.status_code == 403
    for_other = await forum.client.post(
        f"/practices/{practice['id']}/comments",
        json={"body": "Schön!", "municipality_id": str(GROSSENHAIN)},
        headers=forum.member(DORTMUND),
    )
    assert for_other.status_code == 403
    assert await forum.events("zwk.austausch.comment.added") == []


async def test_the_comments_of_many_practices_in_one_read(forum) -> None:  # type: ignore[no-untyped-def]
    first = await forum.practice()
    second = await forum.practice(title="Mitfahrbank")
    draft = await forum.practice(title="Dorfladen", publish=False)
    await comment(forum, first, DORTMUND, "Eins")
    await comment(forum, first, GROSSENHAIN, "Zwei")
    await comment(forum, second, DORTMUND, "Drei")
    response = await forum.client.get(
        "/comments",
        params=[("practice_id", first["id"]), ("practice_id", second["id"]), ("practice_id", draft["id"])],
        headers=forum.member(DORTMUND),
    )
    assert response.status_code == 200
    assert [(c["practice_id"], c["body"]) for c in response.json()] == sorted(
        [(first["id"], "Eins"), (first["id"], "Zwei"), (second["id"], "Drei")], key=lambda pair: pair[0]
    )
    per_practice = await forum.client.get(
        "/comments", params=[("practice_id", first["id"]), ("per_practice", 1)], headers=forum.reader()
    )
    assert [c["body"] for c in per_practice.json()] == ["Eins"]
    practice = (await forum.client.get(f"/practices/{first['id']}", headers=forum.reader())).json()
    assert practice["comment_count"] == 2
