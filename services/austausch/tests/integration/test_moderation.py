"""Moderation: the office hides with a reason and keeps the content; reports fill its queue."""

import uuid

import pytest
from austausch_world import BOCHUM, DORTMUND, GROSSENHAIN, RIESA  # type: ignore[import-not-found]

REASON = "Enthält Werbung für ein Unternehmen."


async def hide(forum, kind, target_id, headers=None, reason=REASON):  # type: ignore[no-untyped-def]
    return await forum.client.post(
        f"/moderation/{kind}/{target_id}/hide", json={"reason": reason}, headers=headers or forum.office()
    )


async def report(forum, kind, target_id, municipality_id=DORTMUND, person="staff", reason="Das ist Werbung."):  # type: ignore[no-untyped-def]
    return await forum.client.post(
        "/reports",
        json={"target_kind": kind, "target_id": str(target_id), "reason": reason},
        headers=forum.member(municipality_id, person),
    )


async def test_a_hidden_practice_is_kept_but_shown_only_to_its_municipality_and_the_author_is_told(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    response = await hide(forum, "practice", practice["id"])
    assert response.status_code == 200
    assert response.json()["hidden"] is True
    assert (await forum.client.get(f"/practices/{practice['id']}", headers=forum.member(DORTMUND))).status_code == 404
    own = (await forum.client.get(f"/practices/{practice['id']}", headers=forum.member(RIESA))).json()
    assert own["hidden"] is True
    assert own["hidden_reason"] == REASON
    event = (await forum.events("zwk.austausch.practice.hidden"))[0]
    assert event["reason"] == REASON
    assert event["author_subject"] == f"staff@{RIESA}"
    assert event["actor"] == "geschaeftsstelle-1"
    assert event["municipality_id"] == str(RIESA)


async def test_restoring_shows_and_finds_the_practice_again(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    await hide(forum, "practice", practice["id"])
    restored = await forum.client.post(f"/moderation/practice/{practice['id']}/restore", headers=forum.office())
    assert restored.json()["hidden"] is False
    assert (await forum.client.get(f"/practices/{practice['id']}", headers=forum.member(DORTMUND))).status_code == 200
    found = (await forum.client.get("/search", params={"q": "Nachbarschaftsbörse"}, headers=forum.reader())).json()
    assert [hit["id"] for hit in found["items"]] == [practice["id"]]


async def test_questions_answers_and_comments_are_hidden_with_their_own_events(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    question = await forum.question(municipality_id=DORTMUND)
    answer = (
        await forum.client.post(
            f"/questions/{question['id']}/answers", json={"body": "Rufen Sie an!"}, headers=forum.member(GROSSENHAIN)
        )
    ).json()
    comment = (
        await forum.client.post(
            f"/practices/{practice['id']}/comments", json={"body": "Kaufen Sie!"}, headers=forum.member(BOCHUM)
        )
    ).json()
    for kind, target in (("question", question), ("answer", answer), ("comment", comment)):
        assert (await hide(forum, kind, target["id"])).status_code == 200
    assert [
        (e["type"], e["target_id"], e["municipality_id"], e["author_subject"], e["reason"])
        for e in await forum.events()
        if e["type"].endswith(".hidden")
    ] == [
        ("zwk.austausch.question.hidden", question["id"], str(DORTMUND), f"staff@{DORTMUND}", REASON),
        ("zwk.austausch.answer.hidden", answer["id"], str(GROSSENHAIN), f"staff@{GROSSENHAIN}", REASON),
        ("zwk.austausch.comment.hidden", comment["id"], str(BOCHUM), f"staff@{BOCHUM}", REASON),
    ]
    reader = forum.reader()
    assert (await forum.client.get(f"/questions/{question['id']}", headers=reader)).status_code == 404
    thread = (await forum.client.get(f"/practices/{practice['id']}/comments", headers=reader)).json()
    assert thread["items"] == []
    # The author still sees what was hidden, and why.
    own = (await forum.client.get(f"/practices/{practice['id']}/comments", headers=forum.member(BOCHUM))).json()
    assert own["items"][0]["hidden_reason"] == REASON


async def test_hiding_twice_tells_the_author_once(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    await hide(forum, "practice", practice["id"])
    again = await hide(forum, "practice", practice["id"], reason="Noch einmal.")
    assert again.json()["hidden_reason"] == REASON
    assert len(await forum.events("zwk.austausch.practice.hidden")) == 1


@pytest.mark.parametrize("role", ["municipality", "adviser", "reader"])
async def test_only_the_office_moderates(forum, role) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    headers = {
        "municipality": forum.member(RIESA),
        "adviser": forum.adviser(RIESA),
        "reader": forum.reader(),
    }[role]
    assert (await hide(forum, "practice", practice["id"], headers=headers)).status_code == 403
    restore = await forum.client.post(f"/moderation/practice/{practice['id']}/restore", headers=headers)
    assert restore.status_code == 403
    assert (await forum.client.get("/moderation/reports", headers=headers)).status_code == 403
    bulk = await forum.client.post(
        "/moderation/reports/bulk", json={"report_ids": [str(uuid.uuid4())], "action": "DISMISS"}, headers=headers
    )
    assert bulk.status_code == 403
    assert (await forum.client.get(f"/practices/{practice['id']}", headers=forum.reader())).status_code == 200


async def test_hiding_needs_a_reason_and_an_existing_target(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    assert (await hide(forum, "practice", practice["id"], reason="")).status_code == 422
    assert (await hide(forum, "practice", practice["id"], reason="R" * 1001)).status_code == 422
    assert (await hide(forum, "practice", uuid.uuid4())).status_code == 404
    assert (await hide(forum, "municipality", practice["id"])).status_code == 422
    assert await forum.events("zwk.austausch.practice.hidden") == []


async def test_a_report_lands_in_the_office_queue(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    filed = await report(forum, "practice", practice["id"])
    assert filed.status_code == 201
    assert filed.json()["status"] == "OPEN"
    await report(forum, "practice", practice["id"], municipality_id=GROSSENHAIN)
    [event, _] = await forum.events("zwk.austausch.report.filed")
    assert event == {
        "type": "zwk.austausch.report.filed",
        "report_id": filed.json()["id"],
        "target_kind": "practice",
        "target_id": practice["id"],
        "reason": "Das ist Werbung.",
    }
    queue = (await forum.client.get("/moderation/reports", headers=forum.office())).json()
    assert queue["total_count"] == 2
    first = queue["items"][0]
    assert first["target_title"] == "Nachbarschaftsbörse Riesa"
    assert first["target_municipality_id"] == str(RIESA)
    assert first["open_reports_on_target"] == 2
    assert first["target_hidden"] is False


async def test_reporting_the_same_thing_twice_is_a_conflict(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    assert (await report(forum, "practice", practice["id"])).status_code == 201
    assert (await report(forum, "practice", practice["id"])).status_code == 409


async def test_bad_reports_are_refused(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    draft = await forum.practice(title="Mitfahrbank", publish=False)
    assert (await report(forum, "practice", uuid.uuid4())).status_code == 404
    assert (await report(forum, "practice", draft["id"])).status_code == 404
    assert (await report(forum, "practice", practice["id"], reason="")).status_code == 422
    assert (await report(forum, "bookmark", practice["id"])).status_code == 422
    by_reader = await forum.client.post(
        "/reports",
        json={"target_kind": "practice", "target_id": practice["id"], "reason": "Werbung"},
        headers=forum.reader(),
    )
    assert by_reader.status_code == 403
    assert await forum.events("zwk.austausch.report.filed") == []


async def test_bulk_hiding_decides_every_report_on_the_targets(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    question = await forum.question(municipality_id=DORTMUND)
    first = (await report(forum, "practice", practice["id"])).json()
    (await report(forum, "practice", practice["id"], municipality_id=GROSSENHAIN)).json()
    second = (await report(forum, "question", question["id"], municipality_id=BOCHUM)).json()
    response = await forum.client.post(
        "/moderation/reports/bulk",
        json={"report_ids": [first["id"], second["id"]], "action": "HIDE", "reason": REASON},
        headers=forum.office(),
    )
    assert response.status_code == 200, response.text
    assert response.json()["resolved_reports"] == 3
    assert sorted(h["target_kind"] for h in response.json()["hidden"]) == ["practice", "question"]
    assert (await forum.client.get("/moderation/reports", headers=forum.office())).json()["total_count"] == 0
    decided = (
        await forum.client.get("/moderation/reports", params={"status": "HIDDEN"}, headers=forum.office())
    ).json()
    assert decided["total_count"] == 3
    assert {r["resolution_note"] for r in decided["items"]} == {REASON}
    types = [e["type"] for e in await forum.events()]
    assert "zwk.austausch.practice.hidden" in types
    assert "zwk.austausch.question.hidden" in types


async def test_bulk_dismissing_keeps_the_content(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    filed = (await report(forum, "practice", practice["id"])).json()
    response = await forum.client.post(
        "/moderation/reports/bulk", json={"report_ids": [filed["id"]], "action": "DISMISS"}, headers=forum.office()
    )
    assert response.json() == {"resolved_reports": 1, "hidden": []}
    assert (await forum.client.get(f"/practices/{practice['id']}", headers=forum.reader())).status_code == 200


async def test_a_bulk_action_with_an_unknown_or_decided_report_changes_nothing(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    question = await forum.question()
    open_one = (await report(forum, "practice", practice["id"])).json()
    decided = (await report(forum, "question", question["id"])).json()
    office = forum.office()
    await forum.client.post(
        "/moderation/reports/bulk", json={"report_ids": [decided["id"]], "action": "DISMISS"}, headers=office
    )
    unknown = await forum.client.post(
        "/moderation/reports/bulk",
        json={"report_ids": [open_one["id"], str(uuid.uuid4())], "action": "HIDE", "reason": REASON},
        headers=office,
    )
    assert unknown.status_code == 422
    conflict = await forum.client.post(
        "/moderation/reports/bulk",
        json={"report_ids": [open_one["id"], decided["id"]], "action": "HIDE", "reason": REASON},
        headers=office,
    )
    assert conflict.status_code == 409
    assert conflict.json()["decided_reports"] == [decided["id"]]
    no_reason = await forum.client.post(
        "/moderation/reports/bulk", json={"report_ids": [open_one["id"]], "action": "HIDE"}, headers=office
    )
    assert no_reason.status_code == 422
    too_many = await forum.client.post(
        "/moderation/reports/bulk",
        json={"report_ids": [str(uuid.uuid4()) for _ in range(101)], "action": "DISMISS"},
        headers=office,
    )
    assert too_many.status_code == 422
    assert (await forum.client.get(f"/practices/{practice['id']}", headers=forum.reader())).status_code == 200
    queue = (await forum.client.get("/moderation/reports", headers=office)).json()
    assert [r["id"] for r in queue["items"]] == [open_one["id"]]
    assert await forum.events("zwk.austausch.practice.hidden") == []
