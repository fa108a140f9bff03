"""The Kommunalprofil as data: indicators with their source, and a SWOT analysis."""

ZWK = "/processes/5a1b0c4e-0591-4300-8000-000000000001/ZWK"
PROFIL = f"{ZWK}/kommunalprofil"


async def swot_done(prozess) -> bool:  # type: ignore[no-untyped-def]
    stage = await prozess.stage("KOMMUNALPROFIL")
    return next(i["done"] for i in stage["checklist"] if i["key"] == "swot-analysis")  # type: ignore[no-any-return]


async def test_indicators_are_recorded_with_year_and_source(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    share = await prozess.put(
        f"{PROFIL}/indicators/share-65-plus", {"value": 21.4, "unit": "%", "year": 2022, "source": "Zensus 2022"}
    )
    assert share.status_code == 200, share.text
    assert share.json()["label"] == "Anteil der 65-Jährigen und Älteren (%)"
    own = await prozess.put(
        f"{PROFIL}/indicators/seniorenbueros", {"label": "Seniorenbüros", "value": 12, "source": "Sozialamt"}
    )
    assert own.status_code == 200
    page = (await prozess.get(f"{PROFIL}/indicators")).json()
    assert [i["key"] for i in page["items"]] == ["population", "seniorenbueros", "share-65-plus"]
    assert page["total_count"] == 3
    first = (await prozess.get(f"{PROFIL}/indicators", first=2)).json()
    rest = (await prozess.get(f"{PROFIL}/indicators", first=2, after=first["next_cursor"])).json()
    assert [i["key"] for i in rest["items"]] == ["share-65-plus"]

    assert (await prozess.delete(f"{PROFIL}/indicators/seniorenbueros")).status_code == 204
    assert (await prozess.delete(f"{PROFIL}/indicators/seniorenbueros")).status_code == 404


async def test_an_indicator_the_guidance_does_not_name_needs_a_label(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    response = await prozess.put(f"{PROFIL}/indicators/leerstand", {"value": 4.2})
    assert response.status_code == 422
    assert "give it a label" in response.json()["detail"]
    for bad in ({"value": "viel"}, {"value": 3, "year": 1800}, {"label": "", "value": 3}):
        assert (await prozess.put(f"{PROFIL}/indicators/leerstand", bad)).status_code == 422
    assert (await prozess.put(f"{PROFIL}/indicators/Leer stand", {"label": "x", "value": 1})).status_code == 422
    assert [i["key"] for i in (await prozess.get(f"{PROFIL}/indicators")).json()["items"]] == ["population"]


async def test_a_swot_analysis_is_done_when_all_four_kinds_are_recorded(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    items = [
        ("STRENGTH", "Starke Nachbarschaften und 60 Seniorenbüros", ["begegnung"]),
        ("WEAKNESS", "Wenig barrierefreier Wohnraum in Großwohnsiedlungen", ["wohnen"]),
        ("OPPORTUNITY", "Masterplan Wohnen in Arbeit", ["wohnen"]),
    ]
    for kind, text, topics in items:
        response = await prozess.post(f"{PROFIL}/swot-items", {"kind": kind, "text": text, "topics": topics})
        assert response.status_code == 201, response.text
    assert await swot_done(prozess) is False
    threat = await prozess.post(f"{PROFIL}/swot-items", {"kind": "THREAT", "text": "Altersarmut nimmt zu"})
    assert threat.json()["kind_label"] == "Risiko"
    assert await swot_done(prozess) is True

    page = (await prozess.get(f"{PROFIL}/swot-items")).json()
    assert [i["kind"] for i in page["items"]] == ["STRENGTH", "WEAKNESS", "OPPORTUNITY", "THREAT"]
    changed = await prozess.patch(f"{PROFIL}/swot-items/{threat.json()['id']}", {"kind": "WEAKNESS"})
    assert changed.json()["kind"] == "WEAKNESS"
    assert await swot_done(prozess) is False


async def test_bad_swot_items_are_refused(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    for bad in (
        {"kind": "CHANCE", "text": "Fördermittel"},
        {"kind": "STRENGTH", "text": "   "},
        {"kind": "STRENGTH", "text": "x", "topics": ["Wohnen!"]},
    ):
        assert (await prozess.post(f"{PROFIL}/swot-items", bad)).status_code == 422
    item = (await prozess.post(f"{PROFIL}/swot-items", {"kind": "STRENGTH", "text": "Ehrenamt"})).json()
    assert (await prozess.patch(f"{PROFIL}/swot-items/{item['id']}", {"text": None})).status_code == 422
    assert (await prozess.get(f"{PROFIL}/swot-items")).json()["total_count"] == 1


async def test_a_swot_item_a_measure_came_from_stays(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    weakness = (
        await prozess.post(f"{PROFIL}/swot-items", {"kind": "WEAKNESS", "text": "Vereinsamung im Alter"})
    ).json()
    measure = await prozess.post(
        f"{ZWK}/measures",
        {"title": "Nachbarschaftsbörse", "topic": "begegnung", "origin_swot_item_id": weakness["id"]},
    )
    assert measure.status_code == 201, measure.text
    refused = await prozess.delete(f"{PROFIL}/swot-items/{weakness['id']}")
    assert refused.status_code == 409
    assert "Nachbarschaftsbörse" in refused.json()["detail"]
    loose = (await prozess.post(f"{PROFIL}/swot-items", {"kind": "STRENGTH", "text": "Stiftungen"})).json()
    assert (await prozess.delete(f"{PROFIL}/swot-items/{loose['id']}")).status_code == 204


async def test_others_neither_read_nor_change_the_kommunalprofil(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.register(prozess.RIESA, "Riesa", ags="14627230")
    riesa = prozess.municipality(prozess.RIESA)
    assert (await prozess.get(f"{PROFIL}/indicators", riesa)).status_code == 403
    assert (await prozess.get(f"{PROFIL}/swot-items", riesa)).status_code == 403
    assert (await prozess.post(f"{PROFIL}/swot-items", {"kind": "THREAT", "text": "x"}, riesa)).status_code == 403
    assert (await prozess.put(f"{PROFIL}/indicators/births", {"value": 1}, prozess.reader())).status_code == 403
    adviser = prozess.adviser(prozess.DORTMUND)
    assert (await prozess.post(f"{PROFIL}/swot-items", {"kind": "THREAT", "text": "Hitze"}, adviser)).status_code == 201
    assert (await prozess.get(f"{PROFIL}/swot-items", prozess.reader())).json()["total_count"] == 1
