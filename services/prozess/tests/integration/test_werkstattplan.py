"""The Werkstattplan as data: measures with topic, goal, responsibility, period, budget and status."""

ZWK = "/processes/5a1b0c4e-0591-4300-8000-000000000001/ZWK"

NACHBARSCHAFTSBOERSE = {
    "title": "Nachbarschaftsbörse",
    "topic": "begegnung",
    "goal": "Nachbarn helfen einander im Alltag; 200 Vermittlungen im ersten Jahr",
    "responsible": "Seniorenbüro Hombruch",
    "period_start": "2022-04-01",
    "period_end": "2023-12-31",
    "budget_eur": 18500.50,
    "funding_source": "Eigenmittel und Stiftung Deutsches Hilfswerk",
    "target_groups": ["seniorinnen", "ehrenamtliche"],
    "milestones": [
        {"title": "Plattform ausgewählt", "due_date": "2022-06-30"},
        {"title": "100 Vermittlungen", "due_date": "2023-03-31"},
    ],
}


async def measures_complete(prozess) -> dict:  # type: ignore[no-untyped-def, type-arg]
    stage = await prozess.stage("WERKSTATTPLAN")
    return next(i for i in stage["checklist"] if i["key"] == "measures-complete")  # type: ignore[no-any-return]


async def test_a_measure_is_added_with_everything_the_plan_asks_and_announced(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    response = await prozess.post(f"{ZWK}/measures", NACHBARSCHAFTSBOERSE)
    assert response.status_code == 201, response.text
    measure = response.json()
    assert (measure["status"], measure["status_label"]) == ("PLANNED", "geplant")
    assert measure["budget_eur"] == 18500.5
    assert measure["complete"] is True and measure["missing"] == []
    assert [m["title"] for m in measure["milestones"]] == ["Plattform ausgewählt", "100 Vermittlungen"]
    assert (await prozess.get(f"{ZWK}/measures/{measure['id']}")).json() == measure

    [event] = await prozess.events("zwk.prozess.measure.added")
    assert event == {
        "municipality_id": str(prozess.DORTMUND),
        "municipality_name": "Dortmund",
        "programme": "ZWK",
        "measure_id": measure["id"],
        "title": "Nachbarschaftsbörse",
        "topic": "begegnung",
        "status": "PLANNED",
        "previous_status": None,
        "actor": prozess.office_subject,
        "_subject": str(prozess.DORTMUND),
    }


async def test_a_negative_budget_is_bad_input_and_nothing_is_added(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    for bad in (
        {**NACHBARSCHAFTSBOERSE, "budget_eur": -1},
        {**NACHBARSCHAFTSBOERSE, "budget_used_eur": -0.01},
        {**NACHBARSCHAFTSBOERSE, "budget_eur": 10.005},
        {**NACHBARSCHAFTSBOERSE, "period_end": "2021-12-31"},
        {**NACHBARSCHAFTSBOERSE, "target_groups": ["rentner"]},
        {**NACHBARSCHAFTSBOERSE, "status": "DONE"},
        {**NACHBARSCHAFTSBOERSE, "topic": "Begegnung & Beratung"},
    ):
        response = await prozess.post(f"{ZWK}/measures", bad)
        assert response.status_code == 422, bad
        assert response.json()["code"] == "BAD_USER_INPUT"
    negative = await prozess.post(f"{ZWK}/measures", {**NACHBARSCHAFTSBOERSE, "budget_eur": -1})
    assert negative.json()["errors"][0]["field"] == "budget_eur"
    assert (await prozess.get(f"{ZWK}/measures")).json()["total_count"] == 0
    assert await prozess.events("zwk.prozess.measure.added") == []

    measure = (await prozess.post(f"{ZWK}/measures", NACHBARSCHAFTSBOERSE)).json()
    assert (await prozess.patch(f"{ZWK}/measures/{measure['id']}", {"budget_eur": -500})).status_code == 422
    reversed_period = await prozess.patch(f"{ZWK}/measures/{measure['id']}", {"period_start": "2024-01-01"})
    assert reversed_period.status_code == 422
    assert "ends (2023-12-31) before it begins (2024-01-01)" in reversed_period.json()["detail"]
    assert (await prozess.get(f"{ZWK}/measures/{measure['id']}")).json()["budget_eur"] == 18500.5


async def test_a_measure_in_draft_names_what_is_missing_and_keeps_the_plan_open(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    draft = (await prozess.post(f"{ZWK}/measures", {"title": "Schwarzes Brett", "topic": "begegnung"})).json()
    assert draft["complete"] is False
    assert draft["missing"] == ["Ziel", "Verantwortliche", "Beginn", "Ende", "Budget", "Finanzierung", "Zielgruppen"]
    assert (await measures_complete(prozess))["done"] is False

    filled = await prozess.patch(
        f"{ZWK}/measures/{draft['id']}",
        {key: value for key, value in NACHBARSCHAFTSBOERSE.items() if key not in ("title", "topic")}
        | {"budget_eur": 0},
    )
    assert filled.json()["complete"] is True, filled.json()["missing"]
    item = await measures_complete(prozess)
    assert (item["done"], item["evidence"]["number"]) == (True, 1)

    # A dropped measure need not be complete: it is no longer part of the plan's work.
    other = (
        await prozess.post(f"{ZWK}/measures", {"title": "Quartierszeitung", "topic": "oeffentlichkeitsarbeit"})
    ).json()
    assert (await measures_complete(prozess))["done"] is False
    await prozess.post(f"{ZWK}/measures/{other['id']}/status", {"status": "DROPPED"})
    assert (await measures_complete(prozess))["done"] is True


async def test_a_status_change_is_announced_with_the_previous_status(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    measure = (await prozess.post(f"{ZWK}/measures", NACHBARSCHAFTSBOERSE)).json()
    running = await prozess.post(f"{ZWK}/measures/{measure['id']}/status", {"status": "RUNNING"})
    assert running.json()["status_label"] == "in Umsetzung"
    again = await prozess.post(f"{ZWK}/measures/{measure['id']}/status", {"status": "RUNNING"})
    assert again.status_code == 409
    assert (await prozess.post(f"{ZWK}/measures/{measure['id']}/status", {"status": "FINISHED"})).status_code == 422
    await prozess.post(f"{ZWK}/measures/{measure['id']}/status", {"status": "DONE"})
    events = await prozess.events("zwk.prozess.measure.status_changed")
    assert [(e["previous_status"], e["status"]) for e in events] == [("PLANNED", "RUNNING"), ("RUNNING", "DONE")]
    assert events[0]["title"] == "Nachbarschaftsbörse"


async def test_measures_are_listed_by_status_and_topic(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    boerse = (await prozess.post(f"{ZWK}/measures", NACHBARSCHAFTSBOERSE)).json()
    await prozess.post(f"{ZWK}/measures", {"title": "Wohnberatung", "topic": "wohnen"})
    await prozess.post(f"{ZWK}/measures", {"title": "Bewegungspark", "topic": "gesundheit-pflege"})
    await prozess.post(f"{ZWK}/measures/{boerse['id']}/status", {"status": "RUNNING"})
    assert [m["title"] for m in (await prozess.get(f"{ZWK}/measures", status="RUNNING")).json()["items"]] == [
        "Nachbarschaftsbörse"
    ]
    assert [m["title"] for m in (await prozess.get(f"{ZWK}/measures", topic="wohnen")).json()["items"]] == [
        "Wohnberatung"
    ]
    first = (await prozess.get(f"{ZWK}/measures", first=2)).json()
    assert first["total_count"] == 3 and len(first["items"]) == 2
    rest = (await prozess.get(f"{ZWK}/measures", first=2, after=first["next_cursor"])).json()
    assert [m["title"] for m in rest["items"]] == ["Bewegungspark"] and rest["next_cursor"] is None


async def test_a_measure_names_one_origin_of_its_own_process(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    idea = (await prozess.post(f"{ZWK}/ideas", {"title": "Nachbarschaftsbörse"})).json()
    swot = (await prozess.post(f"{ZWK}/kommunalprofil/swot-items", {"kind": "WEAKNESS", "text": "Vereinsamung"})).json()
    both = await prozess.post(
        f"{ZWK}/measures", {**NACHBARSCHAFTSBOERSE, "origin_idea_id": idea["id"], "origin_swot_item_id": swot["id"]}
    )
    assert both.status_code == 422
    unknown = await prozess.post(f"{ZWK}/measures", {**NACHBARSCHAFTSBOERSE, "origin_idea_id": swot["id"]})
    assert unknown.status_code == 422
    grown = await prozess.post(f"{ZWK}/measures", {**NACHBARSCHAFTSBOERSE, "origin_idea_id": idea["id"]})
    assert grown.json()["origin_idea_id"] == idea["id"]


async def test_only_those_acting_for_the_municipality_change_its_plan(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.register(prozess.RIESA, "Riesa", ags="14627230")
    measure = (await prozess.post(f"{ZWK}/measures", NACHBARSCHAFTSBOERSE)).json()
    riesa = prozess.municipality(prozess.RIESA)
    assert (await prozess.post(f"{ZWK}/measures", NACHBARSCHAFTSBOERSE, riesa)).status_code == 403
    assert (await prozess.post(f"{ZWK}/measures/{measure['id']}/status", {"status": "DONE"}, riesa)).status_code == 403
    assert (await prozess.get(f"{ZWK}/measures/{measure['id']}", riesa)).status_code == 403
    assert (await prozess.patch(f"{ZWK}/measures/{measure['id']}", {"goal": "x"}, prozess.reader())).status_code == 403
    riesa_path = f"/processes/{prozess.RIESA}/ZWK/measures/{measure['id']}"
    assert (await prozess.get(riesa_path, riesa)).status_code == 404, "a measure is found only in its own process"
    adviser = prozess.adviser(prozess.DORTMUND, prozess.RIESA)
    assert (
        await prozess.post(f"{ZWK}/measures/{measure['id']}/status", {"status": "RUNNING"}, adviser)
    ).status_code == 200
    assert (await prozess.get(f"{ZWK}/measures/{measure['id']}")).json()["status"] == "RUNNING"
