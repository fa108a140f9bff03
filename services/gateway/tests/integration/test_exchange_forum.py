"""The exchange forum through the gateway: practices, German search, comments, comparable municipalities,
questions, follows, moderation, and the notifications benachrichtigung makes of it all."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from gateway_world import World, in_parallel, staff

from gateway.testing import Gateway, codes
from zwk_common.testing import eventually

pytestmark = pytest.mark.asyncio(loop_scope="module")

PUBLISH = """mutation($input: PracticeInput!) { publishPractice(input: $input) {
    id title summary body publishedAt municipality { name } topics { key label } comments { totalCount } } }"""
COMMENT = (
    "mutation($id: ID!, $body: String!) { addComment(practiceId: $id, body: $body) { id body authorName createdAt } }"
)
INBOX = """query($unread: Boolean) { myNotifications(unreadOnly: $unread) {
    totalCount edges { node { id kind category title body read createdAt } } } }"""
MARK = "mutation($id: ID!) { markNotificationRead(id: $id) { id read title } }"


@dataclass
class Forum:
    """Dortmund, Bochum, Riesa and Meißen, known to every service, each with a practice of its own."""

    dortmund: str
    bochum: str
    riesa: str
    meissen: str
    practices: dict[str, dict[str, Any]]


def person(municipality_id: str, subject: str, name: str) -> dict[str, Any]:
    """The claims of a member of a municipality's staff, as `Gateway.query` takes them."""
    return {"role": "municipality", "municipality_id": municipality_id, "subject": subject, "name": name}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def forum(world: World) -> Forum:
    dortmund, bochum, riesa, meissen = await in_parallel(
        [
            world.register(ags="05913000", kind="KREISFREIE_STADT", topics=["integration", "wohnen"]),
            world.register(ags="05911000", kind="KREISFREIE_STADT", topics=["integration", "mobilitaet"]),
            world.register(ags="14627230", kind="STADT", topics=["engagement", "wohnen"]),
            world.register(ags="14627140", kind="STADT", topics=["engagement", "leben-im-alter"]),
        ]
    )
    await world.known_everywhere([dortmund, bochum, riesa, meissen])
    practices = {
        "boerse": await world.practice(riesa, "Nachbarschaftsbörse Riesa", ["engagement"]),
        "senioren": await world.practice(meissen, "Nachbarschaftsbörse für Senioren", ["engagement", "leben-im-alter"]),
        "rufbus": await world.practice(bochum, "Rufbus im Quartier", ["mobilitaet"]),
        "nordstadt": await world.practice(dortmund, "Quartiersbüro Nordstadt", ["integration"]),
    }
    return Forum(dortmund, bochum, riesa, meissen, practices)


async def ok(gateway: Gateway, query: str, variables: dict[str, Any] | None = None, **who: Any) -> dict[str, Any]:
    answer = await gateway.query(query, variables, **who)
    assert "errors" not in answer, answer
    return answer["data"]  # type: ignore[no-any-return]


def practice_input(municipality_id: str, title: str, topics: list[str], **changes: Any) -> dict[str, Any]:
    return {
        "input": {
            "municipalityId": municipality_id,
            "title": title,
            "summary": "Nachbarn helfen Nachbarn.",
            "body": "## Wie es begann\n\nIm Quartier fehlte es an Hilfe.",
            "topics": topics,
            **changes,
        }
    }


async def test_a_municipality_publishes_a_practice_that_everyone_then_reads_whole(
    gateway: Gateway, forum: Forum
) -> None:
    riesa = person(forum.riesa, "anna.schmidt", "Anna Schmidt")
    published = (await ok(gateway, PUBLISH, practice_input(forum.riesa, "Repair-Café Weida", ["engagement"]), **riesa))[
        "publishPractice"
    ]
    assert published | {"id": None, "publishedAt": None} == {
        "id": None,
        "title": "Repair-Café Weida",
        "summary": "Nachbarn helfen Nachbarn.",
        "body": "## Wie es begann\n\nIm Quartier fehlte es an Hilfe.",
        "publishedAt": None,
        "municipality": {"name": "Riesa"},
        "topics": [{"key": "engagement", "label": "Bürgerschaftliches Engagement"}],
        "comments": {"totalCount": 0},
    }
    assert published["publishedAt"] is not None
    read = await ok(
        gateway,
        "query($id: ID!) { practice(id: $id) { id title body publishedAt municipality { ags } } }",
        {"id": published["id"]},
        role="reader",
    )
    assert read["practice"] == {
        "id": published["id"],
        "title": "Repair-Café Weida",
        "body": published["body"],
        "publishedAt": published["publishedAt"],
        "municipality": {"ags": "14627230"},
    }
    unknown = await ok(gateway, 'query { practice(id: "3d4b1c3e-6c1a-4f9e-9d7a-0b1e2c3d4e5f") { title } }')
    assert unknown == {"practice": None}


async def test_publishing_is_refused_to_others_and_for_bad_input_and_nothing_is_published(
    gateway: Gateway, forum: Forum
) -> None:
    for_riesa = practice_input(forum.riesa, "Tauschring Gröba", ["engagement"])
    stranger = await gateway.query(PUBLISH, for_riesa, **person(forum.dortmund, "k.berger", "Kerstin Berger"))
    assert codes(stranger) == ["FORBIDDEN"]
    assert stranger["errors"][0]["message"] == "Only the municipality that owns this entry may change it."
    assert codes(await gateway.query(PUBLISH, for_riesa, role="reader")) == ["FORBIDDEN"]

    riesa = person(forum.riesa, "anna.schmidt", "Anna Schmidt")
    short = await gateway.query(PUBLISH, practice_input(forum.riesa, "Tb", ["engagement"]), **riesa)
    assert codes(short) == ["BAD_USER_INPUT"]
    assert [f["field"] for f in short["errors"][0]["extensions"]["fields"]] == ["title"]
    unknown_topic = await gateway.query(PUBLISH, practice_input(forum.riesa, "Tauschring Gröba", ["basteln"]), **riesa)
    assert codes(unknown_topic) == ["BAD_USER_INPUT"]
    assert "basteln" in unknown_topic["errors"][0]["message"]
    not_an_id = await gateway.query(PUBLISH, practice_input("Riesa", "Tauschring Gröba", ["engagement"]), **riesa)
    assert codes(not_an_id) == ["BAD_USER_INPUT"]

    found = await ok(gateway, '{ practices(search: "Tauschring") { totalCount } }', role="reader")
    assert found == {"practices": {"totalCount": 0}}


SEARCH = """query($search: String, $topics: [String!], $first: Int, $after: String) {
    practices(search: $search, topics: $topics, first: $first, after: $after) {
      totalCount facets { key label count } pageInfo { hasNextPage endCursor }
      edges { node { title summary municipality { name } topics { key } } } } }"""


async def test_a_german_search_finds_other_forms_of_a_word_best_match_first_with_facets(
    gateway: Gateway, forum: Forum
) -> None:
    gateway.reset_calls()
    found = (await ok(gateway, SEARCH, {"search": "Nachbarschaftsbörsen"}, role="reader"))["practices"]
    assert found["totalCount"] == 2
    assert {e["node"]["title"] for e in found["edges"]} == {
        "Nachbarschaftsbörse Riesa",
        "Nachbarschaftsbörse für Senioren",
    }
    riesa = next(e["node"] for e in found["edges"] if e["node"]["title"] == "Nachbarschaftsbörse Riesa")
    assert riesa == {
        "title": "Nachbarschaftsbörse Riesa",
        "summary": "Nachbarschaftsbörse Riesa: wie es gelang.",
        "municipality": {"name": "Riesa"},
        "topics": [{"key": "engagement"}],
    }
    facets = {f["key"]: (f["label"], f["count"]) for f in found["facets"]}
    assert facets["engagement"] == ("Bürgerschaftliches Engagement", 2)
    assert facets["leben-im-alter"] == ("Leben im Alter", 1)
    # The search alone: a hit carries its summary and names its municipality; kommunen gives the topics' labels.
    assert gateway.calls == {"kommunen": 1, "prozess": 0, "austausch": 1, "benachrichtigung": 0}
    assert gateway.paths["kommunen", "/municipalities"] == 0

    gateway.reset_calls()
    query = 'query { practices(search: "Nachbarschaftsbörse") { edges { node { municipality { name ags } } } } }'
    with_ags = (await ok(gateway, query, role="reader"))["practices"]["edges"]
    assert {e["node"]["municipality"]["ags"] for e in with_ags} >= {"14627230"}
    # The official key is kommunen's: asked for it, the gateway asks kommunen once for all hits.
    assert gateway.paths["kommunen", "/municipalities"] == 1

    narrowed = (await ok(gateway, SEARCH, {"search": "Nachbarschaftsbörse", "topics": ["leben-im-alter"]}))["practices"]
    assert [e["node"]["title"] for e in narrowed["edges"]] == ["Nachbarschaftsbörse für Senioren"]
    assert {f["key"]: f["count"] for f in narrowed["facets"]}["engagement"] == 2  # facets ignore the topic filter
    # Not asked for, facets are not counted; the total still holds the topic filter.
    query = 'query { practices(search: "Nachbarschaftsbörse", topics: ["leben-im-alter"]) { totalCount } }'
    assert (await ok(gateway, query))["practices"] == {"totalCount": 1}

    paged = (await ok(gateway, SEARCH, {"search": "Nachbarschaftsbörse", "first": 1}))["practices"]
    rest = (await ok(gateway, SEARCH, {"search": "Nachbarschaftsbörse", "after": paged["pageInfo"]["endCursor"]}))[
        "practices"
    ]
    assert paged["pageInfo"]["hasNextPage"] is True
    assert {paged["edges"][0]["node"]["title"], rest["edges"][0]["node"]["title"]} == {
        "Nachbarschaftsbörse Riesa",
        "Nachbarschaftsbörse für Senioren",
    }

    too_long = await gateway.query(SEARCH, {"search": "x" * 501})
    assert codes(too_long) == ["BAD_USER_INPUT"]


async def test_without_search_words_the_newest_practices_on_a_topic_come_first(
    gateway: Gateway, world: World, forum: Forum
) -> None:
    await world.practice(forum.meissen, "Dorfladen Gröba", ["nahversorgung"])
    await world.practice(forum.bochum, "Mobiler Markt", ["nahversorgung"])
    found = (await ok(gateway, SEARCH, {"topics": ["nahversorgung"]}, role="reader"))["practices"]
    assert [e["node"]["title"] for e in found["edges"]] == ["Mobiler Markt", "Dorfladen Gröba"]
    assert found["totalCount"] == 2


async def test_comparable_municipalities_come_with_their_reasons_and_their_practices(
    gateway: Gateway, forum: Forum
) -> None:
    twins = (
        await ok(
            gateway,
            "query($id: ID!) { comparableMunicipalities(municipalityId: $id, first: 3) "
            "{ municipality { name } score reasons distanceKm sharedTopics { key label } } }",
            {"id": forum.dortmund},
            role="reader",
        )
    )["comparableMunicipalities"]
    assert twins[0]["municipality"] == {"name": "Bochum"}
    assert twins[0]["sharedTopics"] == [{"key": "integration", "label": "Integration"}]
    assert twins[0]["reasons"] and all(isinstance(reason, str) for reason in twins[0]["reasons"])
    assert 0 < twins[0]["distanceKm"] < 50
    assert twins[0]["score"] >= twins[-1]["score"]
    assert "Dortmund" not in [t["municipality"]["name"] for t in twins]

    practices = (
        await ok(
            gateway,
            "query($id: ID!) { comparablePractices(municipalityId: $id, first: 5) { title municipality { name } } }",
            {"id": forum.dortmund},
            role="reader",
        )
    )["comparablePractices"]
    # Bochum is Dortmund's closest twin: its practices come first.
    assert practices[0]["municipality"] == {"name": "Bochum"}
    assert {"title": "Rufbus im Quartier", "municipality": {"name": "Bochum"}} in practices
    assert "Quartiersbüro Nordstadt" not in [p["title"] for p in practices]
    unknown = await gateway.query(
        'query { comparablePractices(municipalityId: "6f1c1b8e-6a43-4c61-9a0e-4f3c6f1e2a10") { title } }'
    )
    assert codes(unknown) == ["NOT_FOUND"]


async def test_a_comment_is_added_and_the_practices_author_finds_it_in_the_inbox(
    gateway: Gateway, world: World, forum: Forum
) -> None:
    anna = person(forum.riesa, f"anna.schmidt@{forum.riesa}", "Anna Schmidt")
    practice = await world.practice(forum.riesa, "Seniorenlotsen Riesa", ["leben-im-alter"], author="anna.schmidt")
    kerstin = person(forum.dortmund, "kerstin.berger", "Kerstin Berger")
    added = (await ok(gateway, COMMENT, {"id": practice["id"], "body": "Wie viele Lotsen habt ihr?"}, **kerstin))[
        "addComment"
    ]
    assert added | {"id": None, "createdAt": None} == {
        "id": None,
        "body": "Wie viele Lotsen habt ihr?",
        "authorName": "Kerstin Berger",
        "createdAt": None,
    }

    async def told() -> dict[str, Any] | None:
        inbox = (await ok(gateway, INBOX, {"unread": True}, **anna))["myNotifications"]
        return inbox if inbox["edges"] else None

    inbox = await eventually(told, timeout=10, message="benachrichtigung never told the author")
    [notification] = [e["node"] for e in inbox["edges"]]
    assert (notification["kind"], notification["category"]) == ("austausch.comment.added", "comment")
    assert notification["title"] == "Neuer Kommentar zu Ihrem Praxisbeispiel „Seniorenlotsen Riesa“"
    assert "Wie viele Lotsen habt ihr?" in notification["body"]
    assert notification["read"] is False

    # Dortmund's person sees nothing of Anna's inbox and cannot mark her notification read.
    assert (await ok(gateway, INBOX, **kerstin))["myNotifications"]["totalCount"] == 0
    theirs = await gateway.query(MARK, {"id": notification["id"]}, **kerstin)
    assert codes(theirs) == ["NOT_FOUND"]
    assert codes(await gateway.query(MARK, {"id": notification["id"]}, role="reader")) == ["FORBIDDEN"]
    assert (await ok(gateway, "{ unreadNotificationCount }", **anna)) == {"unreadNotificationCount": 1}

    marked = (await ok(gateway, MARK, {"id": notification["id"]}, **anna))["markNotificationRead"]
    assert marked == {"id": notification["id"], "read": True, "title": notification["title"]}
    assert (await ok(gateway, INBOX, {"unread": True}, **anna))["myNotifications"]["totalCount"] == 0
    assert (await ok(gateway, INBOX, {"unread": False}, **anna))["myNotifications"]["totalCount"] == 1
    assert codes(await gateway.query(MARK, {"id": "not-an-id"}, **anna)) == ["BAD_USER_INPUT"]


async def test_a_follower_of_a_topic_is_told_of_a_practice_published_on_it(gateway: Gateway, forum: Forum) -> None:
    kerstin = person(forum.dortmund, "kerstin.berger.follows", "Kerstin Berger")
    assert await ok(gateway, 'mutation { followTopic(topic: "kinder-jugend-familie") }', **kerstin) == {
        "followTopic": True
    }
    again = await ok(gateway, 'mutation { followTopic(topic: "kinder-jugend-familie") }', **kerstin)
    assert again == {"followTopic": True}
    unknown = await gateway.query('mutation { followTopic(topic: "basteln") }', **kerstin)
    malformed = await gateway.query('mutation { followTopic(topic: "Kinder & Jugend") }', **kerstin)
    assert (codes(unknown), codes(malformed)) == (["NOT_FOUND"], ["BAD_USER_INPUT"])

    meissen = person(forum.meissen, "jens.krause", "Jens Krause")
    published = await ok(
        gateway, PUBLISH, practice_input(forum.meissen, "Jugendbeirat Meißen", ["kinder-jugend-familie"]), **meissen
    )

    async def told() -> list[dict[str, Any]]:
        inbox = (await ok(gateway, INBOX, **kerstin))["myNotifications"]
        return [e["node"] for e in inbox["edges"]]

    [notification] = await eventually(told, timeout=10, message="the follower was never told")
    assert (notification["kind"], notification["category"]) == ("austausch.practice.published", "practice_published")
    assert notification["title"] == "Neues Praxisbeispiel: „Jugendbeirat Meißen“"
    assert "Meißen" in notification["body"]
    # The one who published it is not told of their own doing.
    assert (await ok(gateway, INBOX, **meissen))["myNotifications"]["totalCount"] == 0
    assert published["publishPractice"]["title"] == "Jugendbeirat Meißen"


async def test_comments_page_on_from_the_oldest_in_one_call_per_level(
    gateway: Gateway, world: World, forum: Forum
) -> None:
    practice = forum.practices["nordstadt"]
    await in_parallel(
        world.comment(practice["id"], forum.bochum, f"Frage {n:02}", author=f"person{n:02}") for n in range(25)
    )
    query = """query($id: ID!, $after: String) { practice(id: $id) { comments(first: 10, after: $after) {
        totalCount edges { node { body authorName } } pageInfo { hasNextPage endCursor } } } }"""
    seen: list[str] = []
    after = None
    for _ in range(3):
        page = (await ok(gateway, query, {"id": practice["id"], "after": after}, role="reader"))["practice"]["comments"]
        assert page["totalCount"] == 25
        seen += [e["node"]["body"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"]
    assert sorted(seen) == [f"Frage {n:02}" for n in range(25)] and len(seen) == 25
    assert page["pageInfo"]["hasNextPage"] is False

    gone = await gateway.query(COMMENT, {"id": "3d4b1c3e-6c1a-4f9e-9d7a-0b1e2c3d4e5f", "body": "Hallo"})
    empty = await gateway.query(COMMENT, {"id": practice["id"], "body": "   "})
    reader = await gateway.query(COMMENT, {"id": practice["id"], "body": "Hallo"}, role="reader")
    assert (codes(gone), codes(empty), codes(reader)) == (["NOT_FOUND"], ["BAD_USER_INPUT"], ["FORBIDDEN"])


QUESTIONS = """query($topics: [String!], $answered: Boolean) { questions(topics: $topics, answered: $answered) {
    totalCount edges { node { id title authorName answerCount answered topics { key } municipality { name }
      answers(first: 2) { totalCount pageInfo { hasNextPage } edges { node { body authorName accepted } } } } } } }"""


async def test_a_question_is_asked_answered_and_its_answer_accepted_through_the_gateway(
    gateway: Gateway, forum: Forum
) -> None:
    riesa = person(forum.riesa, "anna.schmidt", "Anna Schmidt")
    asked = (
        await ok(
            gateway,
            "mutation($input: QuestionInput!) { askQuestion(input: $input) { id title answered topics { key } } }",
            {
                "input": {
                    "municipalityId": forum.riesa,
                    "title": "Wer hat Erfahrung mit einem Bürgerbus?",
                    "body": "Wir möchten einen Bürgerbus aufbauen.",
                    "topics": ["mobilitaet"],
                }
            },
            **riesa,
        )
    )["askQuestion"]
    assert (asked["answered"], asked["topics"]) == (False, [{"key": "mobilitaet"}])
    answered = (
        await ok(
            gateway,
            'mutation($id: ID!) { answerQuestion(questionId: $id, body: "Wir! Seit 2019.") '
            "{ id authorName accepted } }",
            {"id": asked["id"]},
            **person(forum.bochum, "lars.wagner", "Lars Wagner"),
        )
    )["answerQuestion"]
    assert (answered["authorName"], answered["accepted"]) == ("Lars Wagner", False)
    by_another = await gateway.query(
        "mutation($q: ID!, $a: ID!) { acceptAnswer(questionId: $q, answerId: $a) { answered } }",
        {"q": asked["id"], "a": answered["id"]},
        **person(forum.bochum, "lars.wagner", "Lars Wagner"),
    )
    assert codes(by_another) == ["FORBIDDEN"]
    accepted = (
        await ok(
            gateway,
            "mutation($q: ID!, $a: ID!) { acceptAnswer(questionId: $q, answerId: $a) { answered "
            "answers { edges { node { body accepted } } } } }",
            {"q": asked["id"], "a": answered["id"]},
            **riesa,
        )
    )["acceptAnswer"]
    assert accepted == {
        "answered": True,
        "answers": {"edges": [{"node": {"body": "Wir! Seit 2019.", "accepted": True}}]},
    }
    read = await ok(gateway, "query($id: ID!) { question(id: $id) { title answerCount } }", {"id": asked["id"]})
    assert read == {"question": {"title": "Wer hat Erfahrung mit einem Bürgerbus?", "answerCount": 1}}


async def test_questions_with_their_answers_take_one_call_per_level(
    gateway: Gateway, world: World, forum: Forum
) -> None:
    for n, asker in enumerate((forum.riesa, forum.meissen, forum.bochum)):
        question = await world.question(asker, f"Wie gewinnt man Ehrenamtliche? ({n})", ["buergerbeteiligung"])
        for m in range(n + 1):
            await world.answer(question["id"], forum.dortmund, f"Antwort {m}")
    gateway.reset_calls()
    data = await ok(gateway, QUESTIONS, {"topics": ["buergerbeteiligung"]}, role="reader")
    questions = [edge["node"] for edge in data["questions"]["edges"]]
    assert [q["answerCount"] for q in questions] == [3, 2, 1]
    assert [q["municipality"]["name"] for q in questions] == ["Bochum", "Meißen", "Riesa"]
    assert questions[0]["answers"]["totalCount"] == 3 and questions[0]["answers"]["pageInfo"]["hasNextPage"]
    assert [a["node"]["body"] for a in questions[0]["answers"]["edges"]] == ["Antwort 0", "Antwort 1"]
    # the questions; then, side by side, their municipalities and the topics (kommunen) and their answers (austausch)
    assert gateway.calls == {"kommunen": 2, "prozess": 0, "austausch": 2, "benachrichtigung": 0}
    unanswered = await ok(gateway, QUESTIONS, {"topics": ["buergerbeteiligung"], "answered": True})
    assert unanswered["questions"]["totalCount"] == 0


async def test_the_office_sees_the_moderation_queue_and_hides_a_practice(
    gateway: Gateway, world: World, forum: Forum
) -> None:
    practice = await world.practice(forum.bochum, "Kaffeefahrt mit Verkauf", ["begegnung"], author="verkauf")
    await world.report("practice", practice["id"], "Werbung für eine Verkaufsfahrt", staff(forum.riesa))
    queue_query = """{ moderationQueue(targetKind: "practice") { totalCount
        edges { node { targetKind targetId targetTitle targetHidden reason status } } } }"""
    queue = (await ok(gateway, queue_query))["moderationQueue"]
    assert queue["edges"][0]["node"] == {
        "targetKind": "practice",
        "targetId": practice["id"],
        "targetTitle": "Kaffeefahrt mit Verkauf",
        "targetHidden": False,
        "reason": "Werbung für eine Verkaufsfahrt",
        "status": "OPEN",
    }
    assert codes(await gateway.query(queue_query, role="municipality", municipality_id=forum.riesa)) == ["FORBIDDEN"]

    hide = """mutation($id: ID!, $kind: String!) {
        hideContent(targetKind: $kind, targetId: $id, reason: "Werbung ist hier nicht erlaubt.") }"""
    by_riesa = await gateway.query(hide, {"id": practice["id"], "kind": "practice"}, **person(forum.riesa, "a", "A"))
    assert codes(by_riesa) == ["FORBIDDEN"]
    assert await ok(gateway, hide, {"id": practice["id"], "kind": "practice"}) == {"hideContent": True}
    assert codes(await gateway.query(hide, {"id": practice["id"], "kind": "user"})) == ["BAD_USER_INPUT"]

    read = "query($id: ID!) { practice(id: $id) { title } }"
    assert await ok(gateway, read, {"id": practice["id"]}, role="reader") == {"practice": None}
    assert await ok(gateway, read, {"id": practice["id"]}) == {"practice": {"title": "Kaffeefahrt mit Verkauf"}}
    # Hiding decides the report: it leaves the open queue for the hidden ones.
    assert (await ok(gateway, queue_query))["moderationQueue"]["totalCount"] == 0
    decided = (await ok(gateway, queue_query.replace('(targetKind: "practice")', '(status: "HIDDEN")')))[
        "moderationQueue"
    ]["edges"][0]["node"]
    assert (decided["targetId"], decided["targetHidden"], decided["status"]) == (practice["id"], True, "HIDDEN")


async def test_notification_preferences_are_the_callers_own_and_checked(gateway: Gateway, forum: Forum) -> None:
    kerstin = person(forum.dortmund, "kerstin.berger.prefs", "Kerstin Berger")
    before = (await ok(gateway, "{ myNotificationPreferences { kind label channel frequency isDefault } }", **kerstin))[
        "myNotificationPreferences"
    ]
    comments = next(p for p in before if p["kind"] == "comment")
    assert comments == {
        "kind": "comment",
        "label": "Kommentare",
        "channel": "email",
        "frequency": "daily",
        "isDefault": True,
    }
    changed = await ok(
        gateway,
        'mutation { setNotificationPreference(kind: "comment", frequency: "weekly") { kind frequency isDefault } }',
        **kerstin,
    )
    assert changed == {"setNotificationPreference": {"kind": "comment", "frequency": "weekly", "isDefault": False}}
    others = await ok(gateway, "{ myNotificationPreferences { kind isDefault } }", **person(forum.dortmund, "x", "X"))
    assert {p["isDefault"] for p in others["myNotificationPreferences"]} == {True}

    hourly = await gateway.query(
        'mutation { setNotificationPreference(kind: "comment", frequency: "hourly") { frequency } }', **kerstin
    )
    assert codes(hourly) == ["BAD_USER_INPUT"]
    assert [f["field"] for f in hourly["errors"][0]["extensions"]["fields"]] == ["frequency"]
    unknown = await gateway.query(
        'mutation { setNotificationPreference(kind: "gossip", frequency: "daily") { frequency } }', **kerstin
    )
    assert codes(unknown) == ["NOT_FOUND"]
    assert await ok(gateway, "mutation { markAllNotificationsRead }", **kerstin) == {"markAllNotificationsRead": 0}
