"""Dortmund's whole way through the five stages, its Zwischenbilanz, and its record as one document."""

from datetime import timedelta

from prozess.clock import today

ZWK = "/processes/5a1b0c4e-0591-4300-8000-000000000001/ZWK"


async def go_through_all_five_stages(prozess) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Dortmund from Kick-Off to Zwischenbilanz, the way the programme's guidance leads; returns measure ids."""

    async def ok(response):  # type: ignore[no-untyped-def]
        assert response.status_code in (200, 201), response.text
        return response.json()

    await prozess.register()
    await prozess.finish_kick_off()

    await ok(await prozess.start("KOMMUNALPROFIL"))
    profil = f"{ZWK}/kommunalprofil"
    await ok(await prozess.put(f"{profil}/indicators/share-80-plus", {"value": 6.7, "unit": "%", "year": 2022}))
    swot = {}
    for kind, text in (
        ("STRENGTH", "Starke Nachbarschaften"),
        ("WEAKNESS", "Vereinsamung im Alter"),
        ("OPPORTUNITY", "Masterplan Wohnen"),
        ("THREAT", "Altersarmut"),
    ):
        swot[kind] = (await ok(await prozess.post(f"{profil}/swot-items", {"kind": kind, "text": text})))["id"]
    await prozess.tick("KOMMUNALPROFIL", "statistical-section", "https://www.dortmund.de/kommunalprofil.pdf")
    await prozess.tick("KOMMUNALPROFIL", "inventory-of-measures", "Masterpläne Wohnen, Mobilität, Inklusion")
    await prozess.tick("KOMMUNALPROFIL", "interviews-held", "14")
    await ok(await prozess.complete("KOMMUNALPROFIL"))

    await ok(await prozess.start("ZUKUNFTSWERKSTATT"))
    event = await ok(
        await prozess.post(
            f"{ZWK}/participation-events",
            {
                "title": "Bürgerwerkstatt Hombruch",
                "format": "zukunftswerkstatt",
                "held_on": "2017-06-10",
                "participant_count": 48,
                "groups_reached": ["seniorinnen", "jugendliche"],
            },
        )
    )
    await ok(
        await prozess.post(
            f"{ZWK}/participation-events",
            {"title": "Online-Umfrage", "format": "befragung", "held_on": "2017-07-01", "participant_count": 312},
        )
    )
    idea = await ok(
        await prozess.post(f"{ZWK}/ideas", {"title": "Nachbarschaftsbörse", "participation_event_id": event["id"]})
    )
    await prozess.tick("ZUKUNFTSWERKSTATT", "prioritised-topics", "Begegnung, Wohnen, Mobilität")
    await prozess.tick("ZUKUNFTSWERKSTATT", "workshop-documentation", "https://www.dortmund.de/zukunftswerkstatt.pdf")
    await ok(await prozess.complete("ZUKUNFTSWERKSTATT"))

    await ok(await prozess.start("WERKSTATTPLAN"))
    plan = {
        "goal": "Begegnung und Hilfe unter Nachbarn",
        "responsible": "Seniorenbüro Hombruch",
        "period_start": "2018-01-01",
        "period_end": "2019-12-31",
        "target_groups": ["seniorinnen"],
    }
    measures = {}
    for title, topic, budget, used, source, origin in (
        (
            "Nachbarschaftsbörse",
            "begegnung",
            18000,
            12500.5,
            "Stiftung Deutsches Hilfswerk",
            {"origin_idea_id": idea["id"]},
        ),
        ("Wohnberatung", "wohnen", 40000, 41000, "Eigenmittel", {"origin_swot_item_id": swot["OPPORTUNITY"]}),
        ("Quartierszeitung", "oeffentlichkeitsarbeit", 5000, 0, "Eigenmittel", {}),
    ):
        measure = await ok(
            await prozess.post(
                f"{ZWK}/measures",
                {
                    "title": title,
                    "topic": topic,
                    "budget_eur": budget,
                    "budget_used_eur": used,
                    "funding_source": source,
                    **plan,
                    **origin,
                },
            )
        )
        measures[title] = measure["id"]
    await prozess.tick("WERKSTATTPLAN", "plan-adopted", "2017-12-14")
    await ok(await prozess.complete("WERKSTATTPLAN"))

    await ok(await prozess.start("ZWISCHENBILANZ", due_date=str(today() + timedelta(days=90))))
    await ok(await prozess.post(f"{ZWK}/measures/{measures['Nachbarschaftsbörse']}/status", {"status": "RUNNING"}))
    await ok(await prozess.post(f"{ZWK}/measures/{measures['Wohnberatung']}/status", {"status": "DONE"}))
    await ok(await prozess.post(f"{ZWK}/measures/{measures['Quartierszeitung']}/status", {"status": "DROPPED"}))
    await prozess.tick("ZWISCHENBILANZ", "barriers-and-enablers", "Hemmnis: Personal; Gelingen: Seniorenbüros")
    return measures


async def test_a_municipality_goes_through_the_stages_and_its_zwischenbilanz_is_generated(prozess) -> None:  # type: ignore[no-untyped-def]
    await go_through_all_five_stages(prozess)
    response = await prozess.get(f"{ZWK}/zwischenbilanz")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["municipality_name"] == "Dortmund"
    assert [(s["stage"], s["status"]) for s in report["stages"]] == [
        ("KICK_OFF", "COMPLETED"),
        ("KOMMUNALPROFIL", "COMPLETED"),
        ("ZUKUNFTSWERKSTATT", "COMPLETED"),
        ("WERKSTATTPLAN", "COMPLETED"),
        ("ZWISCHENBILANZ", "IN_PROGRESS"),
    ]
    assert all(s["started_at"] for s in report["stages"])
    assert report["stages"][4]["status_label"] == "in Arbeit"
    assert report["measures"]["total"] == 3
    assert {s["status"]: s["count"] for s in report["measures"]["by_status"]} == {
        "PLANNED": 0,
        "RUNNING": 1,
        "DONE": 1,
        "DROPPED": 1,
    }
    assert [(t["topic"], t["total"]) for t in report["measures"]["by_topic"]] == [
        ("begegnung", 1),
        ("oeffentlichkeitsarbeit", 1),
        ("wohnen", 1),
    ]
    assert report["measures"]["by_topic"][2]["by_status"]["DONE"] == 1
    # The dropped Quartierszeitung no longer counts as planned; everything spent counts as used.
    assert report["budget"]["planned_eur"] == 58000
    assert report["budget"]["used_eur"] == 53500.5
    assert report["budget"]["by_funding_source"] == [
        {"funding_source": "Eigenmittel", "planned_eur": 40000, "used_eur": 41000},
        {"funding_source": "Stiftung Deutsches Hilfswerk", "planned_eur": 18000, "used_eur": 12500.5},
    ]
    assert report["participation"] == {
        "events": 2,
        "participants": 360,
        "groups_reached": ["Jugendliche", "Senior:innen"],
    }
    assert report["overdue_history"] == []
    review = {i["key"]: i["done"] for i in report["review"]}
    assert review == {
        "review-event": False,
        "barriers-and-enablers": True,
        "plan-updated": False,
        "continuation-measures": False,
    }


async def test_the_zwischenbilanz_names_the_stages_that_were_late(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.patch(f"{ZWK}/stages/KICK_OFF", {"planned_start": "2021-09-01", "due_date": "2021-10-31"})
    await prozess.start("KICK_OFF")
    await prozess.check_overdue(on=today())
    [late] = (await prozess.get(f"{ZWK}/zwischenbilanz")).json()["overdue_history"]
    assert (late["stage"], late["label"], late["due_date"]) == ("KICK_OFF", "Kick-Off", "2021-10-31")


async def test_the_whole_record_of_a_municipality_is_one_document(prozess) -> None:  # type: ignore[no-untyped-def]
    await go_through_all_five_stages(prozess)
    response = await prozess.get(f"/process-records/{prozess.DORTMUND}")
    assert response.status_code == 200, response.text
    record = response.json()
    assert (record["format"], record["format_version"]) == ("zwk-prozess-record", 1)
    assert record["municipality"]["name"] == "Dortmund"
    assert record["municipality"]["ags"] == "05913000"
    [zwk] = record["processes"]
    assert zwk["programme"] == "ZWK"
    assert zwk["current_stage"] == "ZWISCHENBILANZ"
    assert len(zwk["history"]) == 9
    assert [i["key"] for i in zwk["indicators"]] == ["population", "share-80-plus"]
    assert [s["kind"] for s in zwk["swot_items"]] == ["STRENGTH", "WEAKNESS", "OPPORTUNITY", "THREAT"]
    assert [e["title"] for e in zwk["participation_events"]] == ["Bürgerwerkstatt Hombruch", "Online-Umfrage"]
    assert [i["title"] for i in zwk["ideas"]] == ["Nachbarschaftsbörse"]
    assert [m["title"] for m in zwk["measures"]] == ["Nachbarschaftsbörse", "Wohnberatung", "Quartierszeitung"]
    assert zwk["measures"][0]["origin_idea_id"] == zwk["ideas"][0]["id"]
    assert zwk["zwischenbilanz"]["measures"]["total"] == 3
    kick_off = next(s for s in zwk["stages"] if s["stage"] == "KICK_OFF")
    goals = next(i for i in kick_off["checklist"] if i["key"] == "agreed-goals")
    assert goals["evidence"]["text"] == "Altersgerechte Quartiere in vier Referenzquartieren"


async def test_reports_are_read_only_by_those_who_may_read_the_process(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.register(prozess.RIESA, "Riesa", ags="14627230")
    riesa = prozess.municipality(prozess.RIESA)
    assert (await prozess.get(f"{ZWK}/zwischenbilanz", riesa)).status_code == 403
    assert (await prozess.get(f"/process-records/{prozess.DORTMUND}", riesa)).status_code == 403
    assert (await prozess.get(f"/process-records/{prozess.RIESA}", riesa)).status_code == 200
    assert (await prozess.get(f"/process-records/{prozess.DORTMUND}", prozess.reader())).status_code == 200
    nowhere = "00000000-0000-4000-8000-000000000000"
    assert (await prozess.get(f"/process-records/{nowhere}")).status_code == 404
