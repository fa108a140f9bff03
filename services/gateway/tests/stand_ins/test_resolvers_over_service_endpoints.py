"""The core's queries and mutations over the service endpoints as the services' branches define them."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from gateway.testing import Gateway, auth, codes

pytestmark = pytest.mark.asyncio(loop_scope="module")

STAGES = ["KICK_OFF", "KOMMUNALPROFIL", "ZUKUNFTSWERKSTATT", "WERKSTATTPLAN", "ZWISCHENBILANZ"]


def requests_by_service(world: Any) -> Counter[str]:
    return Counter(service for service, _, _ in world.requests)


async def ok(gateway: Gateway, query: str, variables: dict[str, Any] | None = None, **who: Any) -> dict[str, Any]:
    answer = await gateway.query(query, variables, **who)
    assert "errors" not in answer, answer
    return answer["data"]  # type: ignore[no-any-return]


async def test_a_hundred_municipalities_with_stages_practices_and_comments_take_one_call_per_service_per_level(
    gateway: Gateway, world: Any
) -> None:
    for n in range(100):
        municipality = world.municipality(f"Gemeinde {n:03}", current=n % 3)
        world.practice(municipality, f"Nachbarschaftsbörse {n:03}", ["engagement"], comments=2)
    query = """
    { municipalities(first: 100) { totalCount edges { node {
        name currentStage stages { stage status }
        practices(first: 5) { totalCount edges { node {
          title municipality { name } comments(first: 2) { totalCount edges { node { body } } }
        } } }
    } } } }
    """
    world.requests.clear()
    gateway.reset_calls()
    data = await ok(gateway, query, role="reader")
    nodes = [edge["node"] for edge in data["municipalities"]["edges"]]
    assert len(nodes) == 100 and data["municipalities"]["totalCount"] == 100
    assert nodes[8]["currentStage"] == "KOMMUNALPROFIL"
    assert nodes[7]["practices"]["edges"][0]["node"]["municipality"] == {"name": "Gemeinde 007"}
    assert nodes[7]["practices"]["edges"][0]["node"]["comments"]["totalCount"] == 2
    # kommunen: the list; prozess: all processes; austausch: the practices, then their comments.
    assert requests_by_service(world) == {"kommunen": 1, "prozess": 1, "austausch": 2}
    assert gateway.calls == {"kommunen": 1, "prozess": 1, "austausch": 2, "benachrichtigung": 0}


async def test_municipalities_page_on_with_the_end_cursor_and_from_any_edge(gateway: Gateway, world: Any) -> None:
    for name in ("Arnsberg", "Bocholt", "Coesfeld", "Dorsten", "Emsdetten"):
        world.municipality(name)
    query = """query($after: String) { municipalities(first: 2, after: $after) {
        totalCount edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }"""
    first = (await ok(gateway, query))["municipalities"]
    assert [e["node"]["name"] for e in first["edges"]] == ["Arnsberg", "Bocholt"]
    assert first["totalCount"] == 5 and first["pageInfo"]["hasNextPage"] is True
    second = (await ok(gateway, query, {"after": first["pageInfo"]["endCursor"]}))["municipalities"]
    assert [e["node"]["name"] for e in second["edges"]] == ["Coesfeld", "Dorsten"]
    from_first_edge = (await ok(gateway, query, {"after": first["edges"][0]["cursor"]}))["municipalities"]
    assert [e["node"]["name"] for e in from_first_edge["edges"]] == ["Bocholt", "Coesfeld"]
    last = (await ok(gateway, query, {"after": second["pageInfo"]["endCursor"]}))["municipalities"]
    assert [e["node"]["name"] for e in last["edges"]] == ["Emsdetten"]
    assert last["pageInfo"]["hasNextPage"] is False
    forged = await gateway.query(query, {"after": "bm90LWEtY3Vyc29y"})
    assert codes(forged) == ["BAD_USER_INPUT"]
    assert forged["errors"][0]["message"] == "The cursor `after` is not one this API gave out."


async def test_municipalities_filter_by_current_stage_and_overdue_through_prozess(gateway: Gateway, world: Any) -> None:
    world.municipality("Altena", current=0)
    world.municipality("Brilon", current=2, topics=["wohnen"])
    world.municipality("Calw", current=2)
    world.municipality("Diez", current=3)
    query = """query($filter: MunicipalityFilter) { municipalities(filter: $filter) {
        totalCount edges { node { name currentStage } } } }"""
    at_profile = (await ok(gateway, query, {"filter": {"stage": "KOMMUNALPROFIL"}}))["municipalities"]
    assert sorted(e["node"]["name"] for e in at_profile["edges"]) == ["Brilon", "Calw"]
    assert {e["node"]["currentStage"] for e in at_profile["edges"]} == {"KOMMUNALPROFIL"}
    overdue = (await ok(gateway, query, {"filter": {"overdue": True}}))["municipalities"]
    assert sorted(e["node"]["name"] for e in overdue["edges"]) == ["Brilon", "Calw", "Diez"]
    with_topic = await ok(gateway, query, {"filter": {"stage": "KOMMUNALPROFIL", "topic": "wohnen"}})
    assert [e["node"]["name"] for e in with_topic["municipalities"]["edges"]] == ["Brilon"]
    by_name = (await ok(gateway, query, {"filter": {"nameContains": "ri"}}))["municipalities"]
    assert [e["node"]["name"] for e in by_name["edges"]] == ["Brilon"]


async def test_the_programme_overview_counts_stages_and_names_the_overdue(gateway: Gateway, world: Any) -> None:
    world.municipality("Altena", current=0)
    world.municipality("Brilon", current=2)
    world.municipality("Calw", current=1)
    data = await ok(
        gateway,
        "{ programmeOverview { programme municipalities stages { stage inProgress completed } overdue { name } } }",
        role="reader",
    )
    overview = data["programmeOverview"]
    assert overview["programme"] == "ZWK" and overview["municipalities"] == 3
    assert overview["stages"][0] == {"stage": "KICK_OFF", "inProgress": 1, "completed": 1}
    assert overview["stages"][1] == {"stage": "KOMMUNALPROFIL", "inProgress": 1, "completed": 0}
    assert sorted(m["name"] for m in overview["overdue"]) == ["Brilon", "Calw"]
    unknown = await gateway.query('{ programmeOverview(programme: "XYZ") { municipalities } }')
    assert codes(unknown) == ["BAD_USER_INPUT"]
    assert unknown["errors"][0]["message"] == "`programme` must be one of DWK, ZWK, DAKS."


async def test_stages_carry_dates_overdue_and_their_checklists(gateway: Gateway, world: Any) -> None:
    brilon = world.municipality("Brilon", current=2)
    data = await ok(
        gateway,
        "query($id: ID) { municipality(id: $id) { stages { stage status startedAt completedAt dueDate overdue "
        "checklist { key label required done evidence } } } }",
        {"id": brilon["id"]},
    )
    kick_off, profile = data["municipality"]["stages"][:2]
    assert kick_off == {
        "stage": "KICK_OFF",
        "status": "COMPLETED",
        "startedAt": "2024-01-01T00:00:00+00:00",
        "completedAt": "2024-01-02T00:00:00+00:00",
        "dueDate": None,
        "overdue": False,
        "checklist": [
            {
                "key": "agreed-goals",
                "label": "Ziele vereinbart",
                "required": True,
                "done": True,
                "evidence": "Protokoll",
            }
        ],
    }
    assert (profile["status"], profile["dueDate"], profile["overdue"]) == ("IN_PROGRESS", "2024-02-01", True)


async def test_topics_come_with_their_parents(gateway: Gateway) -> None:
    data = await ok(gateway, "{ topics { key label parent { key label } } }", role="reader")
    assert {"key": "mobilitaet", "label": "Mobilität", "parent": {"key": "wohnen", "label": "Wohnen"}} in data["topics"]
    assert {"key": "wohnen", "label": "Wohnen", "parent": None} in data["topics"]


async def test_a_practice_is_read_whole_with_topic_labels_and_its_municipality(gateway: Gateway, world: Any) -> None:
    riesa = world.municipality("Riesa")
    practice = world.practice(riesa, "Nachbarschaftsbörse", ["engagement", "leben-im-alter"])
    data = await ok(
        gateway,
        "query($id: ID!) { practice(id: $id) { id title summary body publishedAt topics { key label } "
        "municipality { name } } }",
        {"id": practice["id"]},
        role="reader",
    )
    assert data["practice"] == {
        "id": practice["id"],
        "title": "Nachbarschaftsbörse",
        "summary": "Nachbarschaftsbörse in Riesa",
        "body": "# Nachbarschaftsbörse\n\nSo haben wir es gemacht.",
        "publishedAt": "2024-01-01T00:00:00+00:00",
        "topics": [
            {"key": "engagement", "label": "Bürgerschaftliches Engagement"},
            {"key": "leben-im-alter", "label": "Leben im Alter"},
        ],
        "municipality": {"name": "Riesa"},
    }
    missing = await ok(gateway, 'query { practice(id: "3d4b1c3e-6c1a-4f9e-9d7a-0b1e2c3d4e5f") { title } }')
    assert missing == {"practice": None}


async def test_searching_practices_fills_in_what_a_hit_lacks_in_one_call(gateway: Gateway, world: Any) -> None:
    riesa = world.municipality("Riesa")
    for title in ("Nachbarschaftsbörse", "Rufbus", "Nachbarschaftsbörse für Senioren"):
        world.practice(riesa, title, ["engagement"])
    world.requests.clear()
    data = await ok(
        gateway,
        '{ practices(search: "Nachbarschaftsbörsen") { totalCount edges { node { title summary } } } }',
        role="reader",
    )
    assert [e["node"]["title"] for e in data["practices"]["edges"]] == [
        "Nachbarschaftsbörse für Senioren",
        "Nachbarschaftsbörse",
    ]
    assert data["practices"]["edges"][1]["node"]["summary"] == "Nachbarschaftsbörse in Riesa"
    assert [path for _, _, path in world.requests] == ["/search", "/practices"]
    too_long = await gateway.query("query($q: String) { practices(search: $q) { totalCount } }", {"q": "x" * 501})
    assert codes(too_long) == ["BAD_USER_INPUT"]


async def test_comparable_practices_come_from_other_municipalities(gateway: Gateway, world: Any) -> None:
    riesa, dortmund = world.municipality("Riesa"), world.municipality("Dortmund")
    world.practice(riesa, "Nachbarschaftsbörse", ["engagement"])
    world.practice(dortmund, "Quartiersbüro", ["begegnung"])
    data = await ok(
        gateway,
        "query($id: ID!) { comparablePractices(municipalityId: $id, first: 5) { title municipality { name } } }",
        {"id": riesa["id"]},
    )
    assert data["comparablePractices"] == [{"title": "Quartiersbüro", "municipality": {"name": "Dortmund"}}]


async def test_comments_page_on_from_the_oldest(gateway: Gateway, world: Any) -> None:
    riesa = world.municipality("Riesa")
    practice = world.practice(riesa, "Nachbarschaftsbörse", ["engagement"], comments=25)
    query = """query($id: ID!, $after: String) { practice(id: $id) { comments(first: 10, after: $after) {
        totalCount edges { node { body authorName createdAt } } pageInfo { hasNextPage endCursor } } } }"""
    seen: list[str] = []
    after = None
    for _ in range(3):
        page = (await ok(gateway, query, {"id": practice["id"], "after": after}))["practice"]["comments"]
        assert page["totalCount"] == 25
        seen += [e["node"]["body"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"]
    assert seen == [f"Kommentar {n}" for n in range(25)]
    assert page["pageInfo"]["hasNextPage"] is False


async def test_my_notifications_are_the_callers_own_and_can_be_marked_read(gateway: Gateway, world: Any) -> None:
    anna = auth("municipality", municipality_id="6f1c1b8e-6a43-4c61-9a0e-4f3c6f1e2a10", subject="anna")
    world.inbox[anna["Authorization"]] = [
        {
            "id": f"0000000{n}-0000-4000-8000-000000000000",
            "kind": "prozess.stage.completed",
            "title": f"Stufe {n} abgeschlossen",
            "body": "Riesa hat eine Stufe abgeschlossen.",
            "created_at": "2024-03-14T10:30:00+00:00",
            "read_at": None,
            "read": n == 1,
        }
        for n in (1, 2, 3)
    ]
    query = """query($unread: Boolean) {
        myNotifications(unreadOnly: $unread) { totalCount edges { node { id title read } } } }"""
    response = await gateway.client.post("/graphql", json={"query": query, "variables": {"unread": True}}, headers=anna)
    unread = response.json()["data"]["myNotifications"]
    assert unread["totalCount"] == 2
    assert [e["node"]["title"] for e in unread["edges"]] == ["Stufe 2 abgeschlossen", "Stufe 3 abgeschlossen"]
    mark = "mutation($id: ID!) { markNotificationRead(id: $id) { id read kind } }"
    marked = await gateway.client.post(
        "/graphql", json={"query": mark, "variables": {"id": "00000002-0000-4000-8000-000000000000"}}, headers=anna
    )
    assert marked.json()["data"]["markNotificationRead"]["read"] is True
    someone_else = await gateway.query(mark, {"id": "00000003-0000-4000-8000-000000000000"}, role="office")
    assert codes(someone_else) == ["NOT_FOUND"]
    assert someone_else["errors"][0]["message"] == "No notification with this id in your inbox."


async def test_a_stage_is_started_checked_and_completed_in_the_municipalitys_process(
    gateway: Gateway, world: Any
) -> None:
    brilon = world.municipality("Brilon", current=0)
    variables = {"id": brilon["id"]}
    started = await ok(
        gateway,
        'mutation($id: ID!) { startStage(municipalityId: $id, stage: KICK_OFF, dueDate: "2024-09-30") '
        "{ stage status dueDate } }",
        variables,
    )
    assert started["startStage"] == {"stage": "KICK_OFF", "status": "IN_PROGRESS", "dueDate": "2024-09-30"}
    checked = await ok(
        gateway,
        'mutation($id: ID!) { setChecklistItem(municipalityId: $id, stage: KICK_OFF, key: "agreed-goals", '
        'done: true, evidence: "Protokoll vom 14.10.2021") { key done evidence } }',
        variables,
    )
    assert checked["setChecklistItem"] == {"key": "agreed-goals", "done": True, "evidence": "Protokoll vom 14.10.2021"}
    completed = await ok(
        gateway, "mutation($id: ID!) { completeStage(municipalityId: $id, stage: KICK_OFF) { status } }", variables
    )
    assert completed["completeStage"] == {"status": "COMPLETED"}
    assert ("prozess", "POST", f"/processes/{brilon['id']}/ZWK/stages/KICK_OFF/start") in world.requests
    wrong_programme = await gateway.query(
        'mutation($id: ID!) { completeStage(municipalityId: $id, stage: KICK_OFF, programme: "ABC") { status } }',
        variables,
    )
    assert codes(wrong_programme) == ["BAD_USER_INPUT"]


async def test_a_practice_is_published_commented_and_its_topic_followed(gateway: Gateway, world: Any) -> None:
    riesa = world.municipality("Riesa")
    as_riesa = {"role": "municipality", "municipality_id": riesa["id"]}
    published = await ok(
        gateway,
        "mutation($input: PracticeInput!) { publishPractice(input: $input) { id title publishedAt "
        "municipality { name } topics { key } } }",
        {
            "input": {
                "municipalityId": riesa["id"],
                "title": "Nachbarschaftsbörse",
                "summary": "Nachbarn helfen Nachbarn",
                "body": "Wie wir sie aufgebaut haben.",
                "topics": ["engagement"],
            }
        },
        **as_riesa,
    )
    practice = published["publishPractice"]
    assert practice["publishedAt"] == "2024-06-01T00:00:00+00:00"
    assert practice["municipality"] == {"name": "Riesa"} and practice["topics"] == [{"key": "engagement"}]
    comment = await ok(
        gateway,
        'mutation($id: ID!) { addComment(practiceId: $id, body: "Wie viele machen mit?") { body authorName } }',
        {"id": practice["id"]},
        **as_riesa,
    )
    assert comment["addComment"] == {"body": "Wie viele machen mit?", "authorName": "Anna Schmidt"}
    followed = await ok(gateway, 'mutation { followTopic(topic: "engagement") }', **as_riesa)
    assert followed == {"followTopic": True}
    assert [(kind, key) for _, kind, key in world.follows] == [("topic", "engagement")]
    gone = await gateway.query(
        'mutation { addComment(practiceId: "3d4b1c3e-6c1a-4f9e-9d7a-0b1e2c3d4e5f", body: "Hallo") { body } }'
    )
    assert codes(gone) == ["NOT_FOUND"]


async def test_a_municipalitys_werkstattplan_swot_and_participation_events(gateway: Gateway, world: Any) -> None:
    riesa = world.municipality("Riesa", current=4)
    world.records[(riesa["id"], "ZWK", "measures")] = [
        {
            "id": "11111111-1111-4111-8111-111111111111",
            "title": "Nachbarschaftsbörse aufbauen",
            "topic": "engagement",
            "goal": "Nachbarn helfen Nachbarn",
            "responsible": "Sozialamt",
            "period_start": "2023-01-01",
            "period_end": "2024-12-31",
            "budget_eur": "12000.00",
            "budget_used_eur": "4500.50",
            "funding_source": "Landesmittel",
            "target_groups": ["seniors"],
            "status": "RUNNING",
            "status_label": "läuft",
            "milestones": [{"title": "Plattform online", "due_date": "2023-06-30", "done": True}],
            "complete": True,
        },
        {"id": "22222222-2222-4222-8222-222222222222", "title": "Rufbus", "topic": "mobilitaet", "status": "PLANNED"},
    ]
    world.records[(riesa["id"], "ZWK", "kommunalprofil/swot-items")] = [
        {
            "id": "33333333-3333-4333-8333-333333333333",
            "kind": "STRENGTH",
            "kind_label": "Stärke",
            "text": "Starkes Ehrenamt",
            "topics": ["engagement"],
        }
    ]
    world.records[(riesa["id"], "ZWK", "participation-events")] = [
        {
            "id": "44444444-4444-4444-8444-444444444444",
            "title": "Zukunftswerkstatt im Rathaus",
            "format": "WORKSHOP",
            "format_label": "Werkstatt",
            "held_on": "2022-05-14",
            "place": "Rathaus Riesa",
            "participant_count": 64,
            "groups_reached": ["youth", "seniors"],
            "documentation_link": None,
        }
    ]
    data = await ok(
        gateway,
        """query($id: ID) { municipality(id: $id) {
            measures(status: "RUNNING") { totalCount edges { node { title topic { label } budgetEur budgetUsedEur
              periodEnd status statusLabel milestones { title dueDate done } complete } } }
            swotItems { edges { node { kind kindLabel text topics { key } } } }
            participationEvents { edges { node { title heldOn participantCount groupsReached } } } } }""",
        {"id": riesa["id"]},
        role="reader",
    )
    municipality = data["municipality"]
    assert municipality["measures"] == {
        "totalCount": 1,
        "edges": [
            {
                "node": {
                    "title": "Nachbarschaftsbörse aufbauen",
                    "topic": {"label": "Bürgerschaftliches Engagement"},
                    "budgetEur": 12000.0,
                    "budgetUsedEur": 4500.5,
                    "periodEnd": "2024-12-31",
                    "status": "RUNNING",
                    "statusLabel": "läuft",
                    "milestones": [{"title": "Plattform online", "dueDate": "2023-06-30", "done": True}],
                    "complete": True,
                }
            }
        ],
    }
    assert municipality["swotItems"]["edges"][0]["node"] == {
        "kind": "STRENGTH",
        "kindLabel": "Stärke",
        "text": "Starkes Ehrenamt",
        "topics": [{"key": "engagement"}],
    }
    assert municipality["participationEvents"]["edges"][0]["node"] == {
        "title": "Zukunftswerkstatt im Rathaus",
        "heldOn": "2022-05-14",
        "participantCount": 64,
        "groupsReached": ["youth", "seniors"],
    }


async def test_comparable_municipalities_come_with_their_reasons(gateway: Gateway, world: Any) -> None:
    riesa, dortmund = world.municipality("Riesa", topics=["engagement"]), world.municipality("Dortmund")
    world.comparable[riesa["id"]] = [
        {
            "municipality_id": dortmund["id"],
            "score": 0.71,
            "reasons": ["ähnliche Größe", "gleiche Handlungsfelder"],
            "distance_km": 380.5,
            "shared_topics": ["engagement"],
        }
    ]
    data = await ok(
        gateway,
        "query($id: ID!) { comparableMunicipalities(municipalityId: $id) "
        "{ municipality { name } score reasons distanceKm sharedTopics { label } } }",
        {"id": riesa["id"]},
        role="reader",
    )
    assert data["comparableMunicipalities"] == [
        {
            "municipality": {"name": "Dortmund"},
            "score": 0.71,
            "reasons": ["ähnliche Größe", "gleiche Handlungsfelder"],
            "distanceKm": 380.5,
            "sharedTopics": [{"label": "Bürgerschaftliches Engagement"}],
        }
    ]


async def test_a_search_counts_its_matches_per_topic(gateway: Gateway, world: Any) -> None:
    riesa = world.municipality("Riesa")
    world.practice(riesa, "Nachbarschaftsbörse", ["engagement", "begegnung"])
    world.practice(riesa, "Nachbarschaftsbörse im Quartier", ["engagement"])
    data = await ok(gateway, '{ practices(search: "Nachbarschaftsbörse") { facets { key label count } } }')
    assert data["practices"]["facets"] == [
        {"key": "engagement", "label": "Bürgerschaftliches Engagement", "count": 2},
        {"key": "begegnung", "label": "Begegnung, Beratung, Selbsthilfe", "count": 1},
    ]


async def test_unread_counts_mark_all_read_and_notification_preferences(gateway: Gateway, world: Any) -> None:
    anna = auth("office", subject="anna")
    world.inbox[anna["Authorization"]] = [
        {
            "id": f"0000000{n}-0000-4000-8000-000000000000",
            "kind": "forum.comment",
            "title": "Neuer Kommentar",
            "body": "…",
            "created_at": "2024-03-14T10:30:00+00:00",
            "read": False,
        }
        for n in (1, 2)
    ]

    async def as_anna(query: str) -> dict[str, Any]:
        response = await gateway.client.post("/graphql", json={"query": query}, headers=anna)
        return response.json()  # type: ignore[no-any-return]

    assert (await as_anna("{ unreadNotificationCount }"))["data"] == {"unreadNotificationCount": 2}
    assert (await as_anna("mutation { markAllNotificationsRead }"))["data"] == {"markAllNotificationsRead": 2}
    assert (await as_anna("{ unreadNotificationCount }"))["data"] == {"unreadNotificationCount": 0}
    before = await as_anna("{ myNotificationPreferences { kind frequency isDefault } }")
    assert before["data"] == {
        "myNotificationPreferences": [{"kind": "forum.comment", "frequency": "daily", "isDefault": True}]
    }
    changed = await as_anna(
        'mutation { setNotificationPreference(kind: "forum.comment", frequency: "weekly") { frequency isDefault } }'
    )
    assert changed["data"] == {"setNotificationPreference": {"frequency": "weekly", "isDefault": False}}
    refused = await as_anna(
        'mutation { setNotificationPreference(kind: "forum.comment", frequency: "hourly") { frequency } }'
    )
    assert codes(refused) == ["BAD_USER_INPUT"]
    assert refused["errors"][0]["extensions"]["fields"] == [{"field": "frequency", "message": "not a frequency"}]


async def test_contacts_are_seen_by_the_municipality_itself_and_the_office_not_by_others(
    gateway: Gateway, world: Any
) -> None:
    riesa, dortmund = world.municipality("Riesa"), world.municipality("Dortmund")
    query = "query($id: ID) { municipality(id: $id) { name contacts { edges { node { name function email } } } } }"
    own = await ok(gateway, query, {"id": riesa["id"]}, role="municipality", municipality_id=riesa["id"])
    assert own["municipality"]["contacts"]["edges"][0]["node"] == {
        "name": "Kerstin Berger",
        "function": "Demografiebeauftragte",
        "email": "k.berger@riesa.example",
    }
    assert (await ok(gateway, query, {"id": riesa["id"]}, role="office"))["municipality"]["contacts"] is not None
    world.requests.clear()
    for who in ({"role": "municipality", "municipality_id": dortmund["id"]}, {"role": "reader"}):
        answer = await gateway.query(query, {"id": riesa["id"]}, **who)
        assert answer["data"] == {"municipality": {"name": "Riesa", "contacts": None}}
        assert codes(answer) == ["FORBIDDEN"]
        assert answer["errors"][0]["path"] == ["municipality", "contacts"]
    assert not [path for _, _, path in world.requests if path.endswith("/contacts")]


async def test_the_zwischenbilanz_report_is_passed_on_as_json(gateway: Gateway, world: Any) -> None:
    riesa = world.municipality("Riesa", current=5)
    data = await ok(gateway, "query($id: ID) { municipality(id: $id) { zwischenbilanz } }", {"id": riesa["id"]})
    assert data["municipality"]["zwischenbilanz"] == {
        "programme": "ZWK",
        "measures": {"total": 2, "by_status": [{"status": "DONE", "count": 1}]},
    }


async def test_questions_with_their_answers_in_one_call_per_level(gateway: Gateway, world: Any) -> None:
    riesa = world.municipality("Riesa")
    for n in range(3):
        world.question(riesa, f"Wer hat Erfahrung mit einer Nachbarschaftsbörse? ({n})", answers=n + 1)
    world.requests.clear()
    data = await ok(
        gateway,
        """{ questions(topics: ["engagement"]) { totalCount edges { node {
            title authorName answerCount answered municipality { name }
            answers(first: 2) { totalCount pageInfo { hasNextPage } edges { node { body authorName } } } } } } }""",
        role="reader",
    )
    questions = [edge["node"] for edge in data["questions"]["edges"]]
    assert [q["answerCount"] for q in questions] == [3, 2, 1]
    assert questions[0]["authorName"] == "Riesa" and questions[0]["municipality"] == {"name": "Riesa"}
    assert questions[0]["answers"]["pageInfo"]["hasNextPage"] is True
    assert [a["node"]["body"] for a in questions[0]["answers"]["edges"]] == ["Antwort 0", "Antwort 1"]
    # the questions; then, side by side, their municipalities and their answers
    assert Counter(path for _, _, path in world.requests) == {"/questions": 1, "/municipalities": 1, "/answers": 1}


async def test_a_question_is_asked_answered_and_its_answer_accepted(gateway: Gateway, world: Any) -> None:
    riesa = world.municipality("Riesa")
    as_riesa = {"role": "municipality", "municipality_id": riesa["id"]}
    asked = await ok(
        gateway,
        "mutation($input: QuestionInput!) { askQuestion(input: $input) { id title topics { key } answered } }",
        {
            "input": {
                "municipalityId": riesa["id"],
                "title": "Wer hat Erfahrung mit einer Nachbarschaftsbörse?",
                "body": "Wir fangen an.",
                "topics": ["engagement"],
            }
        },
        **as_riesa,
    )
    question = asked["askQuestion"]
    assert question["answered"] is False and question["topics"] == [{"key": "engagement"}]
    answered = await ok(
        gateway,
        'mutation($id: ID!) { answerQuestion(questionId: $id, body: "Wir! Seit 2022.") { id authorName accepted } }',
        {"id": question["id"]},
        role="municipality",
        municipality_id=str(world.municipality("Dortmund")["id"]),
    )
    accepted = await ok(
        gateway,
        "mutation($q: ID!, $a: ID!) { acceptAnswer(questionId: $q, answerId: $a) { answered "
        "answers { edges { node { body accepted } } } } }",
        {"q": question["id"], "a": answered["answerQuestion"]["id"]},
        **as_riesa,
    )
    assert accepted["acceptAnswer"] == {
        "answered": True,
        "answers": {"edges": [{"node": {"body": "Wir! Seit 2022.", "accepted": True}}]},
    }


async def test_the_office_sees_the_moderation_queue_and_hides_content(gateway: Gateway, world: Any) -> None:
    world.reports.append(
        {
            "id": "66666666-6666-4666-8666-666666666666",
            "target_kind": "comment",
            "target_id": "77777777-7777-4777-8777-777777777777",
            "target_title": "Das ist Werbung für …",
            "target_hidden": False,
            "reason": "Werbung",
            "status": "OPEN",
            "created_at": "2024-03-14T10:30:00+00:00",
        }
    )
    queue = await ok(gateway, "{ moderationQueue { totalCount edges { node { targetKind targetTitle reason } } } }")
    assert queue["moderationQueue"] == {
        "totalCount": 1,
        "edges": [{"node": {"targetKind": "comment", "targetTitle": "Das ist Werbung für …", "reason": "Werbung"}}],
    }
    hidden = await ok(
        gateway,
        'mutation { hideContent(targetKind: "comment", targetId: "77777777-7777-4777-8777-777777777777", '
        'reason: "Werbung ist hier nicht erlaubt.") }',
    )
    assert hidden == {"hideContent": True}
    assert world.hidden == [("comment", "77777777-7777-4777-8777-777777777777", "Werbung ist hier nicht erlaubt.")]
    unknown = await gateway.query(
        'mutation { hideContent(targetKind: "user", targetId: "77777777-7777-4777-8777-777777777777", reason: "x") }'
    )
    assert codes(unknown) == ["BAD_USER_INPUT"]
