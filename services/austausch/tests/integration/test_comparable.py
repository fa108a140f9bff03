"""Comparable municipalities ("Strukturzwillinge") and their practices."""

import uuid

from austausch_world import BOCHUM, DORTMUND, GROSSENHAIN, RIESA  # type: ignore[import-not-found]


async def comparable(forum, municipality_id, **params):  # type: ignore[no-untyped-def]
    response = await forum.client.get(
        f"/municipalities/{municipality_id}/comparable", params=params, headers=forum.reader()
    )
    assert response.status_code == 200, response.text
    return response.json()


async def test_the_closest_twin_of_riesa_is_its_neighbour_grossenhain_with_the_reasons(forum) -> None:  # type: ignore[no-untyped-def]
    twins = await comparable(forum, RIESA)
    assert [t["name"] for t in twins][:1] == ["Großenhain"]
    assert str(RIESA) not in [t["municipality_id"] for t in twins]
    closest = twins[0]
    assert closest["reasons"] == [
        "ähnliche Größe",
        "ebenfalls halbstädtisch",
        "gleiche Handlungsfelder",
        "im selben Kreis",
        "ebenfalls eine Stadt",
    ]
    assert closest["likenesses"]["topics"] == 1.0
    assert 0.8 < closest["score"] <= 1.0
    scores = [t["score"] for t in twins]
    assert scores == sorted(scores, reverse=True)


async def test_dortmunds_twin_is_bochum_near_by_and_as_large(forum) -> None:  # type: ignore[no-untyped-def]
    [twin, *_] = await comparable(forum, DORTMUND)
    assert twin["name"] == "Bochum"
    assert twin["reasons"] == [
        "ähnliche Größe",
        "ebenfalls städtisch",
        "gemeinsame Handlungsfelder: Integration",
        "in der Nähe (18 km)",
        "ebenfalls eine kreisfreie Stadt",
    ]
    assert 15 < twin["distance_km"] < 20


async def test_rural_municipalities_of_like_size_and_topics_are_twins_across_the_country(forum) -> None:  # type: ignore[no-untyped-def]
    uckermark, eifel = uuid.uuid4(), uuid.uuid4()
    village = {"kind": "GEMEINDE", "urbanisation": 3, "topics": ["mobilitaet", "nahversorgung"]}
    await forum.register(
        uckermark,
        name="Nordwestuckermark",
        bundesland="BB",
        population=4_600,
        latitude=53.25,
        longitude=13.69,
        **village,
    )
    await forum.register(
        eifel, name="Neuerburg", bundesland="RP", population=4_100, latitude=50.01, longitude=6.30, **village
    )
    [twin, *_] = await comparable(forum, uckermark)
    assert twin["name"] == "Neuerburg"
    assert twin["reasons"] == [
        "ähnliche Größe",
        "ebenfalls ländlich",
        "gleiche Handlungsfelder",
        "ebenfalls eine Gemeinde",
    ]


async def test_the_practices_of_comparable_municipalities_come_best_first(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.practice(
        municipality_id=str(GROSSENHAIN),
        headers=forum.member(GROSSENHAIN),
        title="Pflegestammtisch",
        topics=["gesundheit-pflege"],
    )
    await forum.practice(
        municipality_id=str(GROSSENHAIN),
        headers=forum.member(GROSSENHAIN),
        title="Stadtfest",
        topics=["kultur-freizeit"],
    )
    await forum.practice(
        municipality_id=str(DORTMUND), headers=forum.member(DORTMUND), title="Sprachcafé", topics=["integration"]
    )
    await forum.practice(
        municipality_id=str(GROSSENHAIN),
        headers=forum.member(GROSSENHAIN),
        title="Entwurf",
        topics=["engagement"],
        publish=False,
    )
    await forum.practice()  # Riesa's own does not recommend itself
    response = await forum.client.get(
        f"/municipalities/{RIESA}/comparable/practices", params={"first": 2}, headers=forum.member(RIESA)
    )
    assert response.status_code == 200, response.text
    page = response.json()
    assert [item["practice"]["title"] for item in page["items"]] == ["Pflegestammtisch", "Stadtfest"]
    assert page["items"][0]["reasons"][0] == "ähnliche Größe"
    assert page["items"][0]["relevance"] > page["items"][1]["relevance"]
    rest = (
        await forum.client.get(
            f"/municipalities/{RIESA}/comparable/practices",
            params={"first": 2, "after": page["next_cursor"]},
            headers=forum.member(RIESA),
        )
    ).json()
    assert [item["practice"]["title"] for item in rest["items"]] == ["Sprachcafé"]
    assert rest["next_cursor"] is None


async def test_an_unknown_municipality_has_no_twins(forum) -> None:  # type: ignore[no-untyped-def]
    response = await forum.client.get(f"/municipalities/{uuid.uuid4()}/comparable", headers=forum.reader())
    assert response.status_code == 404
    practices = await forum.client.get(f"/municipalities/{uuid.uuid4()}/comparable/practices", headers=forum.reader())
    assert practices.status_code == 404
    assert (
        await forum.client.get(f"/municipalities/{RIESA}/comparable", params={"first": 10_000}, headers=forum.reader())
    ).status_code == 422
    assert (await forum.client.get(f"/municipalities/{RIESA}/comparable")).status_code == 401


async def test_missing_figures_make_a_municipality_less_comparable_not_an_error(forum) -> None:  # type: ignore[no-untyped-def]
    await forum.know(
        BOCHUM, population=None, urbanisation=None, latitude=None, longitude=None, kreis_key=None, topics=[]
    )
    twins = await comparable(forum, BOCHUM, first=4)
    assert len(twins) == 4
    assert all("ähnliche Größe" not in t["reasons"] for t in twins)
