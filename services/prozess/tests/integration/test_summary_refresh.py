"""A process's summary is derived from its own five stages, however many stages are in progress."""

import uuid

from sqlalchemy.dialects.postgresql import asyncpg

from prozess.process.repository import _REFRESH_ONE_SUMMARY
from zwk_common.testing import execute, fetch, fetch_value

STAGES = "('KICK_OFF', 1), ('KOMMUNALPROFIL', 2), ('ZUKUNFTSWERKSTATT', 3), ('WERKSTATTPLAN', 4), ('ZWISCHENBILANZ', 5)"


async def test_the_summary_reads_only_its_process_s_stages_after_many_kick_offs(zwk_clean: dict[str, str]) -> None:
    url = zwk_clean["ZWK_DATABASE_URL"]
    # 3,000 processes, none started when the statistics are taken (as after a load); then most
    # Kick-Offs start, as in a day of the programme, before the statistics are taken again.
    await execute(
        url,
        "INSERT INTO prozess.municipalities (id, name, kind, bundesland, event_time) "
        "SELECT gen_random_uuid(), 'Gemeinde ' || i, 'GEMEINDE', 'SN', now() FROM generate_series(1, 3000) i",
    )
    await execute(
        url,
        "INSERT INTO prozess.processes (id, municipality_id, programme) "
        "SELECT gen_random_uuid(), id, 'DAKS' FROM prozess.municipalities",
    )
    await execute(
        url,
        "INSERT INTO prozess.stages (process_id, stage, position) "
        f"SELECT p.id, s.stage, s.position FROM prozess.processes p, (VALUES {STAGES}) AS s(stage, position)",
    )
    await execute(url, "ANALYZE prozess.stages")
    await execute(
        url,
        "UPDATE prozess.stages SET status = 'IN_PROGRESS', started_at = now(), due_date = current_date + 30 "
        "WHERE stage = 'KICK_OFF'",
    )
    process_id = await fetch_value(url, "SELECT id FROM prozess.processes ORDER BY id LIMIT 1")
    assert isinstance(process_id, uuid.UUID)

    compiled = _REFRESH_ONE_SUMMARY.compile(dialect=asyncpg.dialect(paramstyle="numeric_dollar"))
    values = compiled.construct_params({"which_process": process_id})
    sql, args = str(compiled), [values[name] for name in compiled.positiontup or ()]
    plan = "\n".join(row[0] for row in await fetch(url, "EXPLAIN " + sql, *args))
    # The partial index of stages in progress holds every started stage of every process.
    assert "ix_stages_in_progress_due" not in plan, plan

    await execute(url, sql, *args)
    (summary,) = await fetch(
        url, "SELECT current_stage, open_due_date FROM prozess.processes WHERE id = $1", process_id
    )
    assert summary["current_stage"] == "KICK_OFF"
    assert summary["open_due_date"] is not None
