"""A burst of 10,000 registrations published at once."""

import asyncio
from typing import Any

import httpx
import nats
import pytest
from prometheus_client.parser import text_string_to_metric_families

from zwk_common.testing import eventually

pytestmark = pytest.mark.faults

BURST = 10_000


async def handled_by(prozess_url: str, consumer: str) -> float:
    async with httpx.AsyncClient(timeout=10) as client:
        text = (await client.get(prozess_url + "/metrics")).text
    return sum(
        sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name == "zwk_events_consumed_total"
        and sample.labels.get("consumer") == consumer
        and sample.labels.get("outcome") == "handled"
    )


@pytest.mark.timeout(300)
async def test_every_consumer_catches_up_with_a_burst_of_ten_thousand_events_and_the_counts_match(
    start_services: Any, chain: Any, zwk_clean: dict[str, str]
) -> None:
    replica = {"ZWK_METRICS_INTERVAL_SECONDS": "0.5", "ZWK_EVENT_CONCURRENCY": "4", "ZWK_DATABASE_POOL_SIZE": "5"}
    # Two replicas share the durable consumer, as in production.
    replicas = [(await start_services("prozess", **replica))["prozess"] for _ in range(2)]
    prozess = replicas[0]
    gemeinden = chain.gemeinden()
    events = [chain.registered_event(gemeinden[index % len(gemeinden)]) for index in range(BURST)]
    subject = f"{zwk_clean['ZWK_EVENT_SUBJECT_ROOT']}.kommunen.municipality.registered"

    connection = await nats.connect(zwk_clean["ZWK_NATS_URL"])
    try:
        js = connection.jetstream(timeout=30)
        for start in range(0, BURST, 500):
            await asyncio.gather(
                *(
                    js.publish(subject, event.to_bytes(), headers={"Nats-Msg-Id": event.id})
                    for event in events[start : start + 500]
                )
            )
    finally:
        await connection.close()
    assert await chain.stream_count(zwk_clean["ZWK_NATS_URL"], zwk_clean["ZWK_EVENT_STREAM"], subject) == BURST

    database_url = zwk_clean["ZWK_DATABASE_URL"]

    async def caught_up() -> bool:
        handled = await chain.fetch_value(
            database_url, "SELECT count(*) FROM prozess.inbox WHERE consumer = 'prozess-kommunen'"
        )
        return handled == BURST

    started = asyncio.get_running_loop().time()
    await eventually(caught_up, timeout=240, interval=0.5, message="prozess did not catch up with the burst")
    print(f"caught up with {BURST} events in {asyncio.get_running_loop().time() - started:.1f}s")
    assert sum([await handled_by(r.url, "prozess-kommunen") for r in replicas]) == BURST
    assert await chain.fetch_value(database_url, "SELECT count(*) FROM prozess.processes") == BURST
    assert await chain.fetch_value(database_url, "SELECT count(*) FROM prozess.stages") == 5 * BURST
    assert await chain.fetch_value(
        database_url, "SELECT count(DISTINCT municipality_id) FROM prozess.processes"
    ) == len({event.data["municipality_id"] for event in events})

    async def no_lag() -> bool:
        async with httpx.AsyncClient(timeout=10) as client:
            text = (await client.get(prozess.url + "/metrics")).text
        return 'zwk_consumer_lag{consumer="prozess-kommunen"} 0.0' in text

    await eventually(no_lag, timeout=10, interval=0.5)
