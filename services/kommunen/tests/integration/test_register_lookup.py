"""The official register in the database: imported once, idempotently, fast; looked up by key and prefix."""

import time
from collections.abc import Callable

import asyncpg
import httpx

from kommunen.register import main as import_register_command
from kommunen.register.importer import load_register
from zwk_common.cli import main as zwk


async def test_dortmund_is_found_by_its_key_with_every_attribute(
    kommunen: httpx.AsyncClient, as_role: Callable[..., dict[str, str]]
) -> None:
    response = await kommunen.get("/register/units/05913000", headers=as_role("reader"))
    assert response.status_code == 200, response.text
    assert response.json() == {
        "key": "05913000",
        "level": "GEMEINDE",
        "type_code": 61,
        "type_label": "kreisfreie Stadt",
        "name": "Dortmund, Stadt",
        "short_name": "Dortmund",
        "parent_key": "059130000",
        "land_key": "05",
        "bundesland": "NW",
        "kreis_key": "05913",
        "verband_key": "059130000",
        "ags": "05913000",
        "ars": "059130000000",
        "area_km2": "280.71",
        "population_2019": 588250,
        "population_2022": 598246,
        "postcode": "44135",
        "latitude": 51.514171,
        "longitude": 7.464165,
        "urbanisation": 1,
    }


async def test_dithmarschen_is_a_kreis_of_schleswig_holstein(
    kommunen: httpx.AsyncClient, as_role: Callable[..., dict[str, str]]
) -> None:
    body = (await kommunen.get("/register/units/01051", headers=as_role("reader"))).json()
    assert (body["name"], body["level"], body["type_label"], body["bundesland"]) == (
        "Dithmarschen",
        "KREIS",
        "Kreis",
        "SH",
    )
    assert (body["parent_key"], body["population_2019"], body["population_2022"]) == ("01", 133193, 132810)


async def test_verbandsgemeinde_hamm_sieg_is_found_by_its_nine_digit_key(
    kommunen: httpx.AsyncClient, as_role: Callable[..., dict[str, str]]
) -> None:
    body = (await kommunen.get("/register/units/071325006", headers=as_role("reader"))).json()
    assert (body["name"], body["level"], body["type_label"], body["parent_key"]) == (
        "Hamm (Sieg)",
        "GEMEINDEVERBAND",
        "Verbandsgemeinde",
        "07132",
    )
    assert (body["bundesland"], body["population_2022"]) == ("RP", 13081)


async def test_a_name_prefix_finds_the_most_populous_first_whatever_the_case(
    kommunen: httpx.AsyncClient, as_role: Callable[..., dict[str, str]]
) -> None:
    caller = as_role("municipality", municipality_id="00000000-0000-0000-0000-000000000001")
    response = await kommunen.get("/register/units", params={"prefix": "dort", "level": "GEMEINDE"}, headers=caller)
    assert response.status_code == 200, response.text
    items = response.json()["items"]
    assert items[0]["key"] == "05913000"
    assert all(i["name"].startswith("Dort") for i in items)
    populations = [i["population_2019"] for i in items]
    assert populations == sorted(populations, reverse=True)


async def test_a_prefix_with_an_umlaut_or_sharp_s_finds_the_name(
    kommunen: httpx.AsyncClient, as_role: Callable[..., dict[str, str]]
) -> None:
    reader = as_role("reader")
    gemeinden = {"prefix": "dessau-roß", "level": "GEMEINDE"}
    items = (await kommunen.get("/register/units", params=gemeinden, headers=reader)).json()["items"]
    assert [i["key"] for i in items] == ["15001000"]
    items = (await kommunen.get("/register/units", params={"prefix": "ÖHRI"}, headers=reader)).json()["items"]
    assert "Öhringen" in {i["short_name"] for i in items}
    assert all(i["name"].startswith("Öhri") for i in items)


async def test_a_key_prefix_finds_the_units_below_it(
    kommunen: httpx.AsyncClient, as_role: Callable[..., dict[str, str]]
) -> None:
    params = {"prefix": "071325006", "level": "GEMEINDEVERBAND"}
    items = (await kommunen.get("/register/units", params=params, headers=as_role("reader"))).json()["items"]
    assert [i["key"] for i in items] == ["071325006"]
    params = {"prefix": "07132", "level": "GEMEINDE", "first": 100}
    items = (await kommunen.get("/register/units", params=params, headers=as_role("reader"))).json()["items"]
    assert "07132044" in {i["key"] for i in items}
    assert all(i["key"].startswith("07132") for i in items)


async def test_prefix_lookups_use_the_index(database: asyncpg.Connection) -> None:
    plan = "\n".join(
        r[0]
        for r in await database.fetch(
            "EXPLAIN SELECT * FROM kommunen.register_units WHERE search_name >= $1 AND search_name < $2 "
            "ORDER BY population_2019 DESC LIMIT 20",
            "dort",
            "dors",
        )
    )
    assert "ix_register_units_search_name" in plan


async def test_a_malformed_key_is_bad_input_saying_what_is_wrong(
    kommunen: httpx.AsyncClient, as_role: Callable[..., dict[str, str]]
) -> None:
    reader = as_role("reader")
    letters = await kommunen.get("/register/units/05913ABC", headers=reader)
    assert letters.status_code == 422
    assert "digits only" in letters.json()["detail"]
    length = await kommunen.get("/register/units/0591", headers=reader)
    assert length.status_code == 422
    assert "4 digits" in length.json()["detail"]
    unknown = await kommunen.get("/register/units/05913999", headers=reader)
    assert unknown.status_code == 404
    assert unknown.json()["code"] == "NOT_FOUND"


async def test_a_prefix_must_be_given_and_short(
    kommunen: httpx.AsyncClient, as_role: Callable[..., dict[str, str]]
) -> None:
    reader = as_role("reader")
    assert (await kommunen.get("/register/units", headers=reader)).status_code == 422
    assert (await kommunen.get("/register/units", params={"prefix": "x" * 101}, headers=reader)).status_code == 422
    assert (await kommunen.get("/register/units", params={"prefix": "  "}, headers=reader)).status_code == 422
    too_many = {"prefix": "Do", "first": 101}
    assert (await kommunen.get("/register/units", params=too_many, headers=reader)).status_code == 422


async def test_the_register_needs_a_token(kommunen: httpx.AsyncClient) -> None:
    assert (await kommunen.get("/register/units/05913000")).status_code == 401


async def test_the_import_is_idempotent_and_fast(database: asyncpg.Connection, zwk_env: dict[str, str]) -> None:
    url = zwk_env["ZWK_DATABASE_URL"]
    current = await load_register(url)
    assert not current.imported
    assert current.units == 16056
    started = time.monotonic()
    again = await load_register(url, force=True)
    assert again.imported
    assert time.monotonic() - started < 10
    assert await database.fetchval("SELECT count(*) FROM kommunen.register_units") == 16056
    assert await database.fetchval("SELECT count(*) FROM kommunen.register_units WHERE level = 'GEMEINDE'") == 11004


async def test_an_outdated_register_is_imported_again(database: asyncpg.Connection, zwk_env: dict[str, str]) -> None:
    await database.execute("UPDATE kommunen.register_imports SET version = 'older'")
    await database.execute("DELETE FROM kommunen.register_units WHERE key LIKE '05%'")
    result = await load_register(zwk_env["ZWK_DATABASE_URL"])
    assert result.imported
    assert await database.fetchval("SELECT name FROM kommunen.register_units WHERE key = '05913000'") == (
        "Dortmund, Stadt"
    )


def test_the_import_register_command_reimports(zwk_env: dict[str, str], capsys) -> None:  # type: ignore[no-untyped-def]
    assert import_register_command(["--database-url", zwk_env["ZWK_DATABASE_URL"]]) == 0
    assert "imported 16056 territorial units" in capsys.readouterr().out
    assert import_register_command(["--database-url", zwk_env["ZWK_DATABASE_URL"], "--if-outdated"]) == 0
    assert "is current" in capsys.readouterr().out


def test_zwk_offers_the_import_register_command(zwk_env: dict[str, str], capsys) -> None:  # type: ignore[no-untyped-def]
    assert zwk(["import-register", "--database-url", zwk_env["ZWK_DATABASE_URL"], "--if-outdated"]) == 0
    assert "territorial units" in capsys.readouterr().out
