"""Input meant to break things is a clear 4xx problem, never a 500, and changes nothing."""

import base64
import json
import uuid

import pytest
from austausch_world import DORTMUND, NACHBARSCHAFTSBOERSE, RIESA  # type: ignore[import-not-found]


def cursor(*values: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(values)).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "change",
    [
        {"title": "Nachbarschafts\x00börse"},
        {"title": "Nachbarschafts\nbörse"},
        {"summary": "Kurz\x00"},
        {"body": "Text mit \x1b[31m Steuerzeichen"},
        {"contact": {"name": "Quartier\x00management"}},
        {"cost_note": "\x00"},
    ],
)
async def test_control_characters_are_refused(forum, change) -> None:  # type: ignore[no-untyped-def]
    response = await forum.client.post(
        "/practices", json={**NACHBARSCHAFTSBOERSE, **change}, headers=forum.member(RIESA)
    )
    assert response.status_code == 422, response.text
    assert (await forum.client.get("/practices", headers=forum.office())).json()["total_count"] == 0


async def test_markdown_with_line_breaks_and_tabs_is_kept_as_written(forum) -> None:  # type: ignore[no-untyped-def]
    body = "## Ablauf\n\n1. Aushang\n2. Treffen\n\n\tEingerückt\r\n**fett**"
    practice = await forum.practice(body=body)
    assert practice["body"] == body


async def test_nul_in_answers_comments_reports_and_adoptions_is_refused(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    question = await forum.question()
    dortmund = forum.member(DORTMUND)
    requests = [
        (f"/questions/{question['id']}/answers", {"body": "a\x00b"}),
        (f"/practices/{practice['id']}/comments", {"body": "a\x00b"}),
        ("/reports", {"target_kind": "practice", "target_id": practice["id"], "reason": "We\x00rbung"}),
        (f"/practices/{practice['id']}/adoptions", {"municipality_id": str(DORTMUND), "result": "a\x00b"}),
        ("/questions", {"municipality_id": str(DORTMUND), "title": "Frage\x00", "body": "?", "topics": ["wohnen"]}),
    ]
    for path, body in requests:
        response = await forum.client.post(path, json=body, headers=dortmund)
        assert response.status_code == 422, (path, response.text)
    assert [e["type"] for e in await forum.events()] == [
        "zwk.austausch.practice.published",
        "zwk.austausch.question.asked",
    ]


async def test_forged_cursors_are_refused_everywhere(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    reader, office, me = forum.reader(), forum.office(), forum.member(DORTMUND)
    forged = [
        ("/practices", cursor("gestern", str(uuid.uuid4())), reader),
        ("/practices", cursor("2024-01-01T00:00:00+00:00", "kein-uuid"), reader),
        ("/questions", cursor(1, 2, 3), reader),
        (f"/practices/{practice['id']}/comments", cursor("\x00", "\x00"), reader),
        ("/adoptions", "%%%", office),
        ("/moderation/reports", cursor("2024-01-01", "x"), office),
        ("/follows", cursor("2024-01-01T00:00:00+00:00", "topic\x00", "wohnen"), me),
        ("/follows", cursor("2024-01-01T00:00:00+00:00", "topic", "wohnen\x00"), me),
        ("/bookmarks", cursor("2024-01-01T00:00:00+00:00", "practice", "kein-uuid"), me),
        ("/search", cursor("r", "NaN", "practice", str(uuid.uuid4())), reader),
        ("/search", cursor("t", "2024-13-45", "practice", str(uuid.uuid4())), reader),
        ("/search", cursor("t", "2024-01-01T00:00:00+00:00", "comment\x00", str(uuid.uuid4())), reader),
        (f"/municipalities/{RIESA}/comparable/practices", cursor("viel", "x"), reader),
    ]
    for path, after, headers in forged:
        response = await forum.client.get(path, params={"after": after}, headers=headers)
        assert response.status_code == 422, (path, after, response.text)


async def test_a_topic_key_with_nul_or_spaces_is_not_followed(forum) -> None:  # type: ignore[no-untyped-def]
    me = forum.member(DORTMUND)
    for key in ("wohnen%00", "Wohnen", "wo hnen", "wohnen;drop"):
        response = await forum.client.put(f"/follows/topic/{key}", headers=me)
        assert response.status_code == 422, (key, response.text)


async def test_a_malformed_body_or_token_is_a_clear_problem(forum) -> None:  # type: ignore[no-untyped-def]
    riesa = forum.member(RIESA)
    not_json = await forum.client.post(
        "/practices", content=b"{nicht json", headers={**riesa, "content-type": "application/json"}
    )
    assert not_json.status_code == 422
    a_list = await forum.client.post("/practices", json=[1, 2, 3], headers=riesa)
    assert a_list.status_code == 422
    bad_token = await forum.client.get("/practices", headers={"Authorization": "Bearer kein.gueltiges.token"})
    assert bad_token.status_code == 401
    no_municipality = await forum.client.post(
        "/practices/" + str(uuid.uuid4()) + "/comments",
        json={"body": "Hallo"},
        headers=forum.member(RIESA),
    )
    assert no_municipality.status_code == 404
