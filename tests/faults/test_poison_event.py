"""A poison event: dead-lettered with its error, shown to the office, replayed once the cause is fixed."""

import asyncio
import json
import os
import sys
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from zwk_common.cli import main as zwk_main
from zwk_common.testing import eventually
from zwk_common.testing.plugin import bearer

pytestmark = pytest.mark.faults

# A defect planted in prozess's database: names with umlauts cannot be kept.
PLANT_DEFECT = """
CREATE FUNCTION prozess.refuse_umlauts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.name ~ '[äöüÄÖÜß]' THEN
        RAISE EXCEPTION 'Umlaute werden nicht unterstützt: %', NEW.name;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER refuse_umlauts BEFORE INSERT OR UPDATE ON prozess.municipalities
    FOR EACH ROW EXECUTE FUNCTION prozess.refuse_umlauts();
"""
FIX_DEFECT = "DROP FUNCTION IF EXISTS prozess.refuse_umlauts() CASCADE"


@pytest.fixture
async def umlaut_defect(zwk_clean: dict[str, str], chain: Any) -> AsyncIterator[Any]:
    """Plants the defect; `fix()` removes it; it never outlives the test."""
    url = zwk_clean["ZWK_DATABASE_URL"]

    async def fix() -> None:
        await chain.execute(url, FIX_DEFECT)

    await fix()
    await chain.execute(url, PLANT_DEFECT)
    try:
        yield fix
    finally:
        await fix()


async def zwk(env: dict[str, str], *args: str) -> tuple[int, str]:
    """The `zwk` command as an operator runs it: a process of its own."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "zwk_common.cli",
        *args,
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await asyncio.wait_for(process.communicate(), timeout=60)
    return process.returncode or 0, output.decode()


async def test_a_poison_event_is_dead_lettered_shown_to_the_office_and_replayed_once_fixed(
    start_services: Any,
    chain: Any,
    umlaut_defect: Any,
    zwk_token: Any,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    services = await start_services(
        "kommunen", "prozess", ZWK_EVENT_MAX_DELIVERIES="3", ZWK_METRICS_INTERVAL_SECONDS="0.5"
    )
    kommunen, prozess = services["kommunen"], services["prozess"]
    cli_env = {
        **kommunen.env,
        "ZWK_URL_KOMMUNEN": kommunen.url,
        "ZWK_URL_PROZESS": prozess.url,
    }
    for key, value in cli_env.items():
        monkeypatch.setenv(key, value)

    async def zwk_here(*args: str) -> tuple[int, str]:
        """The same command in this process (it starts faster)."""
        code = await asyncio.to_thread(zwk_main, list(args))
        printed = capsys.readouterr()
        return code, printed.out + printed.err

    office = bearer(chain.office)
    averlak, suederhastedt, bergewoehrden = chain.gemeinden()[:3]
    async with httpx.AsyncClient(timeout=10) as client:
        ids = {}
        for gemeinde in (averlak, suederhastedt, bergewoehrden):
            answer = await client.post(
                kommunen.url + "/municipalities", json=chain.registration(gemeinde), headers=office
            )
            assert answer.status_code == 201, answer.text
            ids[gemeinde["name"]] = answer.json()["id"]

        async def stages_of(name: str) -> list[str]:
            answer = await client.get(prozess.url + "/processes", params={"municipality_id": ids[name]}, headers=office)
            assert answer.status_code == 200, answer.text
            return [stage["stage"] for process in answer.json() for stage in process["stages"]]

        async def dead_letters(**params: Any) -> dict[str, Any]:
            answer = await client.get(prozess.url + "/dead-letters", params=params, headers=office)
            assert answer.status_code == 200, answer.text
            return answer.json()  # type: ignore[no-any-return]

        async def two_dead_letters() -> dict[str, Any] | None:
            listed = await dead_letters()
            return listed if listed["total_count"] == len(listed["items"]) == 2 else None

        # The healthy registration goes through; the two with umlauts end as dead letters after three tries.
        assert len(await eventually(lambda: stages_of("Averlak"), timeout=20)) == 5
        listed = await eventually(two_dead_letters, timeout=30)
        # The two fail side by side (prozess handles municipalities in parallel), so either may die first.
        assert {letter["ordering_key"] for letter in listed["items"]} == {ids["Süderhastedt"], ids["Bergewöhrden"]}
        first, second = listed["items"]
        names = {ids["Süderhastedt"]: "Süderhastedt", ids["Bergewöhrden"]: "Bergewöhrden"}
        for letter in (first, second):
            assert letter["consumer"] == "prozess-kommunen"
            assert letter["event_type"] == "zwk.kommunen.municipality.registered"
            assert letter["deliveries"] == 3
            assert f"Umlaute werden nicht unterstützt: {names[letter['ordering_key']]}" in letter["error"]
            assert letter["failed_at"] is not None
        assert await stages_of("Süderhastedt") == []

        # One page at a time, as every list.
        page = await dead_letters(first=1)
        assert [letter["id"] for letter in page["items"]] == [first["id"]]
        assert (await dead_letters(first=1, after=page["next_cursor"]))["items"] == [second]
        assert (await dead_letters(consumer="prozess-kommunen"))["total_count"] == 2
        unknown = await client.get(prozess.url + "/dead-letters", params={"consumer": "austausch-x"}, headers=office)
        assert unknown.status_code == 422
        # Only the office sees and replays dead letters.
        municipality = bearer(zwk_token("municipality", municipality_id=ids["Süderhastedt"]))
        for headers, status in ((municipality, 403), (bearer(zwk_token("reader")), 403), ({}, 401)):
            assert (await client.get(prozess.url + "/dead-letters", headers=headers)).status_code == status
            replay = await client.post(prozess.url + f"/dead-letters/{first['id']}/replay", headers=headers)
            assert replay.status_code == status
        # kommunen consumes nothing, so it has no dead letters, and none of prozess's.
        assert (await client.get(kommunen.url + "/dead-letters", headers=office)).json()["total_count"] == 0
        foreign = await client.post(kommunen.url + f"/dead-letters/{first['id']}/replay", headers=office)
        assert foreign.status_code == 404

        # The operator sees them in `zwk status`.
        async def status_shows_dead_letters() -> dict[str, Any] | None:
            code, output = await zwk_here("status", "--service", "kommunen", "--service", "prozess", "--json")
            report = json.loads(output)
            by_name = {service["name"]: service for service in report["services"]}
            return report if code == 0 and by_name["prozess"]["dead_letters"] == {"prozess-kommunen": 2} else None

        report = await eventually(status_shows_dead_letters, timeout=15, interval=0.5)
        assert [letter["id"] for letter in report["dead_letters"]] == [first["id"], second["id"]]
        code, text = await zwk_here("status", "--service", "kommunen", "--service", "prozess")
        assert code == 0, text
        assert "prozess-kommunen" in text and "Umlaute werden nicht unterstützt: Süderhastedt" in text

        # A replay before the fix only ends as a dead letter again; after the fix it goes through.
        await umlaut_defect()
        replayed = await client.post(prozess.url + f"/dead-letters/{first['id']}/replay", headers=office)
        assert replayed.status_code == 202, replayed.text
        assert replayed.json()["ordering_key"] == first["ordering_key"]
        code, output = await zwk(cli_env, "dead-letters", "replay", "--consumer", "prozess-kommunen")
        assert code == 0, output
        assert f"replayed {second['id']} to prozess-kommunen" in output
        assert "1 dead letter(s) replayed" in output

        assert len(await eventually(lambda: stages_of("Süderhastedt"), timeout=20)) == 5
        assert len(await eventually(lambda: stages_of("Bergewöhrden"), timeout=20)) == 5
        assert (await dead_letters())["total_count"] == 0
        code, output = await zwk_here("dead-letters", "list")
        assert (code, output.strip()) == (0, "no dead letters")
        again = await zwk_here("dead-letters", "replay", "--id", str(first["id"]))
        assert again[0] == 1 and f"no dead letter {first['id']}" in again[1]

    # Each event was handled once, the replays included.
    handled = await chain.fetch(
        kommunen.env["ZWK_DATABASE_URL"],
        "SELECT count(*) AS n, count(DISTINCT event_id) AS events FROM prozess.inbox "
        "WHERE consumer = 'prozess-kommunen'",
    )
    assert (handled[0]["n"], handled[0]["events"]) == (3, 3)
