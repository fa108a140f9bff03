"""The office's views: per programme where every municipality stands and who is late, from prozess's own tables."""

import time
from datetime import timedelta

from sqlalchemy import text

from prozess.clock import today
from prozess.process.repository import ProcessRepository
from zwk_common.db import transaction

STAGES = ["KICK_OFF", "KOMMUNALPROFIL", "ZUKUNFTSWERKSTATT", "WERKSTATTPLAN", "ZWISCHENBILANZ"]


async def three_municipalities(prozess) -> None:  # type: ignore[no-untyped-def]
    """Dortmund late in Kommunalprofil, Riesa in Kick-Off, Grabow not yet begun."""
    await prozess.register()
    await prozess.register(prozess.RIESA, "Riesa", ags="14627230", population=29620)
    await prozess.register(prozess.GRABOW, "Grabow", ags="13076053", population=5479)
    await prozess.finish_kick_off()
    kommunalprofil = f"/processes/{prozess.DORTMUND}/ZWK/stages/KOMMUNALPROFIL"
    await prozess.patch(kommunalprofil, {"planned_start": "2022-01-10", "due_date": "2022-06-30"})
    assert (await prozess.post(f"{kommunalprofil}/start")).status_code == 200
    await prozess.start("KICK_OFF", prozess.RIESA, due_date=str(today() + timedelta(days=20)))


async def test_the_overview_counts_each_stage_and_names_the_overdue(prozess) -> None:  # type: ignore[no-untyped-def]
    await three_municipalities(prozess)
    response = await prozess.get("/overview", programme="ZWK")
    assert response.status_code == 200, response.text
    overview = response.json()
    assert overview["programme"] == "ZWK"
    assert overview["municipalities"] == 3
    assert [(s["stage"], s["in_progress"], s["completed"]) for s in overview["stages"]] == [
        ("KICK_OFF", 1, 1),
        ("KOMMUNALPROFIL", 1, 0),
        ("ZUKUNFTSWERKSTATT", 0, 0),
        ("WERKSTATTPLAN", 0, 0),
        ("ZWISCHENBILANZ", 0, 0),
    ]
    assert overview["stages"][1]["label"] == "Kommunalprofil"
    assert overview["overdue_municipality_ids"] == [str(prozess.DORTMUND)]
    assert overview["overdue_count"] == 1
    empty = (await prozess.get("/overview", programme="DWK", headers=prozess.reader())).json()
    assert (empty["municipalities"], empty["overdue_municipality_ids"]) == (0, [])


async def test_only_the_office_and_readers_see_the_overview(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    for caller in (prozess.municipality(prozess.DORTMUND), prozess.adviser(prozess.DORTMUND)):
        response = await prozess.get("/overview", headers=caller)
        assert response.status_code == 403
    assert (await prozess.get("/overview", programme="XYZ")).status_code == 422


async def test_municipality_ids_by_current_stage_and_overdue(prozess) -> None:  # type: ignore[no-untyped-def]
    await three_municipalities(prozess)

    async def ids(**filters: object) -> list[str]:
        response = await prozess.get("/processes/municipality-ids", **filters)
        assert response.status_code == 200, response.text
        return response.json()["items"]  # type: ignore[no-any-return]

    assert await ids(programme="ZWK", stage="KICK_OFF") == [str(prozess.RIESA)]
    assert await ids(programme="ZWK", stage="KOMMUNALPROFIL") == [str(prozess.DORTMUND)]
    assert await ids(programme="ZWK", overdue="true") == [str(prozess.DORTMUND)]
    assert await ids(programme="ZWK", overdue="false") == sorted([str(prozess.RIESA), str(prozess.GRABOW)])
    assert await ids(stage="KOMMUNALPROFIL", overdue="true") == [str(prozess.DORTMUND)]
    assert await ids(programme="DWK") == []
    everyone = sorted(str(m) for m in (prozess.DORTMUND, prozess.RIESA, prozess.GRABOW))
    first = (await prozess.get("/processes/municipality-ids", programme="ZWK", first=2)).json()
    assert (first["items"], first["total_count"]) == (everyone[:2], 3)
    rest = (await prozess.get("/processes/municipality-ids", programme="ZWK", after=first["next_cursor"])).json()
    assert (rest["items"], rest["next_cursor"]) == (everyone[2:], None)

    adviser = prozess.adviser(prozess.RIESA, prozess.GRABOW)
    seen = (await prozess.get("/processes/municipality-ids", headers=adviser, programme="ZWK")).json()
    assert sorted(seen["items"]) == sorted([str(prozess.RIESA), str(prozess.GRABOW)])
    assert (await prozess.get("/processes/municipality-ids", stage="HALBZEITBILANZ")).status_code == 422
    assert (await prozess.get("/processes/municipality-ids", first=101)).status_code == 422


async def test_the_views_stay_fast_at_11000_municipalities(prozess) -> None:  # type: ignore[no-untyped-def]
    count = 11_000
    async with transaction(prozess.runtime.sessions) as session:
        await seed(session, count)
        await session.execute(text("ANALYZE prozess.stages"))
        await ProcessRepository(session).refresh_all_summaries()
        await session.execute(text("ANALYZE prozess.processes"))

    progress = [i % 6 for i in range(count)]
    overdue = sum(1 for i in range(count) if progress[i] > 0 and i % 7 == 0)
    started = time.perf_counter()
    overview = (await prozess.get("/overview", programme="ZWK")).json()
    overview_seconds = time.perf_counter() - started
    assert overview["municipalities"] == count
    assert [s["in_progress"] for s in overview["stages"]] == [progress.count(k + 1) for k in range(5)]
    assert [s["completed"] for s in overview["stages"]] == [sum(1 for p in progress if p > k + 1) for k in range(5)]
    assert overview["overdue_count"] == overdue

    started = time.perf_counter()
    page = (
        await prozess.get(
            "/processes/municipality-ids", programme="ZWK", stage="WERKSTATTPLAN", overdue="true", first=100
        )
    ).json()
    ids_seconds = time.perf_counter() - started
    assert page["total_count"] == sum(1 for i in range(count) if progress[i] == 4 and i % 7 == 0)
    assert len(page["items"]) == 100

    started = time.perf_counter()
    batch = await prozess.processes(*page["items"])
    batch_seconds = time.perf_counter() - started
    assert len(batch) == 100 and all(p["current_stage"] == "WERKSTATTPLAN" and p["overdue"] for p in batch)
    print(f"overview {overview_seconds:.3f}s, ids {ids_seconds:.3f}s, batch of 100 {batch_seconds:.3f}s")
    assert overview_seconds < 2 and ids_seconds < 1 and batch_seconds < 2


async def seed(session, count: int) -> None:  # type: ignore[no-untyped-def]
    """`count` ZWK participants; participant i has begun i % 6 stages (the last one in progress),
    and every seventh with a stage in progress is past its due date."""
    await session.execute(
        text(
            "INSERT INTO prozess.municipalities (id, name, kind, bundesland, population, programmes, event_time) "
            "SELECT md5('m' || i)::uuid, 'Gemeinde ' || i, 'GEMEINDE', 'SN', 1000 + i, '{ZWK}', now() "
            "FROM generate_series(0, :n - 1) i"
        ),
        {"n": count},
    )
    await session.execute(
        text(
            "INSERT INTO prozess.processes (id, municipality_id, programme) "
            "SELECT md5('p' || i)::uuid, md5('m' || i)::uuid, 'ZWK' FROM generate_series(0, :n - 1) i"
        ),
        {"n": count},
    )
    await session.execute(
        text(
            "INSERT INTO prozess.stages (process_id, stage, position, status, started_at, completed_at, due_date) "
            "SELECT md5('p' || i)::uuid, s.stage, s.position, "
            "  CASE WHEN s.position < i % 6 - 1 THEN 'COMPLETED' WHEN s.position = i % 6 - 1 THEN 'IN_PROGRESS' "
            "       ELSE 'NOT_STARTED' END, "
            "  CASE WHEN s.position <= i % 6 - 1 THEN now() END, "
            "  CASE WHEN s.position < i % 6 - 1 THEN now() END, "
            "  CASE WHEN s.position = i % 6 - 1 THEN "
            "    CASE WHEN i % 7 = 0 THEN current_date - 30 ELSE current_date + 30 END END "
            "FROM generate_series(0, :n - 1) i, "
            "  (SELECT stage, ord - 1 AS position FROM unnest(CAST(:stages AS text[])) WITH ORDINALITY u(stage, ord)) s"
        ),
        {"n": count, "stages": STAGES},
    )
