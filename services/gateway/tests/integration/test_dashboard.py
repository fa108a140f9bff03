"""What the office and external dashboards read: a hundred participants, their stages and their practices.

The world is made once for the module, directly in the real services; the tests only read it through the gateway.
"""

from __future__ import annotations

import gc
from dataclasses import dataclass
from typing import Any

import pytest
import pytest_asyncio
from gateway_world import World, in_parallel, staff

from gateway.testing import Gateway, codes

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def services() -> tuple[str, ...]:
    # Nothing here is a notification: benachrichtigung is not started.
    return ("kommunen", "prozess", "austausch")


STAGES = ["KICK_OFF", "KOMMUNALPROFIL", "ZUKUNFTSWERKSTATT", "WERKSTATTPLAN", "ZWISCHENBILANZ"]
ALLIANCES = 98
# Long ago, so that a stage due then is overdue from the day it starts.
LATE = {"planned_start": "2021-09-01", "due_date": "2021-10-31"}


@dataclass
class Programme:
    """Dortmund, Riesa and 98 alliances ("Kooperationsraum 00" …), each with a practice, some under way."""

    dortmund: str
    riesa: str
    alliances: list[str]
    riesa_practices: list[dict[str, Any]]


def alliance_name(n: int) -> str:
    return f"Kooperationsraum {n:02}"


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def programme(world: World) -> Programme:
    dortmund = await world.register(
        ags="05913000", kind="KREISFREIE_STADT", programmes=["DWK", "ZWK"], topics=["integration", "wohnen"]
    )
    riesa = await world.register(ags="14627230", kind="STADT", topics=["engagement", "wohnen"])
    alliances = await in_parallel(
        world.register(
            name=alliance_name(n),
            kind="VERBUND",
            bundesland=("BB", "MV", "TH")[n % 3],
            topics=["mobilitaet"] if n % 2 else [],
        )
        for n in range(ALLIANCES)
    )
    await world.known_everywhere([dortmund, riesa, *alliances])

    # Dortmund late with its Kick-Off; Riesa and alliances 10–12 at the Kommunalprofil (10 late);
    # alliances 0–9 at the Kick-Off.
    await world.plan(dortmund, "KICK_OFF", **LATE)
    await world.start(dortmund, "KICK_OFF")
    await world.plan(alliances[10], "KOMMUNALPROFIL", **LATE)

    async def at_kommunalprofil(municipality_id: str) -> None:
        await world.finish_kick_off(municipality_id)
        await world.start(municipality_id, "KOMMUNALPROFIL")

    await in_parallel(
        [
            *(at_kommunalprofil(m) for m in (riesa, *alliances[10:13])),
            *(world.start(m, "KICK_OFF") for m in alliances[:10]),
        ]
    )

    await in_parallel(
        world.practice(m, f"Mitfahrbank im {alliance_name(n)}", ["mobilitaet"]) for n, m in enumerate(alliances)
    )
    await world.practice(dortmund, "Quartiersbüro Nordstadt", ["integration"])
    riesa_practices = [
        await world.practice(riesa, title, topics)
        for title, topics in (
            ("Seniorenlotsen", ["leben-im-alter"]),
            ("Dorfladen mit Café", ["nahversorgung"]),
            ("Nachbarschaftsbörse", ["engagement"]),
        )
    ]
    for n in range(3):
        await world.comment(riesa_practices[2]["id"], dortmund, f"Wie viele machen mit? ({n})", author=f"person{n}")
    return Programme(dortmund, riesa, alliances, riesa_practices)


async def ok(gateway: Gateway, query: str, variables: dict[str, Any] | None = None, **who: Any) -> dict[str, Any]:
    answer = await gateway.query(query, variables, **who)
    assert "errors" not in answer, answer
    return answer["data"]  # type: ignore[no-any-return]


async def test_a_hundred_municipalities_with_stages_practices_and_comments_take_one_call_per_service_per_level(
    gateway: Gateway, programme: Programme
) -> None:
    query = """
    { municipalities(first: 100) { totalCount edges { node {
        name currentStage stages { stage status }
        practices(first: 1) { totalCount edges { node {
          title municipality { name } comments(first: 2) { totalCount edges { node { body } } }
        } } }
    } } } }
    """
    gateway.reset_calls()
    data = await ok(gateway, query, role="reader")
    nodes = {edge["node"]["name"]: edge["node"] for edge in data["municipalities"]["edges"]}
    assert len(nodes) == 100 and data["municipalities"]["totalCount"] == 100
    # kommunen: the list; prozess: every process; austausch: the practices, then their comments.
    assert gateway.calls == {"kommunen": 1, "prozess": 1, "austausch": 2, "benachrichtigung": 0}
    # Stages without their checklists: prozess is asked for summaries only.
    assert gateway.paths["prozess", "/processes/summaries"] == 1

    riesa = nodes["Riesa"]
    assert riesa["currentStage"] == "KOMMUNALPROFIL"
    assert [s["status"] for s in riesa["stages"]] == ["COMPLETED", "IN_PROGRESS"] + ["NOT_STARTED"] * 3
    assert riesa["practices"]["totalCount"] == 3
    [newest] = [edge["node"] for edge in riesa["practices"]["edges"]]
    assert newest["title"] == "Nachbarschaftsbörse"
    assert newest["municipality"] == {"name": "Riesa"}
    assert newest["comments"]["totalCount"] == 3
    assert [c["node"]["body"] for c in newest["comments"]["edges"]] == [
        "Wie viele machen mit? (0)",
        "Wie viele machen mit? (1)",
    ]
    assert nodes[alliance_name(42)]["currentStage"] is None
    assert [p["node"]["title"] for p in nodes[alliance_name(42)]["practices"]["edges"]] == [
        f"Mitfahrbank im {alliance_name(42)}"
    ]


async def test_practice_counts_alone_are_counted_without_reading_practices(
    gateway: Gateway, programme: Programme
) -> None:
    query = "{ municipalities(first: 100) { edges { node { name practices(first: 1) { totalCount } } } } }"
    gateway.reset_calls()
    data = await ok(gateway, query, role="reader")
    counts = {edge["node"]["name"]: edge["node"]["practices"]["totalCount"] for edge in data["municipalities"]["edges"]}
    assert counts["Riesa"] == 3 and {counts[alliance_name(n)] for n in range(ALLIANCES)} == {1}
    assert gateway.paths["austausch", "/practices/by-municipality"] == 1
    # Asked for edges as well, the same count comes with the practices.
    query = (
        "{ municipalities(first: 100) { edges { node { name practices(first: 1) { totalCount edges { cursor } } } } } }"
    )
    with_edges = await ok(gateway, query, role="reader")
    assert {
        e["node"]["name"]: e["node"]["practices"]["totalCount"] for e in with_edges["municipalities"]["edges"]
    } == counts


async def test_a_page_leaves_nothing_for_the_garbage_collector(gateway: Gateway, programme: Programme) -> None:
    # What a request made (its context, loaders, executor, records) goes when it is answered, by
    # reference counts: a reference cycle left per page made the collector's full runs long.
    query = """{ municipalities(first: 100) { edges { node {
        name currentStage stages { stage status dueDate } practices(first: 1) { totalCount }
    } } } }"""
    await ok(gateway, query, role="reader")
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        await ok(gateway, query, role="office")
        gc.collect()
        left = sorted(
            {
                f"{type(found).__module__}.{type(found).__qualname__}"
                for found in gc.garbage
                if type(found).__module__.startswith(("gateway.", "strawberry.dataloader"))
            }
        )
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert left == []


async def test_municipalities_page_on_with_the_end_cursor_and_from_any_edge(
    gateway: Gateway, programme: Programme
) -> None:
    query = """query($after: String) { municipalities(first: 40, after: $after) {
        totalCount edges { cursor node { name } } pageInfo { hasNextPage endCursor } } }"""
    seen: list[str] = []
    after = None
    pages = []
    for _ in range(3):
        page = (await ok(gateway, query, {"after": after}, role="reader"))["municipalities"]
        pages.append(page)
        seen += [e["node"]["name"] for e in page["edges"]]
        after = page["pageInfo"]["endCursor"]
    assert [len(p["edges"]) for p in pages] == [40, 40, 20]
    assert [p["pageInfo"]["hasNextPage"] for p in pages] == [True, True, False]
    assert seen == ["Dortmund", *(alliance_name(n) for n in range(ALLIANCES)), "Riesa"]

    from_edge = (await ok(gateway, query, {"after": pages[0]["edges"][4]["cursor"]}))["municipalities"]
    assert [e["node"]["name"] for e in from_edge["edges"][:2]] == [alliance_name(4), alliance_name(5)]
    forged = await gateway.query(query, {"after": "bm90LWEtY3Vyc29y"})
    assert codes(forged) == ["BAD_USER_INPUT"]
    assert forged["errors"][0]["message"] == "The cursor `after` is not one this API gave out."


FILTERED = """query($filter: MunicipalityFilter) { municipalities(filter: $filter, first: 100) {
    totalCount edges { node { name currentStage } } } }"""


async def names(gateway: Gateway, **filter: Any) -> list[str]:
    found = (await ok(gateway, FILTERED, {"filter": filter}, role="reader"))["municipalities"]
    result = sorted(edge["node"]["name"] for edge in found["edges"])
    assert found["totalCount"] == len(result)
    return result


async def test_municipalities_are_filtered_by_what_kommunen_knows(gateway: Gateway, programme: Programme) -> None:
    assert await names(gateway, programme="DWK") == ["Dortmund"]
    assert await names(gateway, bundesland="SN") == ["Riesa"]
    assert await names(gateway, kind="KREISFREIE_STADT") == ["Dortmund"]
    assert await names(gateway, nameContains="ries") == ["Riesa"]
    # Mobilität lies under "kooperation": asking for the category finds its sub-topic too.
    with_mobility = sorted(alliance_name(n) for n in range(1, ALLIANCES, 2))
    assert await names(gateway, topic="mobilitaet") == with_mobility
    assert await names(gateway, topic="kooperation") == with_mobility
    assert await names(gateway, bundesland="TH", nameContains="raum 0") == [alliance_name(n) for n in (2, 5, 8)]


async def test_municipalities_are_filtered_by_where_they_stand_through_prozess(
    gateway: Gateway, programme: Programme
) -> None:
    at_profile = await names(gateway, stage="KOMMUNALPROFIL")
    assert at_profile == sorted(["Riesa", *(alliance_name(n) for n in (10, 11, 12))])
    assert await names(gateway, stage="KICK_OFF") == sorted(["Dortmund", *(alliance_name(n) for n in range(10))])
    assert await names(gateway, overdue=True) == ["Dortmund", alliance_name(10)]
    assert await names(gateway, stage="KOMMUNALPROFIL", overdue=True) == [alliance_name(10)]
    assert await names(gateway, stage="KOMMUNALPROFIL", bundesland="SN") == ["Riesa"]
    assert await names(gateway, stage="KICK_OFF", programme="DWK") == []
    assert len(await names(gateway, programme="ZWK", overdue=False)) == 98
    # Dortmund's DWK process is not late: without a programme, any process that matches counts.
    assert "Dortmund" in await names(gateway, overdue=False)
    wrong = await gateway.query(FILTERED, {"filter": {"stage": "KICKOFF"}}, role="reader")
    assert codes(wrong) == ["BAD_USER_INPUT"]
    assert "KICKOFF" in wrong["errors"][0]["message"]


async def test_the_programme_overview_counts_stages_and_names_the_overdue(
    gateway: Gateway, programme: Programme
) -> None:
    query = """query($programme: String!) { programmeOverview(programme: $programme) {
        programme municipalities stages { stage inProgress completed } overdue { name } } }"""
    overview = (await ok(gateway, query, {"programme": "ZWK"}, role="reader"))["programmeOverview"]
    assert (overview["programme"], overview["municipalities"]) == ("ZWK", 100)
    assert overview["stages"] == [
        {"stage": "KICK_OFF", "inProgress": 11, "completed": 4},
        {"stage": "KOMMUNALPROFIL", "inProgress": 4, "completed": 0},
        *({"stage": stage, "inProgress": 0, "completed": 0} for stage in STAGES[2:]),
    ]
    assert sorted(m["name"] for m in overview["overdue"]) == ["Dortmund", alliance_name(10)]

    dwk = (await ok(gateway, query, {"programme": "DWK"}, role="office"))["programmeOverview"]
    assert (dwk["municipalities"], dwk["overdue"]) == (1, [])
    unknown = await gateway.query(query, {"programme": "XYZ"})
    assert codes(unknown) == ["BAD_USER_INPUT"]
    assert unknown["errors"][0]["message"] == "`programme` must be one of DWK, ZWK, DAKS."
    # The overview is the office's and the dashboards'; prozess refuses it to a municipality.
    own = await gateway.query(query, {"programme": "ZWK"}, role="municipality", municipality_id=programme.riesa)
    assert codes(own) == ["FORBIDDEN"]
    assert own["data"] is None


async def test_stages_carry_dates_overdue_and_their_checklists(gateway: Gateway, programme: Programme) -> None:
    query = """query($id: ID) { municipality(id: $id) { currentStage stages {
        stage status startedAt completedAt dueDate overdue checklist { key label required done evidence } } } }"""
    riesa = (await ok(gateway, query, {"id": programme.riesa}, role="reader"))["municipality"]
    kick_off, profile = riesa["stages"][:2]
    assert (kick_off["status"], kick_off["overdue"]) == ("COMPLETED", False)
    assert kick_off["startedAt"] is not None and kick_off["completedAt"] >= kick_off["startedAt"]
    items = {item["key"]: item for item in kick_off["checklist"]}
    assert items["agreed-goals"] == {
        "key": "agreed-goals",
        "label": "Vereinbarte Ziele",
        "required": True,
        "done": True,
        "evidence": "Gutes Leben im Alter im Quartier",
    }
    assert items["kick-off-date"]["evidence"] is not None
    assert (items["steering-group"]["required"], items["steering-group"]["done"]) == (False, False)
    assert (profile["status"], profile["completedAt"]) == ("IN_PROGRESS", None)
    assert any(item["key"] == "swot-analysis" and not item["done"] for item in profile["checklist"])

    dortmund = (await ok(gateway, query, {"id": programme.dortmund}))["municipality"]
    assert dortmund["currentStage"] == "KICK_OFF"
    assert (dortmund["stages"][0]["dueDate"], dortmund["stages"][0]["overdue"]) == ("2021-10-31", True)


async def test_checklists_are_read_when_a_fragment_asks_for_them(gateway: Gateway, programme: Programme) -> None:
    query = """query($id: ID) { municipality(id: $id) { currentStage stages { stage ...Items } } }
        fragment Items on StageProgress { ... on StageProgress { checklist { key done } } }"""
    gateway.reset_calls()
    riesa = (await ok(gateway, query, {"id": programme.riesa}, role="reader"))["municipality"]
    assert {item["key"]: item["done"] for item in riesa["stages"][0]["checklist"]}["agreed-goals"] is True
    assert gateway.paths["prozess", "/processes"] == 1

    gateway.reset_calls()
    plain = (
        await ok(
            gateway,
            "query($id: ID) { municipality(id: $id) { stages { stage status } } }",
            {"id": programme.riesa},
            role="reader",
        )
    )["municipality"]
    assert [s["status"] for s in plain["stages"]][:2] == ["COMPLETED", "IN_PROGRESS"]
    assert gateway.paths["prozess", "/processes"] == 0
    assert gateway.paths["prozess", "/processes/summaries"] == 1


async def test_a_municipalitys_practices_page_on_from_the_newest(gateway: Gateway, programme: Programme) -> None:
    query = """query($id: ID, $after: String) { municipality(id: $id) { practices(first: 2, after: $after) {
        totalCount edges { cursor node { title publishedAt } } pageInfo { hasNextPage endCursor } } } }"""
    first = (await ok(gateway, query, {"id": programme.riesa}, role="reader"))["municipality"]["practices"]
    assert [e["node"]["title"] for e in first["edges"]] == ["Nachbarschaftsbörse", "Dorfladen mit Café"]
    assert (first["totalCount"], first["pageInfo"]["hasNextPage"]) == (3, True)
    rest = await ok(gateway, query, {"id": programme.riesa, "after": first["pageInfo"]["endCursor"]})
    assert [e["node"]["title"] for e in rest["municipality"]["practices"]["edges"]] == ["Seniorenlotsen"]
    assert rest["municipality"]["practices"]["pageInfo"]["hasNextPage"] is False
    from_edge = await ok(gateway, query, {"id": programme.riesa, "after": first["edges"][0]["cursor"]})
    assert [e["node"]["title"] for e in from_edge["municipality"]["practices"]["edges"]] == [
        "Dorfladen mit Café",
        "Seniorenlotsen",
    ]


async def test_a_draft_is_not_among_a_municipalitys_practices(
    gateway: Gateway, world: World, programme: Programme
) -> None:
    headers = staff(programme.dortmund)
    await world.call(
        "austausch",
        "POST",
        "/practices",
        headers=headers,
        json={
            "municipality_id": programme.dortmund,
            "title": "Rufbus (Entwurf)",
            "summary": "Noch nicht fertig.",
            "body": "Entwurf.",
            "topics": ["mobilitaet"],
        },
    )
    query = "query($id: ID) { municipality(id: $id) { practices { totalCount edges { node { title } } } } }"
    for who in ({"role": "office"}, {"role": "municipality", "municipality_id": programme.dortmund}):
        practices = (await ok(gateway, query, {"id": programme.dortmund}, **who))["municipality"]["practices"]
        assert [e["node"]["title"] for e in practices["edges"]] == ["Quartiersbüro Nordstadt"]


async def test_topics_come_with_their_parents(gateway: Gateway, programme: Programme) -> None:
    data = await ok(gateway, "{ topics { key label parent { key label } } }", role="reader")
    assert {
        "key": "mobilitaet",
        "label": "Mobilität",
        "parent": {"key": "kooperation", "label": "Intra- und interkommunale Kooperationen"},
    } in data["topics"]
    assert {"key": "wohnen", "label": "Wohnen", "parent": None} in data["topics"]
    keys = {topic["key"] for topic in data["topics"]}
    assert {topic["parent"]["key"] for topic in data["topics"] if topic["parent"]} <= keys
    riesa = await ok(
        gateway, "query($id: ID) { municipality(id: $id) { topics { key label } } }", {"id": programme.riesa}
    )
    assert riesa["municipality"]["topics"] == [
        {"key": "engagement", "label": "Bürgerschaftliches Engagement"},
        {"key": "wohnen", "label": "Wohnen"},
    ]
