"""Each stage's guidance as a checklist: items with evidence, ticked by hand or following from the data."""

ZWK = "/processes/5a1b0c4e-0591-4300-8000-000000000001/ZWK"


async def test_every_stage_has_its_german_checklist_with_required_and_optional_items(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    stages = {s["stage"]: s for s in (await prozess.process())["stages"]}
    kick_off = {i["key"]: i for i in stages["KICK_OFF"]["checklist"]}
    assert kick_off["agreed-goals"]["label"] == "Vereinbarte Ziele"
    assert kick_off["agreed-goals"]["required"] is True
    assert kick_off["steering-group"]["required"] is False
    assert kick_off["kick-off-date"]["evidence_kind"] == "DATE"
    assert {i["key"] for i in stages["KOMMUNALPROFIL"]["checklist"]} >= {
        "statistical-section",
        "inventory-of-measures",
        "interviews-held",
        "swot-analysis",
        "reflection-workshop",
    }
    assert {i["key"] for i in stages["ZUKUNFTSWERKSTATT"]["checklist"]} >= {"participation-event", "measure-ideas"}
    assert {i["key"] for i in stages["WERKSTATTPLAN"]["checklist"]} >= {"measures-complete", "plan-adopted"}
    assert {i["key"] for i in stages["ZWISCHENBILANZ"]["checklist"]} >= {"review-event", "barriers-and-enablers"}
    assert all(not i["done"] for s in stages.values() for i in s["checklist"])


async def test_evidence_is_kept_in_the_kind_the_item_asks_for(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.start("KICK_OFF")
    dated = await prozess.tick("KICK_OFF", "kick-off-date", "14.10.2021")
    assert dated.status_code == 200, dated.text
    assert dated.json()["evidence"]["date"] == "2021-10-14"
    assert dated.json()["evidence_display"] == "14.10.2021"
    assert dated.json()["done"] is True
    assert dated.json()["updated_by"] == prozess.office_subject

    linked = await prozess.tick(
        "KICK_OFF", "kick-off-documentation", {"link": "https://www.dortmund.de/kick-off.pdf", "text": "Protokoll"}
    )
    assert linked.json()["evidence_display"] == "https://www.dortmund.de/kick-off.pdf · Protokoll"

    stage = await prozess.stage("KICK_OFF")
    item = next(i for i in stage["checklist"] if i["key"] == "kick-off-date")
    assert (item["done"], item["evidence"]["date"]) == (True, "2021-10-14")


async def test_evidence_of_the_wrong_kind_is_bad_input_and_changes_nothing(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.start("KICK_OFF")
    for key, evidence in (
        ("kick-off-date", "im Herbst"),
        ("kick-off-documentation", "kein Link"),
        ("kick-off-documentation", {"link": "javascript:alert(1)"}),
        ("agreed-goals", {"number": "viele"}),
        ("agreed-goals", {"colour": "blau"}),
    ):
        response = await prozess.tick("KICK_OFF", key, evidence)
        assert response.status_code == 422, (key, evidence, response.text)
        assert response.json()["code"] == "BAD_USER_INPUT"
    assert all(not i["done"] for i in (await prozess.stage("KICK_OFF"))["checklist"])
    assert await prozess.events("zwk.prozess.checklist.item_checked") == []


async def test_ticking_and_unticking_publish_one_event_each(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.tick("KICK_OFF", "agreed-goals", "Altersgerechte Quartiere")
    await prozess.tick("KICK_OFF", "agreed-goals", "Altersgerechte Quartiere in vier Referenzquartieren")
    await prozess.tick("KICK_OFF", "agreed-goals", None, done=False)
    events = await prozess.events("zwk.prozess.checklist.item_checked")
    assert [(e["stage"], e["key"], e["done"]) for e in events] == [
        ("KICK_OFF", "agreed-goals", True),
        ("KICK_OFF", "agreed-goals", False),
    ]
    assert events[0]["municipality_id"] == str(prozess.DORTMUND)
    assert events[0]["programme"] == "ZWK"
    assert events[0]["actor"] == prozess.office_subject
    assert events[0]["_subject"] == str(prozess.DORTMUND)


async def test_an_unknown_checklist_item_is_not_found(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    response = await prozess.tick("KICK_OFF", "swot-analysis", "ja")
    assert response.status_code == 404
    assert "Kick-Off has no checklist item 'swot-analysis'" in response.json()["detail"]


async def test_an_item_that_follows_from_the_data_is_not_ticked_by_hand(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    response = await prozess.tick("ZUKUNFTSWERKSTATT", "participation-event", "1")
    assert response.status_code == 409
    assert "follows from the recorded data" in response.json()["detail"]


async def test_a_completed_stage_keeps_its_checklist_until_the_office_reopens_it(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.finish_kick_off()
    refused = await prozess.tick("KICK_OFF", "agreed-goals", None, done=False)
    assert refused.status_code == 409
    assert "reopens it" in refused.json()["detail"]
    item = next(i for i in (await prozess.stage("KICK_OFF"))["checklist"] if i["key"] == "agreed-goals")
    assert item["done"] is True

    await prozess.post(f"{ZWK}/stages/KICK_OFF/reopen", {"reason": "Ziele neu fassen"})
    assert (await prozess.tick("KICK_OFF", "agreed-goals", None, done=False)).status_code == 200


async def test_a_municipality_ticks_only_its_own_checklist(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.register(prozess.RIESA, "Riesa", ags="14627230")
    riesa = prozess.municipality(prozess.RIESA)
    refused = await prozess.put(f"{ZWK}/stages/KICK_OFF/checklist/agreed-goals", {"done": True}, riesa)
    assert refused.status_code == 403
    reader = await prozess.put(f"{ZWK}/stages/KICK_OFF/checklist/agreed-goals", {"done": True}, prozess.reader())
    assert reader.status_code == 403
    assert all(not i["done"] for i in (await prozess.stage("KICK_OFF"))["checklist"])
