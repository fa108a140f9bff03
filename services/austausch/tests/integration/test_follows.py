"""Following topics, practices and questions; bookmarks."""

import uuid

import nats
from austausch_world import DORTMUND, RIESA  # type: ignore[import-not-found]

from zwk_common.settings import ServiceSettings
from zwk_common.testing import eventually


async def test_following_a_topic_is_told_once_with_the_persons_address(forum) -> None:  # type: ignore[no-untyped-def]
    me = forum.member(DORTMUND, email="quartier@dortmund.example")
    first = await forum.client.put("/follows/topic/gesundheit-pflege", headers=me)
    assert first.status_code == 201
    assert first.json()["target_id"] == "gesundheit-pflege"
    again = await forum.client.put("/follows/topic/gesundheit-pflege", headers=me)
    assert again.status_code == 200
    assert await forum.events() == [
        {
            "type": "zwk.austausch.follow.started",
            "subject": f"staff@{DORTMUND}",
            "target_kind": "topic",
            "target_id": "gesundheit-pflege",
            "email": "quartier@dortmund.example",
        }
    ]


async def test_unfollowing_is_told_once(forum) -> None:  # type: ignore[no-untyped-def]
    me = forum.member(DORTMUND, email="quartier@dortmund.example")
    practice = await forum.practice()
    await forum.client.put(f"/follows/practice/{practice['id']}", headers=me)
    assert (await forum.client.delete(f"/follows/practice/{practice['id']}", headers=me)).status_code == 204
    assert (await forum.client.delete(f"/follows/practice/{practice['id']}", headers=me)).status_code == 204
    stopped = await forum.events("zwk.austausch.follow.stopped")
    assert stopped == [
        {
            "type": "zwk.austausch.follow.stopped",
            "subject": f"staff@{DORTMUND}",
            "target_kind": "practice",
            "target_id": practice["id"],
            "email": "quartier@dortmund.example",
        }
    ]
    assert (await forum.client.get("/follows", headers=me)).json()["items"] == []


async def test_a_person_sees_only_their_own_follows(forum) -> None:  # type: ignore[no-untyped-def]
    question = await forum.question()
    mine = forum.member(DORTMUND)
    await forum.client.put("/follows/topic/wohnen", headers=mine)
    await forum.client.put(f"/follows/question/{question['id']}", headers=mine)
    await forum.client.put("/follows/topic/integration", headers=forum.member(RIESA))
    follows = (await forum.client.get("/follows", headers=mine)).json()
    assert follows["total_count"] == 2
    assert [(f["target_kind"], f["target_id"]) for f in follows["items"]] == [
        ("question", question["id"]),
        ("topic", "wohnen"),
    ]
    first = (await forum.client.get("/follows", params={"first": 1}, headers=mine)).json()
    rest = (await forum.client.get("/follows", params={"first": 1, "after": first["next_cursor"]}, headers=mine)).json()
    assert [f["target_id"] for f in first["items"] + rest["items"]] == [question["id"], "wohnen"]


async def test_what_does_not_exist_or_is_not_visible_cannot_be_followed(forum) -> None:  # type: ignore[no-untyped-def]
    me = forum.member(DORTMUND)
    draft = await forum.practice(publish=False)
    assert (await forum.client.put("/follows/topic/raumfahrt", headers=me)).status_code == 404
    assert (await forum.client.put(f"/follows/practice/{uuid.uuid4()}", headers=me)).status_code == 404
    assert (await forum.client.put(f"/follows/practice/{draft['id']}", headers=me)).status_code == 404
    assert (await forum.client.put("/follows/practice/kein-uuid", headers=me)).status_code == 422
    assert (await forum.client.put("/follows/municipality/wohnen", headers=me)).status_code == 422
    assert (await forum.client.put(f"/follows/topic/{'x' * 65}", headers=me)).status_code == 422
    assert await forum.events() == []


async def test_a_reader_neither_follows_nor_bookmarks(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    reader = forum.reader()
    assert (await forum.client.put("/follows/topic/wohnen", headers=reader)).status_code == 403
    assert (await forum.client.put(f"/bookmarks/practice/{practice['id']}", headers=reader)).status_code == 403
    assert len(await forum.events()) == 1


async def test_bookmarks_are_personal(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    question = await forum.question()
    mine = forum.member(DORTMUND)
    assert (await forum.client.put(f"/bookmarks/practice/{practice['id']}", headers=mine)).status_code == 201
    assert (await forum.client.put(f"/bookmarks/practice/{practice['id']}", headers=mine)).status_code == 200
    assert (await forum.client.put(f"/bookmarks/question/{question['id']}", headers=mine)).status_code == 201
    marks = (await forum.client.get("/bookmarks", headers=mine)).json()
    assert [(b["target_kind"], b["target_id"]) for b in marks["items"]] == [
        ("question", question["id"]),
        ("practice", practice["id"]),
    ]
    assert (await forum.client.get("/bookmarks", headers=forum.member(RIESA))).json()["items"] == []
    assert (await forum.client.delete(f"/bookmarks/question/{question['id']}", headers=mine)).status_code == 204
    assert (await forum.client.get("/bookmarks", headers=mine)).json()["total_count"] == 1
    assert (await forum.client.put(f"/bookmarks/practice/{uuid.uuid4()}", headers=mine)).status_code == 404
    assert (await forum.client.put(f"/bookmarks/topic/{practice['id']}", headers=mine)).status_code == 422
    # Bookmarks tell no one.
    assert [e["type"] for e in await forum.events()] == [
        "zwk.austausch.practice.published",
        "zwk.austausch.question.asked",
    ]


async def test_follow_events_reach_the_stream_through_the_outbox(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.client.put("/follows/topic/integration", headers=forum.member(DORTMUND))
    settings = ServiceSettings()
    connection = await nats.connect(settings.nats_url)
    try:
        stream = connection.jetstream()

        async def published() -> dict | None:  # type: ignore[type-arg]
            try:
                message = await stream.get_last_msg(
                    settings.event_stream, settings.subject_for("zwk.austausch.follow.started")
                )
            except nats.js.errors.NotFoundError:
                return None
            return message.headers  # type: ignore[return-value]

        headers = await eventually(published)
        assert headers["Ce-Type"] == "zwk.austausch.follow.started"
    finally:
        await connection.close()
