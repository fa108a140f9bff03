"""Municipalities and their process through the gateway: registered, read, taken through their stages, recorded."""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import pytest
from gateway_world import KICK_OFF_EVIDENCE, World, in_parallel

from gateway.testing import Gateway, Stack, codes, running_gateway, slow_service
from zwk_common.testing import eventually

STAGES = ["KICK_OFF", "KOMMUNALPROFIL", "ZUKUNFTSWERKSTATT", "WERKSTATTPLAN", "ZWISCHENBILANZ"]

REGISTER = """
mutation Register($input: RegisterMunicipalityInput!) {
  registerMunicipality(input: $input) { id ags name kind bundesland population programmes memberKeys }
}
"""
BY_KEY = """
query ByKey($ags: String) {
  municipality(ags: $ags) { id name bundesland currentStage stages { stage status startedAt dueDate overdue } }
}
"""

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def services() -> tuple[str, ...]:
    # Nothing here is a notification: benachrichtigung is not started.
    return ("kommunen", "prozess", "austausch")


async def register(
    gateway: Gateway, role: str | None = "office", claims: dict[str, Any] | None = None, **fields: Any
) -> dict[str, Any]:
    return await gateway.query(REGISTER, {"input": fields}, role=role, **(claims or {}))


async def test_a_registered_municipality_is_read_by_key_and_by_id_with_its_five_stages(gateway: Gateway) -> None:
    answer = await register(
        gateway, ags="14627230", name="Riesa", kind="STADT", population=29979, programmes=["ZWK", "DWK"]
    )
    assert "errors" not in answer, answer
    riesa = answer["data"]["registerMunicipality"]
    assert riesa | {"id": None} == {
        "id": None,
        "ags": "14627230",
        "name": "Riesa",
        "kind": "STADT",
        "bundesland": "SN",
        "population": 29979,
        "programmes": ["DWK", "ZWK"],
        "memberKeys": [],
    }

    async def with_stages() -> dict[str, Any] | None:
        found = (await gateway.query(BY_KEY, {"ags": "14627230"}, role="reader"))["data"]["municipality"]
        return found if found and found["stages"] else None

    found = await eventually(with_stages, timeout=15)
    assert found["id"] == riesa["id"]
    assert found["currentStage"] is None  # nothing has started yet
    assert [s["stage"] for s in found["stages"]] == STAGES
    assert {(s["status"], s["startedAt"], s["overdue"]) for s in found["stages"]} == {("NOT_STARTED", None, False)}

    by_id = await gateway.query("query($id: ID) { municipality(id: $id) { name ags } }", {"id": riesa["id"]})
    assert by_id == {"data": {"municipality": {"name": "Riesa", "ags": "14627230"}}}


async def test_an_unknown_municipality_is_null_not_an_error(gateway: Gateway) -> None:
    answer = await gateway.query(
        "query($id: ID, $ags: String) { a: municipality(id: $id) { name } b: municipality(ags: $ags) { name } }",
        {"id": "6f1c1b8e-6a43-4c61-9a0e-4f3c6f1e2a10", "ags": "01051000"},
    )
    assert answer == {"data": {"a": None, "b": None}}


async def test_asking_by_both_id_and_key_or_neither_is_bad_input(gateway: Gateway) -> None:
    both = await gateway.query('{ municipality(id: "6f1c1b8e-6a43-4c61-9a0e-4f3c6f1e2a10", ags: "05913000") { name } }')
    neither = await gateway.query("{ municipality { name } }")
    malformed = await gateway.query('{ municipality(ags: "Dortmund") { name } }')
    assert codes(both) == codes(neither) == codes(malformed) == ["BAD_USER_INPUT"]
    assert both["errors"][0]["message"] == "Give exactly one of `id` and `ags`."
    assert "05913000" in malformed["errors"][0]["message"]


async def test_a_duplicate_key_is_a_conflict_naming_the_key(gateway: Gateway) -> None:
    dortmund = {"ags": "05913000", "name": "Dortmund", "kind": "KREISFREIE_STADT", "programmes": ["ZWK"]}
    assert "errors" not in await register(gateway, **dortmund)
    again = await register(gateway, **dortmund)
    assert codes(again) == ["CONFLICT"]
    assert again["errors"][0]["message"] == "A municipality with the key 05913000 is already registered."
    assert again["errors"][0]["path"] == ["registerMunicipality"]


async def test_a_reader_cannot_register_and_nothing_is_registered(gateway: Gateway) -> None:
    answer = await register(
        gateway, role="reader", ags="09162000", name="München", kind="KREISFREIE_STADT", programmes=["ZWK"]
    )
    assert codes(answer) == ["FORBIDDEN"]
    assert answer["data"] is None
    assert (await gateway.query(BY_KEY, {"ags": "09162000"}))["data"]["municipality"] is None


async def test_a_municipality_cannot_register_others_the_service_refuses_it(gateway: Gateway) -> None:
    answer = await register(
        gateway,
        role="municipality",
        claims={"municipality_id": "6f1c1b8e-6a43-4c61-9a0e-4f3c6f1e2a10"},
        ags="08111000",
        name="Stuttgart",
        kind="KREISFREIE_STADT",
        programmes=["DAKS"],
    )
    assert codes(answer) == ["FORBIDDEN"]
    assert "office" in answer["errors"][0]["message"]


async def test_bad_input_is_refused_with_what_to_fix(gateway: Gateway) -> None:
    without_land = await register(gateway, name="Initiative Rodachtal", kind="VERBUND", programmes=["ZWK"])
    assert codes(without_land) == ["BAD_USER_INPUT"]
    assert without_land["errors"][0]["message"] == "A VERBUND without member keys needs its bundesland."

    negative = await register(
        gateway, name="Nirgendwo", kind="VERBUND", bundesland="NW", population=-5, programmes=["ZWK"]
    )
    assert codes(negative) == ["BAD_USER_INPUT"]
    assert [f["field"] for f in negative["errors"][0]["extensions"]["fields"]] == ["population"]

    wrong_kind = await gateway.query(REGISTER, {"input": {"name": "X", "kind": "DORF", "programmes": ["ZWK"]}})
    assert codes(wrong_kind) == ["BAD_USER_INPUT"]
    assert "DORF" in wrong_kind["errors"][0]["message"]

    # PostgreSQL cannot store NUL: the service refuses it as input, not as its own failure.
    nul = await register(gateway, name="Nord\u0000stadt", kind="VERBUND", bundesland="NW", programmes=["ZWK"])
    assert codes(nul) == ["BAD_USER_INPUT"]
    assert "NUL" in nul["errors"][0]["message"]


async def test_without_a_valid_token_the_caller_is_unauthenticated(gateway: Gateway) -> None:
    nobody = await gateway.query(BY_KEY, {"ags": "05913000"}, role=None)
    assert codes(nobody) == ["UNAUTHENTICATED"]
    forged = await gateway.client.post(
        "/graphql", json={"query": BY_KEY, "variables": {"ags": "05913000"}}, headers={"Authorization": "Bearer x.y.z"}
    )
    assert codes(forged.json()) == ["UNAUTHENTICATED"]
    assert forged.json()["errors"][0]["message"] == "The token is not valid."
    mutation = await register(gateway, role=None, name="X", kind="GEMEINDE", bundesland="NW", programmes=["ZWK"])
    assert codes(mutation) == ["UNAUTHENTICATED"]


async def test_stages_of_thirty_municipalities_take_one_call_to_each_service(gateway: Gateway, world: World) -> None:
    ids = await in_parallel(world.register(name=f"Gemeinde {n}", kind="VERBUND", bundesland="BB") for n in range(30))
    fields = "name currentStage stages { stage status }"
    query = "{ " + " ".join(f'm{n}: municipality(id: "{i}") {{ {fields} }}' for n, i in enumerate(ids)) + " }"

    async def all_with_stages() -> dict[str, Any] | None:
        answer = await gateway.query(query, role="reader")
        data = answer.get("data") or {}
        return answer if len(data) == 30 and all(m and len(m["stages"]) == 5 for m in data.values()) else None

    await eventually(all_with_stages, timeout=20)
    gateway.reset_calls()
    answer = await gateway.query(query, role="reader")
    assert "errors" not in answer
    assert {m["name"] for m in answer["data"].values()} == {f"Gemeinde {n}" for n in range(30)}
    assert gateway.calls == {"kommunen": 1, "prozess": 1, "austausch": 0, "benachrichtigung": 0}


async def test_a_municipality_without_a_process_cannot_start_a_stage(gateway: Gateway) -> None:
    answer = await gateway.query(
        'mutation { startStage(municipalityId: "6f1c1b8e-6a43-4c61-9a0e-4f3c6f1e2a10", stage: KICK_OFF) { status } }'
    )
    assert codes(answer) == ["NOT_FOUND"]
    assert "6f1c1b8e-6a43-4c61-9a0e-4f3c6f1e2a10" in answer["errors"][0]["message"]


async def test_a_slow_service_gives_a_partial_answer_with_an_error_not_a_hung_request(
    stack: Stack, world: World
) -> None:
    await world.register(ags="01051001", name="Albersdorf", kind="GEMEINDE", population=3500, programmes=["DAKS"])
    async with (
        slow_service() as slow,
        running_gateway(stack.settings(prozess_url=slow, austausch_url=slow, service_timeout_seconds=0.5)) as gateway,
    ):
        started = time.monotonic()
        answer = await gateway.query(
            'query($id: ID!) { municipality(ags: "01051001") { name population currentStage } '
            "practice(id: $id) { title } }",
            {"id": "3d4b1c3e-6c1a-4f9e-9d7a-0b1e2c3d4e5f"},
            role="reader",
        )
        elapsed = time.monotonic() - started
    assert answer["data"] == {
        "municipality": {"name": "Albersdorf", "population": 3500, "currentStage": None},
        "practice": None,
    }
    assert sorted((tuple(e["path"]), e["extensions"]["code"], e["message"]) for e in answer["errors"]) == [
        (
            ("municipality", "currentStage"),
            "SERVICE_UNAVAILABLE",
            "The process service did not answer in time; try again shortly.",
        ),
        (("practice",), "SERVICE_UNAVAILABLE", "The exchange forum service did not answer in time; try again shortly."),
    ]
    assert elapsed < 3.0  # the timeout is 0.5 s; without it the answer would wait 5 s or more


async def test_a_page_whose_processes_time_out_lists_its_municipalities_with_an_error_for_each_stage(
    stack: Stack, world: World
) -> None:
    for ags, name in (("01051002", "Arkebek"), ("01051003", "Averlak")):
        await world.register(ags=ags, name=name, kind="GEMEINDE", population=300, programmes=["DAKS"])
    async with (
        slow_service() as slow,
        running_gateway(stack.settings(prozess_url=slow, service_timeout_seconds=0.5)) as gateway,
    ):
        gateway.reset_calls()
        started = time.monotonic()
        answer = await gateway.query(
            '{ municipalities(first: 10, filter: {nameContains: "A", bundesland: "SH"}) '
            "{ edges { node { name currentStage } } } }",
            role="reader",
        )
        elapsed = time.monotonic() - started
        calls = dict(gateway.calls)
    nodes = [edge["node"] for edge in answer["data"]["municipalities"]["edges"]]
    assert {node["name"] for node in nodes} >= {"Arkebek", "Averlak"}
    assert all(node["currentStage"] is None for node in nodes)
    errors = answer["errors"]
    assert len(errors) == len(nodes)
    assert {(e["path"][-1], e["extensions"]["code"]) for e in errors} == {("currentStage", "SERVICE_UNAVAILABLE")}
    # Loaded ahead for the page, the processes are asked for and waited for once, not again by each field.
    assert calls["prozess"] == 1
    assert elapsed < 3.0


STAGE = """mutation($id: ID!, $stage: Stage!, $due: Date, $programme: String) {
    %s(municipalityId: $id, stage: $stage, dueDate: $due, programme: $programme) {
      stage status startedAt completedAt dueDate overdue checklist { key done } } }"""
START = STAGE % "startStage"
COMPLETE = STAGE.replace(", $due: Date", "").replace(", dueDate: $due", "") % "completeStage"
CHECK = """mutation($id: ID!, $key: String!, $done: Boolean!, $evidence: String) {
    setChecklistItem(municipalityId: $id, stage: KICK_OFF, key: $key, done: $done, evidence: $evidence) {
      key label required done evidence } }"""


async def test_a_municipality_takes_its_kick_off_from_start_to_completion_through_the_gateway(
    gateway: Gateway, world: World
) -> None:
    meissen = await world.register(ags="14627140", kind="STADT")
    await world.known_everywhere([meissen])
    own = {"role": "municipality", "municipality_id": meissen, "subject": f"staff@{meissen}"}
    due = (date.today() + timedelta(days=60)).isoformat()

    # Naming the programme (here the only one) works as leaving it to the gateway does.
    started = await gateway.query(START, {"id": meissen, "stage": "KICK_OFF", "due": due, "programme": "ZWK"}, **own)
    assert "errors" not in started, started
    progress = started["data"]["startStage"]
    assert (progress["stage"], progress["status"], progress["dueDate"], progress["overdue"]) == (
        "KICK_OFF",
        "IN_PROGRESS",
        due,
        False,
    )
    assert progress["startedAt"] is not None and progress["completedAt"] is None

    too_early = await gateway.query(COMPLETE, {"id": meissen, "stage": "KICK_OFF"}, **own)
    assert codes(too_early) == ["CONFLICT"]
    assert "Vereinbarte Ziele" in too_early["errors"][0]["message"]

    for key, evidence in KICK_OFF_EVIDENCE.items():
        ticked = await gateway.query(CHECK, {"id": meissen, "key": key, "done": True, "evidence": evidence}, **own)
        assert "errors" not in ticked, ticked
    goals = ticked["data"]["setChecklistItem"]
    assert goals == {
        "key": "agreed-next-steps",
        "label": "Vereinbarte nächste Schritte",
        "required": True,
        "done": True,
        "evidence": "Kommunalprofil bis Ende März",
    }
    unknown = await gateway.query(CHECK, {"id": meissen, "key": "party", "done": True}, **own)
    assert codes(unknown) == ["NOT_FOUND"]
    assert "party" in unknown["errors"][0]["message"]

    completed = await gateway.query(COMPLETE, {"id": meissen, "stage": "KICK_OFF"}, **own)
    assert "errors" not in completed, completed
    assert completed["data"]["completeStage"]["status"] == "COMPLETED"
    assert {item["done"] for item in completed["data"]["completeStage"]["checklist"][:5]} == {True}

    found = await gateway.query(
        "query($id: ID) { municipality(id: $id) { currentStage stages { stage status } } }", {"id": meissen}
    )
    assert [s["status"] for s in found["data"]["municipality"]["stages"]] == ["COMPLETED"] + ["NOT_STARTED"] * 4

    again = await gateway.query(START, {"id": meissen, "stage": "KICK_OFF"}, **own)
    skipping = await gateway.query(START, {"id": meissen, "stage": "ZUKUNFTSWERKSTATT"}, **own)
    assert codes(again) == codes(skipping) == ["CONFLICT"]
    assert "Kommunalprofil" in skipping["errors"][0]["message"]


async def test_a_stage_change_without_a_programme_is_made_in_the_main_process(gateway: Gateway, world: World) -> None:
    pirna = await world.register(ags="14628270", kind="STADT", programmes=["DWK", "ZWK"])
    await world.known_everywhere([pirna])
    started = await gateway.query(START, {"id": pirna, "stage": "KICK_OFF"})
    assert "errors" not in started, started
    # ZWK comes before DWK: ZWK's Kick-Off is under way, DWK's has not begun.
    again = await gateway.query(START, {"id": pirna, "stage": "KICK_OFF", "programme": "ZWK"})
    assert codes(again) == ["CONFLICT"]
    dwk = await gateway.query(START, {"id": pirna, "stage": "KICK_OFF", "programme": "DWK"})
    assert "errors" not in dwk, dwk
    assert dwk["data"]["startStage"]["status"] == "IN_PROGRESS"


async def test_a_stage_change_is_refused_to_whoever_may_not_make_it_and_to_bad_input(
    gateway: Gateway, world: World
) -> None:
    bochum = await world.register(ags="05911000", kind="KREISFREIE_STADT")
    await world.known_everywhere([bochum])
    kick_off = {"id": bochum, "stage": "KICK_OFF"}

    stranger = await gateway.query(
        START,
        kick_off,
        role="municipality",
        municipality_id=await world.register(name="Initiative Rodachtal", kind="VERBUND", bundesland="BY"),
    )
    assert codes(stranger) == ["FORBIDDEN"]
    assert stranger["errors"][0]["message"] == "The caller may not act for this municipality."
    unassigned = await gateway.query(START, kick_off, role="adviser", municipality_ids=[])
    reader = await gateway.query(START, kick_off, role="reader")
    assert codes(unassigned) == codes(reader) == ["FORBIDDEN"]

    yesterday = (date.today() - timedelta(days=1)).isoformat()
    past = await gateway.query(START, {**kick_off, "due": yesterday})
    assert codes(past) == ["BAD_USER_INPUT"]
    assert yesterday in past["errors"][0]["message"]
    wrong_programme = await gateway.query(START, {**kick_off, "programme": "ABC"})
    assert codes(wrong_programme) == ["BAD_USER_INPUT"]
    assert wrong_programme["errors"][0]["message"] == "`programme` must be one of DWK, ZWK, DAKS."
    not_taking_part = await gateway.query(START, {**kick_off, "programme": "DWK"})
    assert codes(not_taking_part) == ["NOT_FOUND"]
    assert "DWK" in not_taking_part["errors"][0]["message"]
    not_an_id = await gateway.query(START, {**kick_off, "id": "Bochum"})
    assert codes(not_an_id) == ["BAD_USER_INPUT"]

    # Nothing of it changed anything; an assigned adviser may start it.
    adviser = await gateway.query(START, kick_off, role="adviser", municipality_ids=[bochum])
    assert adviser["data"]["startStage"]["status"] == "IN_PROGRESS"
    assert adviser["data"]["startStage"]["dueDate"] is None


RECORDS = """query($id: ID) { municipality(id: $id) {
    measures(status: "RUNNING") { totalCount edges { node { title topic { key label } goal responsible
      periodStart periodEnd budgetEur budgetUsedEur fundingSource targetGroups status statusLabel
      milestones { title dueDate done } complete } } }
    allMeasures: measures { totalCount edges { node { title status complete } } }
    swotItems { totalCount edges { node { kind kindLabel text topics { key } } } }
    participationEvents { edges { node { title format formatLabel heldOn place participantCount groupsReached
      documentationLink } } }
    zwischenbilanz } }"""


async def test_the_werkstattplan_swot_and_participation_events_are_read_with_their_german_labels(
    gateway: Gateway, world: World
) -> None:
    goerlitz = await world.register(ags="14626", kind="LANDKREIS")
    await world.known_everywhere([goerlitz])
    boerse = await world.record(
        goerlitz,
        "measures",
        {
            "title": "Nachbarschaftsbörse aufbauen",
            "topic": "engagement",
            "goal": "Nachbarn helfen Nachbarn im Alltag",
            "responsible": "Sozialamt",
            "period_start": "2023-01-01",
            "period_end": "2024-12-31",
            "budget_eur": 12000,
            "budget_used_eur": 4500.5,
            "funding_source": "Landesmittel",
            "target_groups": ["seniorinnen", "ehrenamtliche"],
            "milestones": [{"title": "Plattform online", "due_date": "2023-06-30", "done": True}],
        },
    )
    await world.call(
        "prozess", "POST", f"{world.process_path(goerlitz)}/measures/{boerse['id']}/status", json={"status": "RUNNING"}
    )
    await world.record(goerlitz, "measures", {"title": "Rufbus", "topic": "mobilitaet"})
    await world.record(
        goerlitz,
        "kommunalprofil/swot-items",
        {"kind": "STRENGTH", "text": "Starkes Ehrenamt", "topics": ["engagement"]},
    )
    await world.record(
        goerlitz,
        "participation-events",
        {
            "title": "Zukunftswerkstatt im Landratsamt",
            "format": "zukunftswerkstatt",
            "held_on": "2022-05-14",
            "place": "Landratsamt Görlitz",
            "participant_count": 64,
            "groups_reached": ["jugendliche", "seniorinnen"],
        },
    )

    answer = await gateway.query(RECORDS, {"id": goerlitz}, role="reader")
    assert "errors" not in answer, answer
    municipality = answer["data"]["municipality"]
    assert municipality["measures"] == {
        "totalCount": 1,
        "edges": [
            {
                "node": {
                    "title": "Nachbarschaftsbörse aufbauen",
                    "topic": {"key": "engagement", "label": "Bürgerschaftliches Engagement"},
                    "goal": "Nachbarn helfen Nachbarn im Alltag",
                    "responsible": "Sozialamt",
                    "periodStart": "2023-01-01",
                    "periodEnd": "2024-12-31",
                    "budgetEur": 12000.0,
                    "budgetUsedEur": 4500.5,
                    "fundingSource": "Landesmittel",
                    "targetGroups": ["seniorinnen", "ehrenamtliche"],
                    "status": "RUNNING",
                    "statusLabel": "in Umsetzung",
                    "milestones": [{"title": "Plattform online", "dueDate": "2023-06-30", "done": True}],
                    "complete": True,
                }
            }
        ],
    }
    assert [
        (m["node"]["title"], m["node"]["status"], m["node"]["complete"]) for m in municipality["allMeasures"]["edges"]
    ] == [
        ("Nachbarschaftsbörse aufbauen", "RUNNING", True),
        ("Rufbus", "PLANNED", False),
    ]
    assert municipality["swotItems"] == {
        "totalCount": 1,
        "edges": [
            {
                "node": {
                    "kind": "STRENGTH",
                    "kindLabel": "Stärke",
                    "text": "Starkes Ehrenamt",
                    "topics": [{"key": "engagement"}],
                }
            }
        ],
    }
    assert municipality["participationEvents"]["edges"][0]["node"] == {
        "title": "Zukunftswerkstatt im Landratsamt",
        "format": "zukunftswerkstatt",
        "formatLabel": municipality["participationEvents"]["edges"][0]["node"]["formatLabel"],
        "heldOn": "2022-05-14",
        "place": "Landratsamt Görlitz",
        "participantCount": 64,
        "groupsReached": ["jugendliche", "seniorinnen"],
        "documentationLink": None,
    }
    assert municipality["participationEvents"]["edges"][0]["node"]["formatLabel"] != "zukunftswerkstatt"
    report = municipality["zwischenbilanz"]
    assert (report["municipality_name"], report["programme"]) == ("Görlitz", "ZWK")
    assert report["measures"]["total"] == 2
    assert report["budget"]["planned_eur"] == 12000.0
    assert report["participation"] == {
        "events": 1,
        "participants": 64,
        "groups_reached": ["Jugendliche", "Senior:innen"],
    }
    assert [s["stage"] for s in report["stages"]] == STAGES

    # Another municipality sees none of it: each record is null with the reason, nothing is asked of prozess.
    gateway.reset_calls()
    other = await gateway.query(RECORDS, {"id": goerlitz}, role="municipality", municipality_id=boerse["id"])
    assert other["data"] == {
        "municipality": {
            "measures": None,
            "allMeasures": None,
            "swotItems": None,
            "participationEvents": None,
            "zwischenbilanz": None,
        }
    }
    assert codes(other) == ["FORBIDDEN"] * 5
    assert gateway.calls["prozess"] == 0
    assert "Nachbarschaftsbörse" not in str(other)


CONTACTS = "query($id: ID) { municipality(id: $id) { name contacts { edges { node { name function email } } } } }"


async def test_contacts_are_seen_by_the_municipality_its_adviser_and_the_office_and_by_nobody_else(
    gateway: Gateway, world: World
) -> None:
    landkreis_meissen = await world.register(ags="14627", kind="LANDKREIS")
    riesa_staff = await world.register(name="Gemeindeverbund Elbland", kind="VERBUND", bundesland="SN")
    await world.add_contact(
        landkreis_meissen,
        name="Kerstin Berger",
        function="Demografiebeauftragte",
        email="k.berger@kreis-meissen.example",
        phone="+49 3521 7250",
    )
    expected = {
        "name": "Kerstin Berger",
        "function": "Demografiebeauftragte",
        "email": "k.berger@kreis-meissen.example",
    }
    for who in (
        {"role": "municipality", "municipality_id": landkreis_meissen},
        {"role": "adviser", "municipality_ids": [landkreis_meissen]},
        {"role": "office"},
    ):
        answer = await gateway.query(CONTACTS, {"id": landkreis_meissen}, **who)
        assert "errors" not in answer, (who, answer)
        assert answer["data"]["municipality"]["contacts"]["edges"] == [{"node": expected}]
    for who in ({"role": "municipality", "municipality_id": riesa_staff}, {"role": "reader"}):
        answer = await gateway.query(CONTACTS, {"id": landkreis_meissen}, **who)
        assert answer["data"] == {"municipality": {"name": "Meißen", "contacts": None}}
        assert codes(answer) == ["FORBIDDEN"]
        assert answer["errors"][0]["path"] == ["municipality", "contacts"]
        assert "Kerstin" not in str(answer)


async def test_a_stage_change_asks_prozess_for_the_checklist_only_when_the_mutation_selects_it(
    gateway: Gateway, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    grossenhain = await world.register(ags="14627060", kind="STADT")
    await world.known_everywhere([grossenhain])
    clients = gateway.app.state.runtime.extras["clients"]
    sent: list[tuple[str, dict[str, str]]] = []
    request = clients.request

    async def recording(service: str, method: str, path: str, **kwargs: Any) -> Any:
        if service == "prozess" and method == "POST":
            sent.append((path.rsplit("/", 1)[-1], dict(kwargs.get("headers") or {})))
        return await request(service, method, path, **kwargs)

    monkeypatch.setattr(clients, "request", recording)
    minimal = await gateway.query(
        "mutation($id: ID!) { startStage(municipalityId: $id, stage: KICK_OFF) { stage status dueDate } }",
        {"id": grossenhain},
    )
    assert minimal["data"]["startStage"] == {"stage": "KICK_OFF", "status": "IN_PROGRESS", "dueDate": None}
    for key, evidence in KICK_OFF_EVIDENCE.items():
        assert "errors" not in await gateway.query(
            CHECK, {"id": grossenhain, "key": key, "done": True, "evidence": evidence}
        )
    # Asked for in a fragment, the checklist comes whole.
    whole = await gateway.query(
        "mutation($id: ID!) { completeStage(municipalityId: $id, stage: KICK_OFF) { status ...Items } }"
        " fragment Items on StageProgress { checklist { key done } }",
        {"id": grossenhain},
    )
    progress = whole["data"]["completeStage"]
    assert progress["status"] == "COMPLETED"
    assert {i["key"] for i in progress["checklist"] if i["done"]} >= set(KICK_OFF_EVIDENCE)
    assert sent == [("start", {"Prefer": "return=minimal"})] + [("complete", {})]
