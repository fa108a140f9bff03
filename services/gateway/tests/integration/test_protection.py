"""What one request may ask for: each limit refuses before anything runs, with an error that says what to change.

The real services run beside the gateway, so that "nothing was called" is a fact and not a stand-in's silence.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from gateway.testing import CLOSED_PORT_URL, Gateway, Stack, auth, codes, running_gateway

NESTED_PRACTICES = """
query($outer: Int, $inner: Int) {
  municipalities(first: $outer) { edges { node { name practices(first: $inner) {
    edges { node { title comments(first: 20) { edges { node { body } } } } } } } } }
}
"""

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest.fixture(scope="module")
def services() -> tuple[str, ...]:
    # What the queries at the limits reach; the other services would only be started to be left alone.
    return ("kommunen", "austausch")


@pytest.fixture(autouse=True)
def no_calls_yet(gateway: Gateway) -> None:
    gateway.reset_calls()


def refused(answer: dict[str, Any]) -> str:
    """The message of a request refused as a whole (no data at all), as BAD_USER_INPUT."""
    assert answer.get("data") is None, answer
    assert set(codes(answer)) == {"BAD_USER_INPUT"}, answer
    return str(answer["errors"][0]["message"])


async def test_a_query_nested_too_deep_is_refused(gateway: Gateway) -> None:
    deep = "{ topics { " + "parent { " * 12 + "key" + " }" * 12 + " } }"
    assert "exceeds maximum operation depth of 12" in refused(await gateway.query(deep, role="reader"))
    assert sum(gateway.calls.values()) == 0


async def test_too_many_aliases_are_refused(gateway: Gateway) -> None:
    aliased = "{ " + " ".join(f"t{n}: topics {{ key }}" for n in range(31)) + " }"
    assert "31 aliases found. Allowed: 30" in refused(await gateway.query(aliased, role="reader"))
    assert sum(gateway.calls.values()) == 0


async def test_a_query_of_too_many_tokens_is_refused(gateway: Gateway) -> None:
    long = "{ topics { " + "key " * 2500 + "} }"
    assert "more than 2000 tokens" in refused(await gateway.query(long, role="reader"))


@pytest.mark.parametrize("first", [101, 10_000, -1])
async def test_a_page_size_outside_0_to_100_is_refused(gateway: Gateway, first: int) -> None:
    direct = await gateway.query(f"{{ municipalities(first: {first}) {{ totalCount }} }}", role="reader")
    nested = await gateway.query(NESTED_PRACTICES, {"outer": 2, "inner": first}, role="reader")
    for answer in (direct, nested):
        assert refused(answer) == "`first` must be between 0 and 100; page through longer lists with `after`."
        assert answer["errors"][0]["extensions"]["maximum"] == 100
    assert sum(gateway.calls.values()) == 0


async def test_a_query_that_would_touch_too_many_objects_is_refused_before_it_runs(gateway: Gateway) -> None:
    answer = await gateway.query(NESTED_PRACTICES, {"outer": 100, "inner": 100}, role="reader")
    message = refused(answer)
    assert message.startswith("This query could touch about 210100 objects; the limit is 25000.")
    assert "smaller pages" in message
    assert answer["errors"][0]["extensions"] | {"code": None} == {"code": None, "cost": 210100, "maxCost": 25000}
    assert sum(gateway.calls.values()) == 0


async def test_fragments_count_towards_the_cost_like_inline_selections(gateway: Gateway) -> None:
    query = """
    query { municipalities(first: 100) { edges { node { ...WithPractices } } } }
    fragment WithPractices on Municipality { practices(first: 100) { edges { node { ...Commented } } } }
    fragment Commented on Practice { comments(first: 100) { edges { node { body } } } }
    """
    assert refused(await gateway.query(query, role="reader")).startswith("This query could touch about 1010100")


async def test_a_reader_token_cannot_call_a_mutation(gateway: Gateway) -> None:
    answer = await gateway.query('mutation { followTopic(topic: "wohnen") }', role="reader")
    assert answer["data"] is None
    assert codes(answer) == ["FORBIDDEN"]
    assert answer["errors"][0]["message"] == "A reader token is read-only: it cannot call a mutation."
    assert sum(gateway.calls.values()) == 0


async def test_a_request_body_over_the_limit_is_a_413_problem(gateway: Gateway) -> None:
    padding = "#" + "x" * 120_000 + "\n"
    response = await gateway.client.post("/graphql", json={"query": padding + "{ __typename }"}, headers=auth("reader"))
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == "The request body may hold at most 100000 bytes."


async def test_a_body_streamed_without_its_length_is_cut_off_too(gateway: Gateway) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"query": "#'
        for _ in range(20):
            yield b"x" * 10_000
        yield b'\\n{ __typename }"}'

    response = await gateway.client.post(
        "/graphql", content=chunks(), headers={**auth("reader"), "content-type": "application/json"}
    )
    assert response.status_code == 413
    assert response.json()["title"] == "Request too large"


async def test_queries_run_over_get_and_mutations_do_not(gateway: Gateway) -> None:
    query = await gateway.client.get("/graphql", params={"query": "{ __typename }"}, headers=auth("reader"))
    assert query.status_code == 200
    assert query.json() == {"data": {"__typename": "Query"}}
    mutation = await gateway.client.get(
        "/graphql", params={"query": 'mutation { followTopic(topic: "wohnen") }'}, headers=auth("office")
    )
    assert mutation.status_code in (400, 405)
    assert sum(gateway.calls.values()) == 0


async def test_the_graphql_response_media_type_is_answered_when_asked_for(gateway: Gateway) -> None:
    wanted = {**auth("reader"), "Accept": "application/graphql-response+json, application/json;q=0.9"}
    good = await gateway.client.post("/graphql", json={"query": "{ __typename }"}, headers=wanted)
    assert good.status_code == 200
    assert good.headers["content-type"].startswith("application/graphql-response+json")
    assert good.json() == {"data": {"__typename": "Query"}}

    invalid = await gateway.client.post("/graphql", json={"query": "{ gemeinden { name } }"}, headers=wanted)
    assert invalid.status_code == 400
    assert "data" not in invalid.json()
    assert codes(invalid.json()) == ["BAD_USER_INPUT"]

    forbidden = await gateway.client.post(
        "/graphql", json={"query": 'mutation { followTopic(topic: "wohnen") }'}, headers=wanted
    )
    assert forbidden.status_code == 403

    plain = await gateway.client.post(
        "/graphql", json={"query": "{ gemeinden { name } }"}, headers={**auth("reader"), "Accept": "application/json"}
    )
    assert plain.status_code == 200
    assert plain.headers["content-type"] == "application/json"


async def test_introspection_can_be_switched_off(stack: Stack) -> None:
    introspect = "{ __schema { queryType { name } } }"
    async with running_gateway(stack.settings()) as open_gateway:
        assert await open_gateway.query(introspect, role="reader") == {
            "data": {"__schema": {"queryType": {"name": "Query"}}}
        }
    async with running_gateway(stack.settings(introspection=False)) as closed_gateway:
        assert "introspection" in refused(await closed_gateway.query(introspect, role="reader")).lower()
        assert await closed_gateway.query("{ __typename }", role="reader") == {"data": {"__typename": "Query"}}


async def test_graphiql_is_served_only_in_development(stack: Stack) -> None:
    html = {"Accept": "text/html"}
    async with running_gateway(stack.settings(environment="development")) as development:
        page = await development.client.get("/graphql", headers=html)
        assert page.status_code == 200
        assert "graphiql" in page.text.lower()
    async with running_gateway(stack.settings(environment="test")) as elsewhere:
        assert (await elsewhere.client.get("/graphql", headers=html)).status_code == 404
    async with running_gateway(stack.settings(environment="development", introspection=False)) as closed:
        assert (await closed.client.get("/graphql", headers=html)).status_code == 404


async def test_an_unreachable_service_is_an_error_naming_it_not_a_hang(stack: Stack) -> None:
    async with running_gateway(stack.settings(kommunen_url=CLOSED_PORT_URL)) as gateway:
        answer = await gateway.query("{ topics { key } }", role="reader")
    assert answer["data"] is None
    assert codes(answer) == ["SERVICE_UNAVAILABLE"]
    assert answer["errors"][0]["message"] == ("The municipality register service cannot be reached; try again shortly.")
    assert "127.0.0.1" not in str(answer)


async def test_a_query_at_every_limit_is_answered_by_the_services(gateway: Gateway) -> None:
    deep = "t: topics { key " + "parent { " * 9 + "key" + " }" * 9 + " }"
    aliases = " ".join(f"m{n}: municipalities(first: 1) {{ totalCount }}" for n in range(29))
    wide = "municipalities(first: 100) { edges { node { practices(first: 100) { edges { node { title } } } } } }"
    answer = await gateway.query("{ " + " ".join((deep, aliases, wide)) + " }", role="reader")
    assert "errors" not in answer, answer
    assert len(answer["data"]) == 31
    assert {topic["key"] for topic in answer["data"]["t"]} >= {"wohnen", "engagement", "mobilitaet"}
    assert gateway.calls["kommunen"] >= 1
