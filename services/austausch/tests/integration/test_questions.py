"""Questions and answers: a municipality asks, others answer, the asker accepts the helpful answer."""

import uuid

import pytest
from austausch_world import BOCHUM, DORTMUND, GROSSENHAIN, RIESA  # type: ignore[import-not-found]


async def answer(forum, question, municipality_id, body="Wir haben 2019 mit zehn Ehrenamtlichen begonnen."):  # type: ignore[no-untyped-def]
    response = await forum.client.post(
        f"/questions/{question['id']}/answers", json={"body": body}, headers=forum.member(municipality_id)
    )
    assert response.status_code == 201, response.text
    return response.json()


async def test_a_question_is_asked_for_everyone_to_read(forum) -> None:  # type: ignore[no-untyped-def]
    question = await forum.question()
    assert question["municipality_name"] == "Riesa"
    assert question["answer_count"] == 0
    assert question["accepted_answer_id"] is None
    read = await forum.client.get(f"/questions/{question['id']}", headers=forum.reader())
    assert read.json()["title"] == "Wer hat Erfahrung mit einer Nachbarschaftsbörse?"
    assert await forum.events() == [
        {
            "type": "zwk.austausch.question.asked",
            "question_id": question["id"],
            "municipality_id": str(RIESA),
            "title": "Wer hat Erfahrung mit einer Nachbarschaftsbörse?",
            "topics": ["engagement"],
            "author_subject": f"staff@{RIESA}",
        }
    ]


async def test_others_answer_and_the_asker_is_told(forum) -> None:  # type: ignore[no-untyped-def]
    question = await forum.question()
    given = await answer(forum, question, GROSSENHAIN)
    assert given["municipality_name"] == "Großenhain"
    assert given["accepted"] is False
    [event] = await forum.events("zwk.austausch.answer.added")
    assert event == {
        "type": "zwk.austausch.answer.added",
        "question_id": question["id"],
        "answer_id": given["id"],
        "question_title": question["title"],
        "question_author_subject": f"staff@{RIESA}",
        "question_municipality_id": str(RIESA),
        "author_subject": f"staff@{GROSSENHAIN}",
        "municipality_id": str(GROSSENHAIN),
    }
    listed = (await forum.client.get(f"/questions/{question['id']}/answers", headers=forum.reader())).json()
    assert [a["id"] for a in listed["items"]] == [given["id"]]
    assert (await forum.client.get(f"/questions/{question['id']}", headers=forum.reader())).json()["answer_count"] == 1


async def test_the_asker_accepts_the_helpful_answer_and_may_change_their_mind(forum) -> None:  # type: ignore[no-untyped-def]
    question = await forum.question()
    first = await answer(forum, question, GROSSENHAIN)
    second = await answer(forum, question, DORTMUND, "Bei uns läuft das über das Quartiersbüro.")
    riesa = forum.member(RIESA, "colleague")
    accepted = await forum.client.post(f"/questions/{question['id']}/answers/{first['id']}/accept", headers=riesa)
    assert accepted.status_code == 200
    assert accepted.json()["accepted_answer_id"] == first["id"]
    await forum.client.post(f"/questions/{question['id']}/answers/{second['id']}/accept", headers=riesa)
    # Accepting the same answer again changes nothing and tells no one again.
    await forum.client.post(f"/questions/{question['id']}/answers/{second['id']}/accept", headers=riesa)
    answers = (await forum.client.get(f"/questions/{question['id']}/answers", headers=riesa)).json()["items"]
    assert [(a["id"], a["accepted"]) for a in answers] == [(first["id"], False), (second["id"], True)]
    events = await forum.events("zwk.austausch.answer.accepted")
    assert [(e["answer_id"], e["author_subject"], e["municipality_id"]) for e in events] == [
        (first["id"], f"staff@{GROSSENHAIN}", str(GROSSENHAIN)),
        (second["id"], f"staff@{DORTMUND}", str(DORTMUND)),
    ]
    answered = await forum.client.get("/questions", params={"answered": "true"}, headers=forum.reader())
    assert [q["id"] for q in answered.json()["items"]] == [question["id"]]


async def test_only_the_asking_municipality_accepts(forum) -> None:  # type: ignore[no-untyped-def]
    question = await forum.question()
    given = await answer(forum, question, GROSSENHAIN)
    for other in (forum.member(GROSSENHAIN), forum.member(DORTMUND), forum.reader(), forum.adviser(BOCHUM)):
        response = await forum.client.post(f"/questions/{question['id']}/answers/{given['id']}/accept", headers=other)
        assert response.status_code == 403
    assert (await forum.client.get(f"/questions/{question['id']}", headers=forum.reader())).json()[
        "accepted_answer_id"
    ] is None
    assert await forum.events("zwk.austausch.answer.accepted") == []


async def test_an_answer_to_another_question_cannot_be_accepted(forum) -> None:  # type: ignore[no-untyped-def]
    question = await forum.question()
    other = await forum.question(municipality_id=DORTMUND, title="Wie gewinnt man Ehrenamtliche?")
    elsewhere = await answer(forum, other, GROSSENHAIN)
    response = await forum.client.post(
        f"/questions/{question['id']}/answers/{elsewhere['id']}/accept", headers=forum.member(RIESA)
    )
    assert response.status_code == 404


async def test_a_municipality_asks_and_answers_only_for_itself_and_a_reader_never(forum) -> None:  # type: ignore[no-untyped-def]
    body = {
        "municipality_id": str(DORTMUND),
        "title": "Wer hat Erfahrung mit einer Nachbarschaftsbörse?",
        "body": "Wie fängt man an?",
        "topics": ["engagement"],
    }
    assert (await forum.client.post("/questions", json=body, headers=forum.member(RIESA))).status_code == 403
    assert (await forum.client.post("/questions", json=body, headers=forum.reader())).status_code == 403
    question = await forum.question()
    as_other = await forum.client.post(
        f"/questions/{question['id']}/answers",
        json={"body": "Fragen Sie Dortmund.", "municipality_id": str(DORTMUND)},
        headers=forum.member(RIESA),
    )
    assert as_other.status_code == 403
    by_reader = await forum.client.post(
        f"/questions/{question['id']}/answers", json={"body": "Ich lese nur."}, headers=forum.reader()
    )
    assert by_reader.status_code == 403
    assert len(await forum.events()) == 1


async def test_only_the_asking_municipality_edits_its_question(forum) -> None:  # type: ignore[no-untyped-def]
    question = await forum.question()
    response = await forum.client.patch(
        f"/questions/{question['id']}",
        json={"title": "Nachbarschaftsbörse – wie anfangen?"},
        headers=forum.member(RIESA),
    )
    assert response.status_code == 200
    assert response.json()["title"] == "Nachbarschaftsbörse – wie anfangen?"
    other = await forum.client.patch(
        f"/questions/{question['id']}", json={"title": "Übernommen"}, headers=forum.member(DORTMUND)
    )
    assert other.status_code == 403


@pytest.mark.parametrize(
    "change",
    [
        {"title": ""},
        {"title": "F" * 201},
        {"body": ""},
        {"body": "B" * 20_001},
        {"topics": []},
        {"topics": ["raumfahrt"]},
        {"municipality_id": str(uuid.uuid4())},
    ],
)
async def test_bad_questions_are_refused_and_nothing_is_asked(forum, change) -> None:  # type: ignore[no-untyped-def]
    body = {
        "municipality_id": str(RIESA),
        "title": "Wer hat Erfahrung mit einer Nachbarschaftsbörse?",
        "body": "Wie fängt man an?",
        "topics": ["engagement"],
        **change,
    }
    headers = forum.member(uuid.UUID(body["municipality_id"]))
    response = await forum.client.post("/questions", json=body, headers=headers)
    assert response.status_code == 422, response.text
    assert (await forum.client.get("/questions", headers=forum.office())).json()["total_count"] == 0
    assert await forum.events() == []


async def test_empty_or_overlong_answers_are_refused(forum) -> None:  # type: ignore[no-untyped-def]
    question = await forum.question()
    for body in ("", "   ", "A" * 20_001):
        response = await forum.client.post(
            f"/questions/{question['id']}/answers", json={"body": body}, headers=forum.member(DORTMUND)
        )
        assert response.status_code == 422
    missing = await forum.client.post(
        f"/questions/{uuid.uuid4()}/answers", json={"body": "Gern!"}, headers=forum.member(DORTMUND)
    )
    assert missing.status_code == 404
    assert (await forum.client.get(f"/questions/{question['id']}", headers=forum.reader())).json()["answer_count"] == 0


async def test_batch_reads_of_questions_and_their_answers(forum) -> None:  # type: ignore[no-untyped-def]
    first = await forum.question()
    second = await forum.question(municipality_id=DORTMUND, title="Wie gewinnt man Ehrenamtliche?")
    await answer(forum, first, GROSSENHAIN)
    await answer(forum, second, RIESA, "Mit einer Ehrenamtsbörse.")
    await answer(forum, second, GROSSENHAIN, "Mit einem Fest.")
    questions = await forum.client.get(
        "/questions", params=[("ids", second["id"]), ("ids", first["id"])], headers=forum.reader()
    )
    assert [q["id"] for q in questions.json()["items"]] == [second["id"], first["id"]]
    answers = await forum.client.get(
        "/answers",
        params=[("question_id", first["id"]), ("question_id", second["id"]), ("per_question", 1)],
        headers=forum.reader(),
    )
    assert answers.status_code == 200
    assert sorted((a["question_id"], a["body"]) for a in answers.json()) == sorted(
        [(first["id"], "Wir haben 2019 mit zehn Ehrenamtlichen begonnen."), (second["id"], "Mit einer Ehrenamtsbörse.")]
    )
