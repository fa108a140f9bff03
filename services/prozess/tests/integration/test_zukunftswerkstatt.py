"""Participation events (Beteiligungsformate) and the measure ideas of the Zukunftswerkstatt."""

ZWK = "/processes/5a1b0c4e-0591-4300-8000-000000000001/ZWK"

BUERGERDIALOG = {
    "title": "Bürgerdialog Menglinghausen",
    "format": "buergerdialog",
    "held_on": "2017-05-13",
    "place": "Begegnungszentrum Menglinghausen",
    "participant_count": 64,
    "groups_reached": ["seniorinnen", "familien", "migrationsgeschichte"],
    "documentation_link": "https://www.dortmund.de/buergerdialog-menglinghausen.pdf",
}


async def derived(prozess, key: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    stage = await prozess.stage("ZUKUNFTSWERKSTATT")
    return next(i for i in stage["checklist"] if i["key"] == key)  # type: ignore[no-any-return]


async def test_a_participation_event_is_recorded_with_format_date_place_count_and_groups(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    assert (await derived(prozess, "participation-event"))["done"] is False
    response = await prozess.post(f"{ZWK}/participation-events", BUERGERDIALOG)
    assert response.status_code == 201, response.text
    event = response.json()
    assert event["format_label"] == "Bürgerdialog"
    assert event["groups_reached"] == ["seniorinnen", "familien", "migrationsgeschichte"]
    assert event["participant_count"] == 64
    item = await derived(prozess, "participation-event")
    assert (item["done"], item["evidence"]["number"], item["evidence_display"]) == (True, 1, "1")

    changed = await prozess.patch(f"{ZWK}/participation-events/{event['id']}", {"participant_count": 71, "place": None})
    assert (changed.json()["participant_count"], changed.json()["place"]) == (71, None)
    page = (await prozess.get(f"{ZWK}/participation-events")).json()
    assert [e["title"] for e in page["items"]] == ["Bürgerdialog Menglinghausen"]


async def test_bad_participation_events_are_refused_and_nothing_is_kept(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    for bad in (
        {**BUERGERDIALOG, "participant_count": -3},
        {**BUERGERDIALOG, "groups_reached": ["rentner"]},
        {**BUERGERDIALOG, "format": "stammtisch"},
        {**BUERGERDIALOG, "held_on": "13.05.2017"},
        {**BUERGERDIALOG, "documentation_link": "ftp://dortmund.de/doku"},
        {key: value for key, value in BUERGERDIALOG.items() if key != "title"},
    ):
        response = await prozess.post(f"{ZWK}/participation-events", bad)
        assert response.status_code == 422, bad
    assert (await prozess.get(f"{ZWK}/participation-events")).json()["total_count"] == 0
    event = (await prozess.post(f"{ZWK}/participation-events", BUERGERDIALOG)).json()
    assert (await prozess.patch(f"{ZWK}/participation-events/{event['id']}", {"held_on": None})).status_code == 422


async def test_ideas_come_from_this_process_s_participation_events(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.register(prozess.RIESA, "Riesa", ags="14627230")
    event = (await prozess.post(f"{ZWK}/participation-events", BUERGERDIALOG)).json()
    idea = await prozess.post(
        f"{ZWK}/ideas",
        {"title": "Nachbarschaftsbörse", "topics": ["begegnung"], "priority": 1, "participation_event_id": event["id"]},
    )
    assert idea.status_code == 201, idea.text
    assert (await derived(prozess, "measure-ideas"))["done"] is True

    riesa_event = (
        await prozess.post(f"/processes/{prozess.RIESA}/ZWK/participation-events", {**BUERGERDIALOG, "title": "Riesa"})
    ).json()
    foreign = await prozess.post(
        f"{ZWK}/ideas", {"title": "Fest im Quartier", "participation_event_id": riesa_event["id"]}
    )
    assert foreign.status_code == 422
    assert "not one of this process" in foreign.json()["detail"]

    refused = await prozess.delete(f"{ZWK}/participation-events/{event['id']}")
    assert refused.status_code == 409
    assert (await prozess.get(f"{ZWK}/ideas")).json()["total_count"] == 1


async def test_an_idea_a_measure_grew_from_stays(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    idea = (await prozess.post(f"{ZWK}/ideas", {"title": "Schwarzes Brett im Quartier"})).json()
    await prozess.post(
        f"{ZWK}/measures", {"title": "Quartierstafeln", "topic": "begegnung", "origin_idea_id": idea["id"]}
    )
    assert (await prozess.delete(f"{ZWK}/ideas/{idea['id']}")).status_code == 409
    other = (await prozess.post(f"{ZWK}/ideas", {"title": "Patenschaften"})).json()
    assert (await prozess.delete(f"{ZWK}/ideas/{other['id']}")).status_code == 204


async def test_participation_is_recorded_only_by_those_acting_for_the_municipality(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.register(prozess.RIESA, "Riesa", ags="14627230")
    riesa = prozess.adviser(prozess.RIESA)
    assert (await prozess.post(f"{ZWK}/participation-events", BUERGERDIALOG, riesa)).status_code == 403
    assert (await prozess.post(f"{ZWK}/ideas", {"title": "Fest"}, prozess.reader())).status_code == 403
    assert (await prozess.get(f"{ZWK}/ideas", riesa)).status_code == 403
    dortmund = prozess.municipality(prozess.DORTMUND)
    assert (await prozess.post(f"{ZWK}/participation-events", BUERGERDIALOG, dortmund)).status_code == 201
