"""Stages run in order, complete with their checklist, reopen only by the office, and keep a history."""

import asyncio
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import asyncpg
import pytest
from sqlalchemy import event

from prozess.clock import today
from zwk_common.db import asyncpg_dsn
from zwk_common.testing import eventually

ZWK = "/processes/5a1b0c4e-0591-4300-8000-000000000001/ZWK"


def kick_off(path: str = "") -> str:
    return f"{ZWK}/stages/KICK_OFF{path}"


async def test_a_stage_starts_and_completes_recording_who_and_when(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    dortmund = prozess.municipality(prozess.DORTMUND, subject="stadt-dortmund-1")
    due = today() + timedelta(days=30)
    started = await prozess.post(kick_off("/start"), {"due_date": str(due)}, dortmund)
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "IN_PROGRESS"
    assert started.json()["started_by"] == "stadt-dortmund-1"
    assert started.json()["due_date"] == str(due)
    assert started.json()["overdue"] is False

    for key, evidence in {
        "kick-off-date": "2021-10-14",
        "invited-by-head": "Oberbürgermeister",
        "participants-by-actor-type": "Verwaltung 12, Politik 4, Zivilgesellschaft 9",
        "agreed-goals": "Altersgerechte Quartiere",
        "agreed-next-steps": "Kommunalprofil bis März",
    }.items():
        assert (
            await prozess.put(f"{ZWK}/stages/KICK_OFF/checklist/{key}", {"done": True, "evidence": evidence}, dortmund)
        ).status_code == 200
    completed = await prozess.post(kick_off("/complete"), None, dortmund)
    assert completed.status_code == 200, completed.text
    body = completed.json()
    assert body["status"] == "COMPLETED"
    assert body["completed_by"] == "stadt-dortmund-1"
    assert body["completed_at"] >= body["started_at"]
    assert body["open_required_items"] == []
    assert {i["key"] for i in body["checklist"] if not i["done"]} == {"steering-group", "kick-off-documentation"}


async def test_stage_cannot_start_before_previous_completes(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    response = await prozess.start("KOMMUNALPROFIL")
    assert response.status_code == 409
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "CONFLICT"
    assert "Kommunalprofil starts only after Kick-Off is completed" in problem["detail"]
    assert problem["blocking_stage"] == "KICK_OFF"
    assert (await prozess.stage("KOMMUNALPROFIL"))["status"] == "NOT_STARTED"

    assert (await prozess.start("KICK_OFF")).status_code == 200
    assert (await prozess.start("KOMMUNALPROFIL")).status_code == 409, "in progress is not completed"
    assert (await prozess.stage("KOMMUNALPROFIL"))["status"] == "NOT_STARTED"
    assert [e["stage"] for e in await prozess.events("zwk.prozess.stage.started")] == ["KICK_OFF"]


async def test_a_stage_starts_only_once(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    assert (await prozess.start("KICK_OFF")).status_code == 200
    again = await prozess.start("KICK_OFF")
    assert again.status_code == 409
    assert "already in Arbeit" in again.json()["detail"]
    assert len(await prozess.events("zwk.prozess.stage.started")) == 1


async def test_stage_cannot_complete_while_required_items_are_open(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.start("KICK_OFF")
    await prozess.tick("KICK_OFF", "agreed-goals", "Altersgerechte Quartiere")
    response = await prozess.complete("KICK_OFF")
    assert response.status_code == 409
    problem = response.json()
    assert problem["open_items"] == [
        "kick-off-date",
        "invited-by-head",
        "participants-by-actor-type",
        "agreed-next-steps",
    ]
    assert "Vereinbarte nächste Schritte" in problem["detail"]
    stage = await prozess.stage("KICK_OFF")
    assert stage["status"] == "IN_PROGRESS"
    assert stage["completed_at"] is None
    assert await prozess.events("zwk.prozess.stage.completed") == []


async def test_an_item_ticked_and_then_unticked_is_open_again(prozess) -> None:  # type: ignore[no-untyped-def]
    # Riesa has ticked every item: what Dortmund has not is open all the same.
    await prozess.register(prozess.RIESA, "Riesa", ags="14627230")
    await prozess.start("KICK_OFF", prozess.RIESA)
    await prozess.finish_kick_off_items(prozess.RIESA)
    await prozess.register()
    await prozess.start("KICK_OFF")
    await prozess.finish_kick_off_items()
    assert (await prozess.tick("KICK_OFF", "agreed-next-steps", done=False)).status_code == 200
    response = await prozess.complete("KICK_OFF")
    assert response.status_code == 409
    assert response.json()["open_items"] == ["agreed-next-steps"]
    assert (await prozess.stage("KICK_OFF"))["status"] == "IN_PROGRESS"
    assert await prozess.events("zwk.prozess.stage.completed") == []
    assert (await prozess.tick("KICK_OFF", "agreed-next-steps", {"text": "Bürgerforum im Mai"})).status_code == 200
    completed = await prozess.complete("KICK_OFF")
    assert completed.status_code == 200, completed.text
    assert completed.json()["status"] == "COMPLETED" and completed.json()["open_required_items"] == []


async def test_a_stage_not_started_cannot_complete(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    response = await prozess.complete("KICK_OFF")
    assert response.status_code == 409
    assert (await prozess.stage("KICK_OFF"))["status"] == "NOT_STARTED"


async def test_an_unknown_stage_is_bad_input(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    for response in (
        await prozess.post(f"{ZWK}/stages/HALBZEITBILANZ/start"),
        await prozess.post(f"{ZWK}/stages/kick_off/complete"),
        await prozess.put(f"{ZWK}/stages/BILANZ/checklist/agreed-goals", {"done": True}),
    ):
        assert response.status_code == 422
        assert response.json()["code"] == "BAD_USER_INPUT"
        assert response.json()["errors"][0]["field"] == "path.stage"
    assert {s["status"] for s in (await prozess.process())["stages"]} == {"NOT_STARTED"}


async def test_a_due_date_before_the_start_is_bad_input(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    yesterday = today() - timedelta(days=1)
    response = await prozess.start("KICK_OFF", due_date=str(yesterday))
    assert response.status_code == 422
    assert "lies before the start" in response.json()["detail"]
    assert (await prozess.stage("KICK_OFF"))["status"] == "NOT_STARTED"
    assert await prozess.events("zwk.prozess.stage.started") == []

    # A due date before the stage's planned start refuses the start, which then changes nothing.
    in_a_month = today() + timedelta(days=30)
    assert (await prozess.patch(kick_off(), {"planned_start": str(in_a_month)})).status_code == 200
    early = await prozess.start("KICK_OFF", due_date=str(in_a_month - timedelta(days=1)))
    assert early.status_code == 422
    assert f"lies before the planned start {in_a_month}" in early.json()["detail"]
    stage = await prozess.stage("KICK_OFF")
    assert (stage["status"], stage["started_at"], stage["started_by"], stage["due_date"]) == (
        "NOT_STARTED",
        None,
        None,
        None,
    )
    history = await prozess.get(f"{ZWK}/history")
    assert history.status_code == 200 and history.json()["items"] == []
    assert await prozess.events("zwk.prozess.stage.started") == []

    planned = await prozess.patch(
        f"{ZWK}/stages/KOMMUNALPROFIL", {"planned_start": "2022-03-01", "due_date": "2022-02-28"}
    )
    assert planned.status_code == 422
    assert "lies before the planned start 2022-03-01" in planned.json()["detail"]
    stage = await prozess.stage("KOMMUNALPROFIL")
    assert (stage["planned_start"], stage["due_date"]) == (None, None)


async def test_a_due_date_is_not_moved_before_the_day_the_stage_started(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.start("KICK_OFF", due_date=str(today() + timedelta(days=10)))
    response = await prozess.patch(kick_off(), {"due_date": str(today() - timedelta(days=3))})
    assert response.status_code == 422
    assert (await prozess.stage("KICK_OFF"))["due_date"] == str(today() + timedelta(days=10))


async def test_stages_are_planned_with_start_and_due_dates(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    response = await prozess.patch(
        f"{ZWK}/stages/ZUKUNFTSWERKSTATT", {"planned_start": "2022-05-02", "due_date": "2022-09-30"}
    )
    assert response.status_code == 200, response.text
    assert (response.json()["planned_start"], response.json()["due_date"]) == ("2022-05-02", "2022-09-30")
    moved = await prozess.patch(f"{ZWK}/stages/ZUKUNFTSWERKSTATT", {"due_date": "2022-10-31"})
    assert (moved.json()["planned_start"], moved.json()["due_date"]) == ("2022-05-02", "2022-10-31")
    # A planned stage not yet started is not overdue, however old its due date.
    assert moved.json()["overdue"] is False


async def test_an_unknown_municipality_is_not_found(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    nowhere = uuid.uuid4()
    for response in (
        await prozess.post(f"/processes/{nowhere}/ZWK/stages/KICK_OFF/start"),
        await prozess.get(f"/processes/{nowhere}/ZWK"),
        await prozess.get(f"/processes/{nowhere}/ZWK/history"),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "NOT_FOUND"
        assert str(nowhere) in response.json()["detail"]
    other_programme = await prozess.post(f"/processes/{prozess.DORTMUND}/DWK/stages/KICK_OFF/start")
    assert other_programme.status_code == 404
    assert "no process in the programme DWK" in other_programme.json()["detail"]
    assert await prozess.events("zwk.prozess.stage.started") == []


async def test_only_the_office_reopens_a_completed_stage_and_says_why(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.finish_kick_off()
    reason = {"reason": "Die Ziele wurden ohne den Seniorenbeirat vereinbart."}
    for caller in (prozess.municipality(prozess.DORTMUND), prozess.adviser(prozess.DORTMUND), prozess.reader()):
        refused = await prozess.post(kick_off("/reopen"), reason, caller)
        assert refused.status_code == 403
        assert refused.json()["code"] == "FORBIDDEN"
    without_reason = await prozess.post(kick_off("/reopen"), {"reason": " "})
    assert without_reason.status_code == 422
    assert (await prozess.stage("KICK_OFF"))["status"] == "COMPLETED"

    reopened = await prozess.post(kick_off("/reopen"), reason)
    assert reopened.status_code == 200, reopened.text
    assert reopened.json()["status"] == "IN_PROGRESS"
    assert reopened.json()["completed_at"] is None
    assert reopened.json()["started_at"] is not None
    [event] = await prozess.events("zwk.prozess.stage.reopened")
    assert event["reason"] == reason["reason"]
    assert event["status"] == "IN_PROGRESS"
    assert event["actor"] == prozess.office_subject

    not_completed = await prozess.post(kick_off("/reopen"), reason)
    assert not_completed.status_code == 409


async def test_every_transition_is_kept_in_the_history(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.finish_kick_off()
    await prozess.post(kick_off("/reopen"), {"reason": "Nächste Schritte fehlen"})
    await prozess.complete("KICK_OFF")
    response = await prozess.get(f"{ZWK}/history")
    assert response.status_code == 200
    page = response.json()
    assert page["total_count"] == 4
    assert [(t["stage"], t["from_status"], t["to_status"], t["reason"]) for t in page["items"]] == [
        ("KICK_OFF", "NOT_STARTED", "IN_PROGRESS", None),
        ("KICK_OFF", "IN_PROGRESS", "COMPLETED", None),
        ("KICK_OFF", "COMPLETED", "IN_PROGRESS", "Nächste Schritte fehlen"),
        ("KICK_OFF", "IN_PROGRESS", "COMPLETED", None),
    ]
    assert {t["actor"] for t in page["items"]} == {prozess.office_subject}
    assert [t["at"] for t in page["items"]] == sorted(t["at"] for t in page["items"])

    first = (await prozess.get(f"{ZWK}/history", first=3)).json()
    assert len(first["items"]) == 3 and first["next_cursor"]
    rest = (await prozess.get(f"{ZWK}/history", first=3, after=first["next_cursor"])).json()
    assert [t["reason"] for t in rest["items"]] == [None] and rest["next_cursor"] is None
    assert (await prozess.get(f"{ZWK}/history", after="not-a-cursor")).status_code == 422


async def test_two_concurrent_completions_one_wins_and_one_event_is_published(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.start("KICK_OFF")
    await prozess.finish_kick_off_items()
    answers = await asyncio.gather(*(prozess.complete("KICK_OFF") for _ in range(5)))
    assert sorted(a.status_code for a in answers) == [200, 409, 409, 409, 409]
    assert len(await prozess.events("zwk.prozess.stage.completed")) == 1
    history = (await prozess.get(f"{ZWK}/history")).json()
    assert [t["to_status"] for t in history["items"]] == ["IN_PROGRESS", "COMPLETED"]


async def test_stage_events_carry_the_contract_fields_and_the_municipality_as_ordering_key(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    due = today() + timedelta(days=60)
    await prozess.start("KICK_OFF", due_date=str(due))
    [event] = await prozess.events("zwk.prozess.stage.started")
    assert event["_subject"] == str(prozess.DORTMUND)
    assert {k: event[k] for k in ("municipality_id", "municipality_name", "programme", "stage", "status")} == {
        "municipality_id": str(prozess.DORTMUND),
        "municipality_name": "Dortmund",
        "programme": "ZWK",
        "stage": "KICK_OFF",
        "status": "IN_PROGRESS",
    }
    assert event["due_date"] == str(due)
    assert event["actor"] == prozess.office_subject
    assert event["reason"] is None
    assert event["at"]


async def test_the_current_stage_follows_the_stages(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    assert (await prozess.process())["current_stage"] is None
    await prozess.finish_kick_off()
    assert (await prozess.process())["current_stage"] == "KICK_OFF"
    await prozess.start("KOMMUNALPROFIL")
    assert (await prozess.process())["current_stage"] == "KOMMUNALPROFIL"
    # A reopened stage is where the work is again.
    await prozess.post(kick_off("/reopen"), {"reason": "Lenkungsgruppe fehlt"})
    assert (await prozess.process())["current_stage"] == "KICK_OFF"


@pytest.mark.parametrize("role", ["municipality", "adviser"])
async def test_a_municipality_and_an_adviser_act_only_on_their_own_processes(prozess, role: str) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.register(prozess.RIESA, "Riesa", ags="14627230", population=29620)
    riesa = prozess.municipality(prozess.RIESA) if role == "municipality" else prozess.adviser(prozess.RIESA)
    refused = await prozess.post(kick_off("/start"), None, riesa)
    assert refused.status_code == 403
    assert refused.json()["code"] == "FORBIDDEN"
    assert (await prozess.get(ZWK, riesa)).status_code == 403
    assert (await prozess.get(f"{ZWK}/history", riesa)).status_code == 403
    assert (await prozess.stage("KICK_OFF"))["status"] == "NOT_STARTED"

    own = await prozess.post(f"/processes/{prozess.RIESA}/ZWK/stages/KICK_OFF/start", None, riesa)
    assert own.status_code == 200
    both = await prozess.client.get(
        "/processes", params={"municipality_id": [str(prozess.DORTMUND), str(prozess.RIESA)]}, headers=riesa
    )
    assert [p["municipality_name"] for p in both.json()] == ["Riesa"]
    summaries = await prozess.client.get(
        "/processes/summaries",
        params={"municipality_id": [str(prozess.DORTMUND), str(prozess.RIESA)]},
        headers=riesa,
    )
    assert [p["municipality_name"] for p in summaries.json()] == ["Riesa"]


async def test_a_summary_is_the_process_without_its_checklists(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.register(prozess.RIESA, "Riesa", ags="14627230", population=29620)
    await prozess.finish_kick_off_items()
    # Planned long ago and started late: overdue from the first day.
    await prozess.patch(kick_off(), {"planned_start": "2021-09-01", "due_date": "2021-10-31"})
    assert (await prozess.start("KICK_OFF")).status_code == 200
    ids = [str(prozess.DORTMUND), str(prozess.RIESA)]
    full = (await prozess.client.get("/processes", params={"municipality_id": ids}, headers=prozess.office())).json()
    answer = await prozess.client.get("/processes/summaries", params={"municipality_id": ids}, headers=prozess.office())
    assert answer.status_code == 200
    summaries = answer.json()
    assert len(summaries) == 2
    without_checklists = [
        {
            **process,
            "stages": [
                {k: v for k, v in stage.items() if k not in ("checklist", "open_required_items")}
                for stage in process["stages"]
            ],
        }
        for process in full
    ]
    assert summaries == without_checklists
    dortmund = next(p for p in summaries if p["municipality_id"] == str(prozess.DORTMUND))
    assert dortmund["current_stage"] == "KICK_OFF"
    assert dortmund["overdue"] is True
    assert dortmund["stages"][0]["status"] == "IN_PROGRESS"


async def test_summaries_are_read_for_at_most_100_municipalities(prozess) -> None:  # type: ignore[no-untyped-def]
    too_many = [str(uuid.uuid4()) for _ in range(101)]
    answer = await prozess.client.get(
        "/processes/summaries", params={"municipality_id": too_many}, headers=prozess.office()
    )
    assert answer.status_code == 422
    assert (await prozess.client.get("/processes/summaries", headers=prozess.office())).status_code == 422


async def test_a_reader_reads_every_process_and_changes_none(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    reader = prozess.reader()
    assert (await prozess.get(ZWK, reader)).status_code == 200
    refused = await prozess.post(kick_off("/start"), None, reader)
    assert refused.status_code == 403
    assert "read-only" in refused.json()["detail"]
    assert (await prozess.patch(kick_off(), {"due_date": "2030-01-01"}, reader)).status_code == 403
    assert (await prozess.stage("KICK_OFF"))["status"] == "NOT_STARTED"


async def test_without_a_token_nothing_is_answered(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    response = await prozess.client.get(ZWK)
    assert response.status_code == 401
    assert response.json()["code"] == "UNAUTHENTICATED"


async def test_a_claim_that_names_no_municipality_grants_nothing(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.register(prozess.RIESA, "Riesa", ags="14627230")
    odd = {"Authorization": f"Bearer {prozess.mint('adviser', municipality_ids=['dortmund', str(prozess.RIESA)])}"}
    ids = await prozess.get("/processes/municipality-ids", headers=odd, programme="ZWK")
    assert ids.status_code == 200
    assert ids.json()["items"] == [str(prozess.RIESA)]
    assert (await prozess.post(kick_off("/start"), None, odd)).status_code == 403


async def test_evidence_with_nul_is_refused_as_input_and_nothing_is_ticked(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    refused = await prozess.tick("KICK_OFF", "agreed-goals", "Ziele\u0000")
    assert refused.status_code == 422
    assert refused.json()["code"] == "BAD_USER_INPUT"
    items = {item["key"]: item for item in (await prozess.stage("KICK_OFF"))["checklist"]}
    assert items["agreed-goals"]["done"] is False


async def test_main_names_the_main_process_in_a_path(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register(programmes=("DAKS", "ZWK"))
    await prozess.register(prozess.RIESA, "Riesa", programmes=("DAKS",), ags="14627230")
    office = prozess.office()
    # ZWK before DAKS: Dortmund's main process is its ZWK process, Riesa's its only one.
    started = await prozess.post(f"/processes/{prozess.DORTMUND}/main/stages/KICK_OFF/start", None, office)
    assert started.status_code == 200, started.text
    assert (await prozess.stage("KICK_OFF", programme="ZWK"))["status"] == "IN_PROGRESS"
    assert (await prozess.stage("KICK_OFF", programme="DAKS"))["status"] == "NOT_STARTED"
    riesa = await prozess.post(f"/processes/{prozess.RIESA}/main/stages/KICK_OFF/start", None, office)
    assert riesa.status_code == 200, riesa.text
    assert (await prozess.stage("KICK_OFF", prozess.RIESA, programme="DAKS"))["status"] == "IN_PROGRESS"
    read = await prozess.get(f"/processes/{prozess.RIESA}/main", office)
    assert read.json()["programme"] == "DAKS"
    ticked = await prozess.put(
        f"/processes/{prozess.RIESA}/main/stages/KICK_OFF/checklist/agreed-goals", {"done": True}, office
    )
    assert ticked.status_code == 200, ticked.text

    # Every read marks the main process the same way, for the gateway to follow.
    dortmund, riesa = str(prozess.DORTMUND), str(prozess.RIESA)
    for path in ("/processes", "/processes/summaries"):
        listed = await prozess.get(path, office, municipality_id=[dortmund, riesa])
        assert listed.status_code == 200, listed.text
        found = listed.json()
        found = found["items"] if isinstance(found, dict) else found
        assert {(p["municipality_id"], p["programme"], p["main"]) for p in found} == {
            (dortmund, "ZWK", True),
            (dortmund, "DAKS", False),
            (riesa, "DAKS", True),
        }, path
    for programme, main in (("ZWK", True), ("DAKS", False)):
        one = await prozess.get(f"/processes/{prozess.DORTMUND}/{programme}", office)
        assert one.json()["main"] is main


async def test_main_is_not_found_without_a_process_and_forbidden_to_others(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    nowhere = await prozess.post(f"/processes/{uuid.uuid4()}/main/stages/KICK_OFF/start", None, prozess.office())
    assert nowhere.status_code == 404
    assert nowhere.json()["code"] == "NOT_FOUND"
    # Another municipality learns nothing of Dortmund's processes, not even whether there is one.
    other = prozess.municipality(prozess.RIESA)
    refused = await prozess.post(f"/processes/{prozess.DORTMUND}/main/stages/KICK_OFF/start", None, other)
    assert refused.status_code == 403
    assert await prozess.events("zwk.prozess.stage.started") == []
    bad = await prozess.post(f"/processes/{prozess.DORTMUND}/primary/stages/KICK_OFF/start", None, prozess.office())
    assert bad.status_code == 422


@contextmanager
def statements_run(prozess) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    """The SQL prozess sends while the block runs (its relay's and consumers' too)."""
    run: list[str] = []

    def record(_connection, _cursor, statement, *_rest) -> None:  # type: ignore[no-untyped-def]
        run.append(statement)

    engine = prozess.runtime.engine.sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield run
    finally:
        event.remove(engine, "before_cursor_execute", record)


async def test_a_stage_change_finds_its_process_once_and_reads_the_facts_only_where_items_follow_from_them(
    prozess,
) -> None:  # type: ignore[no-untyped-def]
    await prozess.register(programmes=("DAKS", "ZWK"))
    office = prozess.office()
    main = f"/processes/{prozess.DORTMUND}/main/stages"
    with statements_run(prozess) as run:
        started = await prozess.post(f"{main}/KICK_OFF/start", None, office)
    assert started.status_code == 200, started.text
    # `main` is resolved by the statement that finds and locks the process.
    located = [s for s in run if s.startswith("SELECT") and "FROM prozess.processes" in s]
    assert len(located) == 1 and "FOR UPDATE" in located[0], located
    # The stage is started by its UPDATE alone, the rules of order its condition: no read before.
    assert not [s for s in run if s.startswith("SELECT") and "FROM prozess.stages" in s]
    assert len([s for s in run if s.startswith("UPDATE prozess.stages")]) == 1
    # Kick-Off's items are all ticked by hand: what the data says is not asked.
    assert not [s for s in run if "swot_items" in s]
    assert [i["key"] for i in started.json()["checklist"] if i["derived"]] == []

    await prozess.finish_kick_off_items()
    assert (await prozess.post(f"{main}/KICK_OFF/complete", None, office)).status_code == 200
    with statements_run(prozess) as run:
        profile = await prozess.post(f"{main}/KOMMUNALPROFIL/start", None, office)
    assert profile.status_code == 200, profile.text
    assert len([s for s in run if "swot_items" in s]) == 1
    swot = next(i for i in profile.json()["checklist"] if i["derived"])
    assert swot["done"] is False and swot["evidence"] == {"number": 0.0, "text": None, "link": None, "date": None}


async def test_a_caller_that_prefers_it_minimal_gets_the_stage_without_its_checklist(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    minimal = {**prozess.office(), "Prefer": "handling=strict, return=minimal"}
    with statements_run(prozess) as run:
        started = await prozess.post(kick_off("/start"), None, minimal)
    assert started.status_code == 200, started.text
    assert started.headers["Preference-Applied"] == "return=minimal"
    answer = started.json()
    assert (answer["stage"], answer["status"], answer["started_by"]) == (
        "KICK_OFF",
        "IN_PROGRESS",
        prozess.office_subject,
    )
    assert "checklist" not in answer and "open_required_items" not in answer
    # Nothing is read for the answer that it leaves out.
    assert not [s for s in run if "checklist_entries" in s]

    # Completing still checks the checklist; only the answer leaves it out.
    refused = await prozess.post(kick_off("/complete"), None, minimal)
    assert refused.status_code == 409
    assert refused.json()["open_items"]
    await prozess.finish_kick_off_items()
    completed = await prozess.post(kick_off("/complete"), None, minimal)
    assert completed.status_code == 200, completed.text
    assert completed.json()["status"] == "COMPLETED" and "checklist" not in completed.json()

    # Without the preference the answer is whole, as before.
    full = await prozess.post(f"{ZWK}/stages/KOMMUNALPROFIL/start")
    assert full.status_code == 200, full.text
    assert "Preference-Applied" not in full.headers
    assert full.json()["checklist"] and "open_required_items" in full.json()


async def test_a_stage_change_whose_connection_is_lost_mid_statement_answers_503_and_the_next_one_succeeds(
    prozess,
) -> None:  # type: ignore[no-untyped-def]
    # The statements of a stage change run on the driver's connection, past SQLAlchemy: the loss
    # of that connection must still be an outage to the caller, and must not reach the next request.
    await prozess.register()
    dsn = asyncpg_dsn(prozess.settings.database_url)
    holder = await asyncpg.connect(dsn)
    try:
        transaction = holder.transaction()
        await transaction.start()
        await holder.execute(
            "SELECT 1 FROM prozess.processes WHERE municipality_id = $1 AND programme = 'ZWK' FOR UPDATE",
            prozess.DORTMUND,
        )
        start = asyncio.create_task(prozess.post(kick_off("/start")))

        async def waiting_backend() -> int | None:
            # The request's backend, waiting for the process's lock (its statement may not show
            # in `query` yet: asyncpg prepares it first).
            return await holder.fetchval(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                " AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
            )

        pid = await eventually(waiting_backend)
        assert await holder.fetchval("SELECT pg_terminate_backend($1)", pid)
        lost = await start
        await transaction.rollback()
    finally:
        await holder.close()
    assert lost.status_code == 503, lost.text
    assert lost.json()["code"] == "SERVICE_UNAVAILABLE"
    assert (await prozess.stage("KICK_OFF"))["status"] == "NOT_STARTED"

    started = await prozess.post(kick_off("/start"))
    assert started.status_code == 200, started.text
    assert started.json()["status"] == "IN_PROGRESS"
