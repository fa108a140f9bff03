"""A stage in progress past its due date is overdue, and announced once per stage and due date."""

from datetime import timedelta

from prozess.clock import today
from zwk_common.testing import eventually

ZWK = "/processes/5a1b0c4e-0591-4300-8000-000000000001/ZWK"


async def test_a_stage_past_its_due_date_is_announced_once_per_due_date(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    due = today() + timedelta(days=3)
    await prozess.start("KICK_OFF", due_date=str(due))

    await prozess.check_overdue(on=due)
    assert await prozess.events("zwk.prozess.stage.overdue") == [], "due today is not yet late"
    assert (await prozess.stage("KICK_OFF"))["overdue"] is False

    await prozess.check_overdue(on=due + timedelta(days=1))
    await prozess.check_overdue(on=due + timedelta(days=2))
    [event] = await prozess.events("zwk.prozess.stage.overdue")
    assert {k: event[k] for k in ("municipality_id", "municipality_name", "programme", "stage", "status")} == {
        "municipality_id": str(prozess.DORTMUND),
        "municipality_name": "Dortmund",
        "programme": "ZWK",
        "stage": "KICK_OFF",
        "status": "IN_PROGRESS",
    }
    assert (event["due_date"], event["actor"], event["_subject"]) == (str(due), None, str(prozess.DORTMUND))

    # A new due date is a new promise: when it slips too, that is announced as well.
    later = due + timedelta(days=30)
    await prozess.patch(f"{ZWK}/stages/KICK_OFF", {"due_date": str(later)})
    await prozess.check_overdue(on=later + timedelta(days=1))
    await prozess.check_overdue(on=later + timedelta(days=5))
    assert [e["due_date"] for e in await prozess.events("zwk.prozess.stage.overdue")] == [str(due), str(later)]


async def test_a_completed_or_unstarted_stage_is_never_overdue(prozess) -> None:  # type: ignore[no-untyped-def]
    await prozess.register()
    await prozess.patch(f"{ZWK}/stages/KOMMUNALPROFIL", {"planned_start": "2022-01-10", "due_date": "2022-03-31"})
    await prozess.start("KICK_OFF", due_date=str(today()))
    await prozess.finish_kick_off_items()
    await prozess.complete("KICK_OFF")
    await prozess.check_overdue(on=today() + timedelta(days=400))
    assert await prozess.events("zwk.prozess.stage.overdue") == []
    assert not (await prozess.process())["overdue"]


async def test_the_periodic_check_announces_a_late_stage_and_a_restart_does_not_repeat_it(start_prozess) -> None:  # type: ignore[no-untyped-def]
    async with start_prozess(overdue_check_seconds=0.05) as prozess:
        await prozess.register()
        # Planned long ago and started late: overdue from the first day.
        await prozess.patch(f"{ZWK}/stages/KICK_OFF", {"planned_start": "2021-09-01", "due_date": "2021-10-31"})
        await prozess.start("KICK_OFF")
        assert (await prozess.stage("KICK_OFF"))["overdue"] is True
        await eventually(lambda: prozess.events("zwk.prozess.stage.overdue"))

    async with start_prozess(overdue_check_seconds=0.05) as prozess:
        await prozess.register(prozess.RIESA, "Riesa", ags="14627230")
        riesa = f"/processes/{prozess.RIESA}/ZWK/stages/KICK_OFF"
        await prozess.patch(riesa, {"planned_start": "2021-09-01", "due_date": "2021-11-15"})
        await prozess.post(f"{riesa}/start")

        async def riesa_announced() -> list[dict]:  # type: ignore[type-arg]
            events = await prozess.events("zwk.prozess.stage.overdue")
            return events if any(e["municipality_name"] == "Riesa" for e in events) else []

        events = await eventually(riesa_announced)
        # The restarted check ran many rounds by now, and Dortmund's late Kick-Off is still announced once.
        assert sorted((e["municipality_name"], e["due_date"]) for e in events) == [
            ("Dortmund", "2021-10-31"),
            ("Riesa", "2021-11-15"),
        ]
