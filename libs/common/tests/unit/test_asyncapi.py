from zwk_common.asyncapi import build
from zwk_common.registry import discover


def test_every_published_event_has_a_channel_and_its_payload_schema() -> None:
    document = build(discover())
    channel = document["channels"]["zwk_kommunen_municipality_registered"]
    assert channel["address"] == "zwk.kommunen.municipality.registered"
    message = channel["messages"]["zwk_kommunen_municipality_registered"]
    data = message["payload"]["allOf"][1]["properties"]["data"]
    assert "municipality_id" in data["properties"]
    assert document["operations"]["kommunen_sends_zwk_kommunen_municipality_registered"]["action"] == "send"


def test_a_consumers_reading_of_an_event_is_a_receive_operation() -> None:
    operations = build(discover())["operations"]
    assert operations["prozess_receives_zwk_kommunen_municipality_registered"]["action"] == "receive"


def test_zwk_asyncapi_prints_the_catalogue(capsys) -> None:  # type: ignore[no-untyped-def]
    import json

    from zwk_common.cli import main

    assert main(["asyncapi"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["asyncapi"] == "3.0.0"
    assert "zwk_prozess_stage_completed" in document["channels"]
