"""The office brings in practices published before: all or none, searchable at once, announced to nobody."""

import uuid
from typing import Any

from austausch_world import DORTMUND, NACHBARSCHAFTSBOERSE, RIESA  # type: ignore[import-not-found]

MITFAHRBANK: dict[str, Any] = {
    "municipality_id": str(DORTMUND),
    "title": "Mitfahrbank in Dortmund-Asseln",
    "summary": "Wer auf der Bank Platz nimmt, möchte mitgenommen werden.",
    "body": "Die Mitfahrbank verbindet die Ortsteile ohne Busanbindung.",
    "topics": ["mobilitaet"],
    "author_subject": "verkehrsplanung@dortmund",
    "author_name": "Verkehrsplanung Dortmund",
    "published_at": "2022-06-01T09:00:00+02:00",
}


async def test_imported_practices_are_published_searchable_and_counted_at_once(forum) -> None:  # type: ignore[no-untyped-def]
    response = await forum.client.post(
        "/practices/import", json={"practices": [NACHBARSCHAFTSBOERSE, MITFAHRBANK]}, headers=forum.office()
    )
    assert response.status_code == 201, response.text
    answer = response.json()
    assert answer["imported"] == 2
    boerse_id, bank_id = answer["ids"]

    bank = (await forum.client.get(f"/practices/{bank_id}", headers=forum.reader())).json()
    assert bank["status"] == "PUBLISHED"
    assert (bank["author_subject"], bank["author_name"]) == ("verkehrsplanung@dortmund", "Verkehrsplanung Dortmund")
    assert bank["published_at"].startswith("2022-06-01T07:00:00")
    assert bank["revision"] == 1
    boerse = (await forum.client.get(f"/practices/{boerse_id}", headers=forum.member(RIESA))).json()
    assert boerse["author_subject"] == "geschaeftsstelle-1"
    revisions = (await forum.client.get(f"/practices/{bank_id}/revisions", headers=forum.reader())).json()
    assert [r["content"]["title"] for r in revisions] == ["Mitfahrbank in Dortmund-Asseln"]

    found = await forum.client.get(
        "/search", params={"q": "Mitfahrbank", "topic": "mobilitaet"}, headers=forum.reader()
    )
    assert [hit["title"] for hit in found.json()["items"]] == ["Mitfahrbank in Dortmund-Asseln"]
    # The words of an import correct misspellings like any others.
    misspelt = await forum.client.get("/search", params={"q": "Mitfahrbnak"}, headers=forum.reader())
    assert misspelt.json()["corrected_query"] == "mitfahrbank"
    counts = await forum.client.get(
        "/practices/counts", params={"municipality_id": str(DORTMUND)}, headers=forum.reader()
    )
    assert counts.json()[0]["published"] == 1
    # History is no news: nobody is told of an import.
    assert await forum.events() == []


async def test_only_the_office_imports(forum) -> None:  # type: ignore[no-untyped-def]
    body = {"practices": [NACHBARSCHAFTSBOERSE]}
    for caller in (forum.member(RIESA), forum.adviser(RIESA), forum.reader()):
        response = await forum.client.post("/practices/import", json=body, headers=caller)
        assert response.status_code == 403
        assert response.json()["code"] == "FORBIDDEN"
    assert (await forum.client.post("/practices/import", json=body)).status_code == 401
    listed = await forum.client.get("/practices", headers=forum.office())
    assert listed.json()["total_count"] == 0


async def test_an_import_with_one_bad_practice_imports_none(forum) -> None:  # type: ignore[no-untyped-def]
    unknown = {**MITFAHRBANK, "municipality_id": str(uuid.uuid4())}
    cases = [
        ({"practices": [NACHBARSCHAFTSBOERSE, unknown]}, "Not known to the forum"),
        ({"practices": [NACHBARSCHAFTSBOERSE, {**MITFAHRBANK, "topics": ["raumfahrt"]}]}, "Unknown topic"),
        ({"practices": [{**MITFAHRBANK, "published_at": "2999-01-01T00:00:00+01:00"}]}, "past time"),
        ({"practices": [{**MITFAHRBANK, "published_at": "2022-06-01T09:00:00"}]}, "offset"),
        ({"practices": [{**MITFAHRBANK, "title": ""}]}, None),
        ({"practices": [{**MITFAHRBANK, "status": "DRAFT"}]}, None),
        ({"practices": []}, None),
        ({"practices": [MITFAHRBANK] * 501}, None),
    ]
    for body, message in cases:
        response = await forum.client.post("/practices/import", json=body, headers=forum.office())
        assert response.status_code == 422, response.text
        problem = response.json()
        assert problem["code"] == "BAD_USER_INPUT"
        if message:
            assert message in problem["detail"]
    listed = await forum.client.get("/practices", headers=forum.office())
    assert listed.json()["total_count"] == 0
    found = await forum.client.get("/search", params={"q": "Nachbarschaftsbörse"}, headers=forum.reader())
    assert found.json()["total_count"] == 0
