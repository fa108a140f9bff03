""" "We adopted this too": the transfer ledger of practices between municipalities."""

from austausch_world import BOCHUM, DORTMUND, GROSSENHAIN, RIESA  # type: ignore[import-not-found]

RESULT = "Seit März 2024 in zwei Stadtteilen, 40 Vermittlungen im ersten Halbjahr."


async def adopt(forum, practice, municipality_id, headers=None, result=RESULT):  # type: ignore[no-untyped-def]
    return await forum.client.post(
        f"/practices/{practice['id']}/adoptions",
        json={"municipality_id": str(municipality_id), "result": result},
        headers=headers or forum.member(municipality_id),
    )


async def test_a_municipality_records_adopting_a_practice_and_its_author_is_told(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    response = await adopt(forum, practice, DORTMUND)
    assert response.status_code == 201, response.text
    adoption = response.json()
    assert adoption["municipality_name"] == "Dortmund"
    assert adoption["practice_title"] == "Nachbarschaftsbörse Riesa"
    assert adoption["result"] == RESULT
    event = (await forum.events("zwk.austausch.practice.adopted"))[0]
    assert event["practice_id"] == practice["id"]
    assert event["municipality_id"] == str(RIESA)
    assert event["adopter_municipality_id"] == str(DORTMUND)
    assert event["actor"] == f"staff@{DORTMUND}"
    assert (await forum.client.get(f"/practices/{practice['id']}", headers=forum.reader())).json()[
        "adoption_count"
    ] == 1


async def test_the_office_counts_the_ledger(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    other = await forum.practice(
        municipality_id=str(DORTMUND), headers=forum.member(DORTMUND), title="Sprachcafé Nordstadt"
    )
    await adopt(forum, practice, DORTMUND)
    await adopt(forum, practice, GROSSENHAIN)
    await adopt(forum, other, RIESA)
    ledger = (await forum.client.get("/adoptions", headers=forum.office())).json()
    assert ledger["total_count"] == 3
    of_riesa = (
        await forum.client.get("/adoptions", params={"municipality_id": str(RIESA)}, headers=forum.office())
    ).json()
    assert of_riesa["total_count"] == 3  # two of Riesa's practice, one by Riesa
    of_practice = (await forum.client.get(f"/practices/{practice['id']}/adoptions", headers=forum.reader())).json()
    assert sorted(a["municipality_name"] for a in of_practice["items"]) == ["Dortmund", "Großenhain"]


async def test_adopting_twice_is_a_conflict(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    assert (await adopt(forum, practice, DORTMUND)).status_code == 201
    again = await adopt(forum, practice, DORTMUND, result="Nochmal.")
    assert again.status_code == 409
    assert len(await forum.events("zwk.austausch.practice.adopted")) == 1


async def test_a_municipality_does_not_adopt_its_own_practice(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    response = await adopt(forum, practice, RIESA)
    assert response.status_code == 422
    assert await forum.events("zwk.austausch.practice.adopted") == []


async def test_adoption_is_recorded_only_for_oneself_and_never_by_a_reader(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    assert (await adopt(forum, practice, DORTMUND, headers=forum.member(BOCHUM))).status_code == 403
    assert (await adopt(forum, practice, DORTMUND, headers=forum.reader())).status_code == 403
    assert (await adopt(forum, practice, DORTMUND, headers=forum.adviser(DORTMUND))).status_code == 201


async def test_only_a_published_practice_is_adopted(forum) -> None:  # type: ignore[no-untyped-def]
    draft = await forum.practice(publish=False)
    assert (await adopt(forum, draft, DORTMUND)).status_code == 404
    archived = await forum.practice(title="Mitfahrbank")
    await forum.client.post(f"/practices/{archived['id']}/archive", headers=forum.member(RIESA))
    assert (await adopt(forum, archived, DORTMUND)).status_code == 409


async def test_an_empty_or_overlong_result_is_refused(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    assert (await adopt(forum, practice, DORTMUND, result="")).status_code == 422
    assert (await adopt(forum, practice, DORTMUND, result="E" * 2001)).status_code == 422
    assert await forum.events("zwk.austausch.practice.adopted") == []
