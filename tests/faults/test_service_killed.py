"""kommunen killed with SIGKILL in the middle of a stream of registrations."""

from typing import Any

import pytest

pytestmark = pytest.mark.faults


async def test_every_registration_committed_before_a_sigkill_is_published_once_and_opens_its_process_once(
    start_services: Any, chain: Any
) -> None:
    services = await start_services("kommunen", "prozess")
    kommunen = services["kommunen"]
    registrar = chain.registrar(lambda: kommunen.url, chain.gemeinden()[:240], workers=4)

    await registrar.until_created(60)
    kommunen.kill()
    answered_before_kill = len(registrar.created)
    kommunen.start()
    await kommunen.wait_ready()
    await registrar.until_created(answered_before_kill + 40)
    await registrar.finish()

    # Only the requests cut off by the kill may lack an answer; none was refused as bad.
    assert {a.status for a in registrar.answers} <= {201, None}, [a for a in registrar.answers if a.status != 201]
    await chain.assert_each_registration_arrived_once(
        database_url=kommunen.env["ZWK_DATABASE_URL"],
        nats_url=kommunen.env["ZWK_NATS_URL"],
        env=kommunen.env,
        registrar=registrar,
        prozess_url=services["prozess"].url,
    )
