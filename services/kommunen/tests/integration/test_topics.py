"""Topics are data: seeded with the toolbox's categories and sub-topics, extended and re-parented by the office."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

Headers = dict[str, str]

CATEGORIES = {
    "oeffentlichkeitsarbeit",
    "wohnen",
    "kooperation",
    "digitalisierung",
    "demokratiefoerderung",
    "buergerbeteiligung",
    "engagement",
    "begegnung",
    "foerdermittel",
    "gesundheit-pflege",
    "arbeit-wirtschaft",
    "demografiestrategie",
    "integration",
}
SUB_TOPICS = {
    "mobilitaet",
    "nahversorgung",
    "wohnumfeld",
    "sicherheit",
    "leben-im-alter",
    "kinder-jugend-familie",
    "bildung",
    "kultur-freizeit",
    "fachkraefte",
    "leerstand",
}


async def all_topics(kommunen: httpx.AsyncClient, headers: Headers) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    cursor = None
    while True:
        params = {"first": 10, **({"after": cursor} if cursor else {})}
        body = (await kommunen.get("/topics", params=params, headers=headers)).json()
        found.update({t["key"]: t for t in body["items"]})
        cursor = body["next_cursor"]
        if cursor is None:
            return found


async def test_the_toolbox_categories_and_their_sub_topics_are_seeded(
    kommunen: httpx.AsyncClient, as_role: Callable[..., Headers]
) -> None:
    topics = await all_topics(kommunen, as_role("reader"))
    assert {k for k, t in topics.items() if t["parent"] is None} >= CATEGORIES
    assert {k for k, t in topics.items() if t["parent"] is not None} >= SUB_TOPICS
    assert all(topics[k]["parent"] in CATEGORIES for k in SUB_TOPICS)
    assert topics["engagement"]["label"] == "Bürgerschaftliches Engagement"
    assert topics["wohnumfeld"] == {"key": "wohnumfeld", "label": "Wohnumfeld und Ortsmitte", "parent": "wohnen"}
    assert topics["mobilitaet"]["parent"] != "wohnen"


async def test_the_office_adds_a_topic_under_a_parent(
    kommunen: httpx.AsyncClient, office: Headers, events: Any
) -> None:
    topic = {"key": "nachbarschaft", "label": "Nachbarschaft", "parent": "begegnung"}
    response = await kommunen.post("/topics", json=topic, headers=office)
    assert response.status_code == 201, response.text
    assert response.json() == topic
    assert (await kommunen.get("/topics/nachbarschaft", headers=office)).json() == topic
    assert await events.of("zwk.kommunen.topic.added") == [topic]


async def test_the_office_re_parents_and_relabels_a_topic(
    kommunen: httpx.AsyncClient, office: Headers, events: Any
) -> None:
    response = await kommunen.patch("/topics/mobilitaet", json={"parent": "demografiestrategie"}, headers=office)
    assert response.status_code == 200, response.text
    assert response.json() == {"key": "mobilitaet", "label": "Mobilität", "parent": "demografiestrategie"}
    relabelled = await kommunen.patch("/topics/mobilitaet", json={"label": "Mobilität und ÖPNV"}, headers=office)
    assert relabelled.json()["parent"] == "demografiestrategie"
    top = await kommunen.patch("/topics/mobilitaet", json={"parent": None}, headers=office)
    assert top.json()["parent"] is None
    assert await events.of("zwk.kommunen.topic.updated") == [
        {"key": "mobilitaet", "label": "Mobilität", "parent": "demografiestrategie"},
        {"key": "mobilitaet", "label": "Mobilität und ÖPNV", "parent": "demografiestrategie"},
        {"key": "mobilitaet", "label": "Mobilität und ÖPNV", "parent": None},
    ]


async def test_a_topic_cannot_go_below_itself(kommunen: httpx.AsyncClient, office: Headers, events: Any) -> None:
    response = await kommunen.patch("/topics/wohnen", json={"parent": "leerstand"}, headers=office)
    assert response.status_code == 422
    assert "lies below wohnen" in response.json()["detail"]
    itself = await kommunen.patch("/topics/wohnen", json={"parent": "wohnen"}, headers=office)
    assert itself.status_code == 422
    assert await events.types() == []


@pytest.mark.parametrize(
    ("body", "status", "says"),
    [
        ({"key": "wohnen", "label": "Wohnen 2"}, 409, "exists already"),
        ({"key": "neu", "label": "Neu", "parent": "raumfahrt"}, 422, "Unknown topic: raumfahrt"),
        ({"key": "Neu Thema", "label": "Neu"}, 422, "key"),
        ({"key": "neu", "label": ""}, 422, "label"),
        ({"key": "neu", "label": "L" * 121}, 422, "label"),
        ({"key": "n" * 65, "label": "Neu"}, 422, "key"),
        ({"key": "neu"}, 422, "label"),
        ({"key": 7, "label": "Neu"}, 422, "key"),
    ],
)
async def test_a_bad_topic_is_refused(
    kommunen: httpx.AsyncClient, office: Headers, events: Any, body: dict[str, Any], status: int, says: str
) -> None:
    response = await kommunen.post("/topics", json=body, headers=office)
    assert response.status_code == status, response.text
    assert says in response.text
    assert await events.types() == []


async def test_changing_an_unknown_topic_or_to_an_unknown_parent_is_refused(
    kommunen: httpx.AsyncClient, office: Headers
) -> None:
    assert (await kommunen.patch("/topics/raumfahrt", json={"label": "X"}, headers=office)).status_code == 404
    unknown_parent = await kommunen.patch("/topics/bildung", json={"parent": "raumfahrt"}, headers=office)
    assert unknown_parent.status_code == 422
    assert (await kommunen.patch("/topics/bildung", json={"label": None}, headers=office)).status_code == 422
    assert (await kommunen.get("/topics/raumfahrt", headers=office)).status_code == 404


@pytest.mark.parametrize("role", ["municipality", "adviser", "reader"])
async def test_only_the_office_adds_or_changes_topics(
    kommunen: httpx.AsyncClient, as_role: Callable[..., Headers], events: Any, role: str
) -> None:
    caller = as_role(role, municipality_id="00000000-0000-0000-0000-000000000001")
    added = await kommunen.post("/topics", json={"key": "nachbarschaft", "label": "Nachbarschaft"}, headers=caller)
    assert added.status_code == 403
    changed = await kommunen.patch("/topics/bildung", json={"parent": "integration"}, headers=caller)
    assert changed.status_code == 403
    assert await events.types() == []


async def test_a_new_topic_can_be_chosen_right_away(
    kommunen: httpx.AsyncClient, office: Headers, register: Callable[..., Any]
) -> None:
    await kommunen.post("/topics", json={"key": "nachbarschaft", "label": "Nachbarschaft"}, headers=office)
    dortmund = await register(
        {"ags": "05913000", "kind": "KREISFREIE_STADT", "programmes": ["ZWK"], "topics": ["nachbarschaft"]}
    )
    assert dortmund["topics"] == ["nachbarschaft"]
