"""austausch learns municipalities and topics from kommunen's events only."""

import uuid
from typing import Any

from austausch_world import MUNICIPALITIES, NACHBARSCHAFTSBOERSE, RIESA  # type: ignore[import-not-found]
from sqlalchemy import func, select, update

from austausch.events import MunicipalityRegistered
from austausch.models import inbox, municipalities
from austausch.municipalities.service import keep_municipality
from zwk_common.db import transaction
from zwk_common.events import Envelope
from zwk_common.inbox import InboxClaim
from zwk_common.messaging import EventBus
from zwk_common.settings import ServiceSettings
from zwk_common.testing import eventually


def kommunen_event(event_type: str, data: dict[str, Any], subject: str | None = None) -> Envelope:
    return Envelope(source="/zwk/kommunen", type=event_type, subject=subject, data=data)


def municipality(verb: str, municipality_id: uuid.UUID = RIESA, **changes: Any) -> Envelope:
    data = {
        "municipality_id": str(municipality_id),
        "member_keys": [],
        "programmes": ["ZWK"],
        "zwk_cluster": None,
        "adviser_subjects": [],
        **MUNICIPALITIES[RIESA],
        **changes,
    }
    return kommunen_event(f"zwk.kommunen.municipality.{verb}", data, str(municipality_id))


async def publish(*envelopes: Envelope) -> None:
    bus = EventBus(ServiceSettings(), client_name="test-kommunen")
    await bus.connect()
    try:
        for envelope in envelopes:
            await bus.publish(envelope)
    finally:
        await bus.close()


async def test_a_registered_municipality_may_post_once_the_forum_has_heard_of_it(consuming_forum) -> None:  # type: ignore[no-untyped-def]
    forum = consuming_forum
    riesa = forum.member(RIESA)
    before = await forum.client.post("/practices", json=NACHBARSCHAFTSBOERSE, headers=riesa)
    assert before.status_code == 422
    await publish(municipality("registered"))

    async def posted() -> bool:
        response = await forum.client.post("/practices", json=NACHBARSCHAFTSBOERSE, headers=riesa)
        return response.status_code == 201

    await eventually(posted)


async def test_an_update_replaces_the_copy_and_reaches_names_and_filters(consuming_forum) -> None:  # type: ignore[no-untyped-def]
    forum = consuming_forum
    await publish(municipality("registered"))
    await eventually(
        lambda: _status(forum, "/practices", NACHBARSCHAFTSBOERSE, forum.member(RIESA)), message="Riesa unknown"
    )
    practice = (await forum.client.get("/practices", headers=forum.office())).json()["items"][0]
    await forum.client.post(f"/practices/{practice['id']}/publish", headers=forum.member(RIESA))
    await publish(municipality("updated", name="Große Kreisstadt Riesa", population=31_000, bundesland="SN"))

    async def renamed() -> bool:
        read = await forum.client.get(f"/practices/{practice['id']}", headers=forum.reader())
        return read.json()["municipality_name"] == "Große Kreisstadt Riesa"

    await eventually(renamed)
    found = await forum.client.get(
        "/search", params={"q": "Nachbarschaftsbörse", "population_min": 30_000}, headers=forum.reader()
    )
    assert [hit["municipality"]["name"] for hit in found.json()["items"]] == ["Große Kreisstadt Riesa"]


async def test_a_new_topic_from_kommunen_tags_practices_and_a_new_label_is_searchable(consuming_forum) -> None:  # type: ignore[no-untyped-def]
    forum = consuming_forum
    # Topics outlive a test (reference data): each test makes its own.
    key = f"klima-{uuid.uuid4().hex[:8]}"
    await publish(
        municipality("registered"),
        kommunen_event("zwk.kommunen.topic.added", {"key": key, "label": "Klimaanpassung", "parent": "wohnen"}),
    )

    async def tagged() -> dict[str, Any] | None:
        response = await forum.client.post(
            "/practices", json={**NACHBARSCHAFTSBOERSE, "topics": [key]}, headers=forum.member(RIESA)
        )
        return response.json() if response.status_code == 201 else None

    practice = await eventually(tagged)
    await forum.client.post(f"/practices/{practice['id']}/publish", headers=forum.member(RIESA))
    topics = (await forum.client.get("/topics", headers=forum.reader())).json()
    assert {"key": key, "label": "Klimaanpassung", "parent": "wohnen"} in topics

    await publish(
        kommunen_event("zwk.kommunen.topic.updated", {"key": key, "label": "Hitzeschutz", "parent": "wohnen"})
    )

    async def found_by_new_label() -> bool:
        response = await forum.client.get(
            "/search", params={"q": "Hitzeschutz", "prefix": "false"}, headers=forum.reader()
        )
        return [hit["id"] for hit in response.json()["items"]] == [practice["id"]]

    await eventually(found_by_new_label)


async def test_the_seeded_topics_are_there_before_any_event(forum) -> None:  # type: ignore[no-untyped-def]
    topics = {t["key"]: t for t in (await forum.client.get("/topics", headers=forum.reader())).json()}
    first_level = [t for t in topics.values() if t["parent"] is None and not t["key"].startswith("klima-")]
    assert len(first_level) == 13
    assert topics["gesundheit-pflege"]["label"] == "Gesundheit und Pflege"
    assert topics["leben-im-alter"]["parent"] == "gesundheit-pflege"
    assert topics["mobilitaet"]["parent"] != "wohnen"
    assert topics["nahversorgung"]["parent"] != "wohnen"
    assert len([t for t in topics.values() if t["parent"] is not None and not t["key"].startswith("klima-")]) == 10


async def _status(forum, path: str, body: dict[str, Any], headers: dict[str, str]) -> bool:  # type: ignore[no-untyped-def]
    return (await forum.client.post(path, json=body, headers=headers)).status_code == 201


async def test_a_municipality_event_handled_twice_is_kept_once(forum) -> None:  # type: ignore[no-untyped-def]
    # The handler's one statement claims the event and keeps the row: a redelivery after a later
    # change must neither overwrite that change nor claim the event a second time.
    claim = InboxClaim.of(inbox, "austausch-test", "event-1", "zwk.kommunen.municipality.registered")
    event = MunicipalityRegistered(municipality_id=RIESA, **{**MUNICIPALITIES[RIESA], "name": "Riesa"})
    async with transaction(forum.sessions) as session:
        assert await keep_municipality(session, event, claim) is True
    async with transaction(forum.sessions) as session:
        await session.execute(update(municipalities).where(municipalities.c.id == RIESA).values(name="Riesa (Elbe)"))
    async with transaction(forum.sessions) as session:
        assert await keep_municipality(session, event, claim) is False
    async with forum.sessions() as session:
        name = await session.scalar(select(municipalities.c.name).where(municipalities.c.id == RIESA))
        claims = await session.scalar(
            select(func.count()).select_from(inbox.table).where(inbox.table.c.event_id == "event-1")
        )
    assert (name, claims) == ("Riesa (Elbe)", 1)
