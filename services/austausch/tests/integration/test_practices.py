"""Practices: drafted, published, edited with revisions, archived; and who may do what."""

import uuid

import pytest
from austausch_world import BOCHUM, DORTMUND, NACHBARSCHAFTSBOERSE, RIESA  # type: ignore[import-not-found]


async def test_a_municipality_drafts_a_practice_that_only_it_sees(forum) -> None:  # type: ignore[no-untyped-def]
    draft = await forum.practice(publish=False)
    assert draft["status"] == "DRAFT"
    assert draft["revision"] == 1
    assert draft["municipality_name"] == "Riesa"
    assert draft["contact"]["name"] == "Quartiersmanagement Weida"

    own = await forum.client.get(f"/practices/{draft['id']}", headers=forum.member(RIESA, "colleague"))
    assert own.status_code == 200
    for other in (forum.member(DORTMUND), forum.reader(), forum.adviser(DORTMUND)):
        response = await forum.client.get(f"/practices/{draft['id']}", headers=other)
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"
    assert await forum.events() == []


async def test_publishing_makes_a_practice_readable_for_everyone_signed_in_and_tells_others(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    assert practice["status"] == "PUBLISHED"
    assert practice["published_at"] is not None
    for anyone in (forum.member(DORTMUND), forum.reader(), forum.office()):
        response = await forum.client.get(f"/practices/{practice['id']}", headers=anyone)
        assert response.status_code == 200
        assert response.json()["title"] == "Nachbarschaftsbörse Riesa"
    [event] = await forum.events()
    assert event == {
        "type": "zwk.austausch.practice.published",
        "practice_id": practice["id"],
        "municipality_id": str(RIESA),
        "municipality_name": "Riesa",
        "title": "Nachbarschaftsbörse Riesa",
        "summary": NACHBARSCHAFTSBOERSE["summary"],
        "topics": ["engagement"],
        "author_subject": f"staff@{RIESA}",
        "actor": f"staff@{RIESA}",
    }


async def test_reading_needs_a_token(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    response = await forum.client.get(f"/practices/{practice['id']}")
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


async def test_every_edit_is_a_revision_and_an_update_event_once_published(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    riesa = forum.member(RIESA)
    response = await forum.client.patch(
        f"/practices/{practice['id']}",
        json={"summary": "Nachbarn helfen Nachbarn – jetzt auch in Gröba.", "expected_revision": 1, "effort": None},
        headers=riesa,
    )
    assert response.status_code == 200, response.text
    edited = response.json()
    assert edited["revision"] == 2
    assert edited["summary"] == "Nachbarn helfen Nachbarn – jetzt auch in Gröba."
    assert edited["effort"] is None
    assert edited["title"] == practice["title"]

    revisions = (await forum.client.get(f"/practices/{practice['id']}/revisions", headers=riesa)).json()
    assert [r["revision"] for r in revisions] == [2, 1]
    assert revisions[1]["content"]["summary"] == NACHBARSCHAFTSBOERSE["summary"]
    assert revisions[1]["content"]["effort"] == "MITTEL"
    assert revisions[0]["content"]["effort"] is None
    assert [e["type"] for e in await forum.events()] == [
        "zwk.austausch.practice.published",
        "zwk.austausch.practice.updated",
    ]


async def test_an_edit_based_on_an_old_revision_is_a_conflict_and_changes_nothing(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    riesa = forum.member(RIESA)
    first = await forum.client.patch(
        f"/practices/{practice['id']}", json={"title": "Nachbarschaftsbörse Riesa-Weida"}, headers=riesa
    )
    assert first.status_code == 200
    stale = await forum.client.patch(
        f"/practices/{practice['id']}",
        json={"title": "Nachbarschaftshilfe", "expected_revision": 1},
        headers=riesa,
    )
    assert stale.status_code == 409
    assert stale.json()["current_revision"] == 2
    now = (await forum.client.get(f"/practices/{practice['id']}", headers=riesa)).json()
    assert now["title"] == "Nachbarschaftsbörse Riesa-Weida"


async def test_an_edit_that_changes_nothing_makes_no_revision(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    response = await forum.client.patch(
        f"/practices/{practice['id']}", json={"title": practice["title"]}, headers=forum.member(RIESA)
    )
    assert response.json()["revision"] == 1
    assert len(await forum.events()) == 1


async def test_archiving_ends_the_lifecycle(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    riesa = forum.member(RIESA)
    archived = await forum.client.post(f"/practices/{practice['id']}/archive", headers=riesa)
    assert archived.status_code == 200
    assert archived.json()["status"] == "ARCHIVED"
    # Still readable, as a record of what was done.
    assert (await forum.client.get(f"/practices/{practice['id']}", headers=forum.member(DORTMUND))).status_code == 200
    again = await forum.client.post(f"/practices/{practice['id']}/publish", headers=riesa)
    assert again.status_code == 409
    edit = await forum.client.patch(f"/practices/{practice['id']}", json={"title": "Neu"}, headers=riesa)
    assert edit.status_code == 409
    assert (await forum.events())[-1]["type"] == "zwk.austausch.practice.archived"


async def test_a_draft_is_not_archived_and_a_published_practice_not_published_again(forum) -> None:  # type: ignore[no-untyped-def]
    draft = await forum.practice(publish=False)
    riesa = forum.member(RIESA)
    assert (await forum.client.post(f"/practices/{draft['id']}/archive", headers=riesa)).status_code == 409
    await forum.client.post(f"/practices/{draft['id']}/publish", headers=riesa)
    response = await forum.client.post(f"/practices/{draft['id']}/publish", headers=riesa)
    assert response.status_code == 409
    assert response.json()["code"] == "CONFLICT"


async def test_a_municipality_writes_only_for_itself(forum) -> None:  # type: ignore[no-untyped-def]
    response = await forum.client.post(
        "/practices", json={**NACHBARSCHAFTSBOERSE, "municipality_id": str(DORTMUND)}, headers=forum.member(RIESA)
    )
    assert response.status_code == 403
    assert response.json()["code"] == "FORBIDDEN"
    assert await forum.events() == []


async def test_only_the_authors_municipality_edits_publishes_and_archives(forum) -> None:  # type: ignore[no-untyped-def]
    draft = await forum.practice(publish=False)
    published = await forum.practice(title="Seniorenlotsen")
    dortmund = forum.member(DORTMUND)
    assert (
        await forum.client.patch(f"/practices/{published['id']}", json={"title": "Meins"}, headers=dortmund)
    ).status_code == 403
    assert (await forum.client.post(f"/practices/{published['id']}/archive", headers=dortmund)).status_code == 403
    # A draft of another municipality is not even there for Dortmund.
    assert (await forum.client.post(f"/practices/{draft['id']}/publish", headers=dortmund)).status_code == 404
    unchanged = (await forum.client.get(f"/practices/{published['id']}", headers=dortmund)).json()
    assert unchanged["title"] == "Seniorenlotsen"
    assert unchanged["status"] == "PUBLISHED"


async def test_an_assigned_adviser_writes_for_the_municipality_and_an_unassigned_one_does_not(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice(headers=forum.adviser(RIESA), publish=False)
    assert practice["municipality_id"] == str(RIESA)
    response = await forum.client.patch(
        f"/practices/{practice['id']}", json={"title": "Nachbarschaftsbörse"}, headers=forum.adviser(DORTMUND, BOCHUM)
    )
    assert response.status_code == 404


async def test_a_reader_never_writes(forum) -> None:  # type: ignore[no-untyped-def]
    reader = forum.reader()
    practice = await forum.practice()
    assert (await forum.client.post("/practices", json=NACHBARSCHAFTSBOERSE, headers=reader)).status_code == 403
    assert (
        await forum.client.patch(f"/practices/{practice['id']}", json={"title": "x" * 10}, headers=reader)
    ).status_code == 403
    assert (await forum.client.post(f"/practices/{practice['id']}/archive", headers=reader)).status_code == 403
    assert len(await forum.events()) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": "   "}, "title"),
        ({"title": "N" * 201}, "title"),
        ({"summary": ""}, "summary"),
        ({"body": ""}, "body"),
        ({"body": "B" * 50_001}, "body"),
        ({"topics": []}, "topics"),
        ({"topics": ["Not A Key!"]}, "topics.0"),
        ({"target_groups": ["astronauten"]}, "target_groups.0"),
        ({"tool_kind": "ZAUBERSPRUCH"}, "tool_kind"),
        ({"contact": {"name": "A", "email": "kein-at-zeichen"}}, "contact.email"),
        ({"municipality_id": "05913000"}, "municipality_id"),
        ({"surprise": True}, "surprise"),
    ],
)
async def test_bad_input_is_a_clear_problem_and_writes_nothing(forum, change, field) -> None:  # type: ignore[no-untyped-def]
    response = await forum.client.post(
        "/practices", json={**NACHBARSCHAFTSBOERSE, **change}, headers=forum.member(RIESA)
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert response.headers["content-type"] == "application/problem+json"
    assert problem["code"] == "BAD_USER_INPUT"
    assert field in [e["field"] for e in problem["errors"]]
    listed = await forum.client.get("/practices", params={"municipality_id": str(RIESA)}, headers=forum.office())
    assert listed.json()["total_count"] == 0


async def test_an_unknown_topic_is_named_in_the_problem(forum) -> None:  # type: ignore[no-untyped-def]
    response = await forum.client.post(
        "/practices", json={**NACHBARSCHAFTSBOERSE, "topics": ["engagement", "raumfahrt"]}, headers=forum.member(RIESA)
    )
    assert response.status_code == 422
    assert response.json()["unknown_topics"] == ["raumfahrt"]


async def test_an_unknown_municipality_is_bad_input(forum) -> None:  # type: ignore[no-untyped-def]
    stranger = uuid.uuid4()
    response = await forum.client.post(
        "/practices", json={**NACHBARSCHAFTSBOERSE, "municipality_id": str(stranger)}, headers=forum.member(stranger)
    )
    assert response.status_code == 422
    assert "not known" in response.json()["detail"]


async def test_an_edit_cannot_remove_a_required_field(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    response = await forum.client.patch(
        f"/practices/{practice['id']}", json={"title": None}, headers=forum.member(RIESA)
    )
    assert response.status_code == 422
    assert (await forum.client.get(f"/practices/{practice['id']}", headers=forum.member(RIESA))).json()["revision"] == 1


async def test_a_batch_read_keeps_the_order_asked_and_leaves_out_what_the_caller_may_not_see(forum) -> None:  # type: ignore[no-untyped-def]
    first = await forum.practice(title="Seniorenlotsen")
    second = await forum.practice(title="Dorfladen mit Café")
    draft = await forum.practice(title="Mitfahrbank", publish=False)
    response = await forum.client.get(
        "/practices",
        params=[("ids", second["id"]), ("ids", draft["id"]), ("ids", first["id"]), ("ids", str(uuid.uuid4()))],
        headers=forum.member(DORTMUND),
    )
    assert response.status_code == 200
    assert [p["title"] for p in response.json()["items"]] == ["Dorfladen mit Café", "Seniorenlotsen"]
    too_many = await forum.client.get(
        "/practices", params=[("ids", str(uuid.uuid4())) for _ in range(101)], headers=forum.reader()
    )
    assert too_many.status_code == 422


async def test_lists_page_with_a_cursor_and_refuse_a_page_of_ten_thousand(forum) -> None:  # type: ignore[no-untyped-def]
    for title in ("Seniorenlotsen", "Dorfladen mit Café", "Mitfahrbank"):
        await forum.practice(title=title)
    reader = forum.reader()
    page = (await forum.client.get("/practices", params={"first": 2}, headers=reader)).json()
    assert page["total_count"] == 3
    assert [p["title"] for p in page["items"]] == ["Mitfahrbank", "Dorfladen mit Café"]
    rest = (
        await forum.client.get("/practices", params={"first": 2, "after": page["next_cursor"]}, headers=reader)
    ).json()
    assert [p["title"] for p in rest["items"]] == ["Seniorenlotsen"]
    assert rest["next_cursor"] is None
    huge = await forum.client.get("/practices", params={"first": 10_000}, headers=reader)
    assert huge.status_code == 422
    forged = await forum.client.get("/practices", params={"after": "bm90LWEtY3Vyc29y"}, headers=reader)
    assert forged.status_code == 422


async def test_practice_counts_per_municipality(forum) -> None:  # type: ignore[no-untyped-def]
    practice = await forum.practice()
    await forum.practice(title="Mitfahrbank", publish=False)
    await forum.client.post(
        f"/practices/{practice['id']}/adoptions",
        json={"municipality_id": str(DORTMUND), "result": "Läuft in zwei Stadtteilen."},
        headers=forum.member(DORTMUND),
    )
    response = await forum.client.get(
        "/practices/counts",
        params=[("municipality_id", str(RIESA)), ("municipality_id", str(DORTMUND))],
        headers=forum.reader(),
    )
    assert response.status_code == 200
    assert response.json() == [
        {"municipality_id": str(RIESA), "published": 1, "adopted_by_others": 1, "adopted_from_others": 0},
        {"municipality_id": str(DORTMUND), "published": 0, "adopted_by_others": 0, "adopted_from_others": 1},
    ]


async def test_the_first_pages_of_many_municipalities_come_in_one_read_and_page_on_like_a_list(forum) -> None:  # type: ignore[no-untyped-def]
    for title in ("Seniorenlotsen", "Dorfladen mit Café", "Mitfahrbank"):
        await forum.practice(title=title)
    await forum.practice(title="Quartiersbüro", municipality_id=str(DORTMUND), headers=forum.member(DORTMUND))
    draft = await forum.practice(title="Rufbus", publish=False)
    wanted = [("municipality_id", str(RIESA)), ("municipality_id", str(BOCHUM)), ("municipality_id", str(DORTMUND))]
    response = await forum.client.get(
        "/practices/by-municipality",
        params=[*wanted, ("status", "PUBLISHED"), ("first", "2")],
        headers=forum.member(RIESA),
    )
    assert response.status_code == 200, response.text
    riesa, bochum, dortmund = response.json()
    assert (riesa["municipality_id"], bochum["municipality_id"], dortmund["municipality_id"]) == (
        str(RIESA),
        str(BOCHUM),
        str(DORTMUND),
    )
    assert [p["title"] for p in riesa["items"]] == ["Mitfahrbank", "Dorfladen mit Café"]
    assert riesa["total_count"] == 3
    assert (bochum["items"], bochum["next_cursor"], bochum["total_count"]) == ([], None, 0)
    assert [p["title"] for p in dortmund["items"]] == ["Quartiersbüro"]
    assert dortmund["next_cursor"] is None

    rest = await forum.client.get(
        "/practices",
        params={"municipality_id": str(RIESA), "status": "PUBLISHED", "first": 2, "after": riesa["next_cursor"]},
        headers=forum.member(RIESA),
    )
    assert [p["title"] for p in rest.json()["items"]] == ["Seniorenlotsen"]

    # Without a status filter the owner sees its draft; others never do.
    own = (
        await forum.client.get(
            "/practices/by-municipality", params={"municipality_id": str(RIESA)}, headers=forum.member(RIESA)
        )
    ).json()
    assert draft["id"] in [p["id"] for p in own[0]["items"]]
    other = (
        await forum.client.get(
            "/practices/by-municipality", params={"municipality_id": str(RIESA)}, headers=forum.reader()
        )
    ).json()
    assert draft["id"] not in [p["id"] for p in other[0]["items"]]
    assert other[0]["total_count"] == 3

    # A page of none counts only, by the same rules of who sees what.
    for headers, expected in ((forum.member(RIESA), 4), (forum.reader(), 3)):
        response = await forum.client.get(
            "/practices/by-municipality", params=[*wanted, ("first", "0")], headers=headers
        )
        assert response.status_code == 200, response.text
        counted = response.json()
        assert [(c["items"], c["next_cursor"]) for c in counted] == [([], None)] * 3
        assert [c["total_count"] for c in counted] == [expected, 0, 1]


async def test_counts_of_many_municipalities_agree_with_each_ones_list_for_every_caller_and_filter(forum) -> None:  # type: ignore[no-untyped-def]
    # The batch count is a statement of its own, made once: it counts what each list shows.
    await forum.practice(title="Seniorenlotsen")
    await forum.practice(title="Rufbus", publish=False)
    # A colleague's draft: Riesa's staff sees it as Riesa's, not as its author.
    await forum.practice(title="Bürgerbus", publish=False, headers=forum.member(RIESA, person="kollegin"))
    await forum.practice(title="Dorfladen", topics=["nahversorgung"])
    await forum.practice(title="Quartiersbüro", municipality_id=str(DORTMUND), headers=forum.member(DORTMUND))
    await forum.practice(
        title="Entwurf Dortmund", municipality_id=str(DORTMUND), headers=forum.member(DORTMUND), publish=False
    )
    callers = {
        "office": forum.office(),
        "riesa": forum.member(RIESA),
        "dortmund": forum.member(DORTMUND),
        "reader": forum.reader(),
    }
    filters: list[list[tuple[str, str]]] = [
        [],
        [("status", "PUBLISHED")],
        [("status", "DRAFT")],
        [("topic", "nahversorgung")],
    ]
    owners = [RIESA, BOCHUM, DORTMUND]
    riesa_seen_by = {}
    for who, headers in callers.items():
        for wanted in filters:
            params = [*(("municipality_id", str(m)) for m in owners), *wanted, ("first", "0")]
            counted = (await forum.client.get("/practices/by-municipality", params=params, headers=headers)).json()
            for owner, count in zip(owners, counted, strict=True):
                listed = await forum.client.get(
                    "/practices", params=[("municipality_id", str(owner)), *wanted, ("first", "100")], headers=headers
                )
                assert count["total_count"] == len(listed.json()["items"]), (who, wanted, owner)
            if not wanted:
                riesa_seen_by[who] = counted[0]["total_count"]
    assert riesa_seen_by == {"office": 4, "riesa": 4, "dortmund": 2, "reader": 2}


async def test_the_first_pages_are_read_for_at_most_a_hundred_municipalities(forum) -> None:  # type: ignore[no-untyped-def]
    too_many = [("municipality_id", str(uuid.uuid4())) for _ in range(101)]
    for params in (too_many, [], [("municipality_id", str(RIESA)), ("first", "101")]):
        response = await forum.client.get("/practices/by-municipality", params=params, headers=forum.reader())
        assert response.status_code == 422
        assert response.json()["code"] == "BAD_USER_INPUT"
