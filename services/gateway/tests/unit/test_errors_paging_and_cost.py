"""Pure rules of the gateway: how refusals read, how cursors resume, what a query is estimated to cost."""

import base64
import json
from urllib.parse import urlencode

import orjson
import pytest
from graphql import parse
from starlette.requests import Request

from gateway.clients import problem_to_error, query_string
from gateway.config import Settings
from gateway.errors import GatewayError
from gateway.http import wants_graphql_response
from gateway.pagination import encode_cursor, page_request, slice_page
from gateway.protection import CostEstimate
from gateway.schema import build_schema


def problem(status: int, **body: object) -> tuple[int, bytes]:
    return status, orjson.dumps({"status": status, **body})


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (400, "BAD_USER_INPUT"),
        (401, "UNAUTHENTICATED"),
        (403, "FORBIDDEN"),
        (404, "NOT_FOUND"),
        (409, "CONFLICT"),
        (413, "BAD_USER_INPUT"),
        (422, "BAD_USER_INPUT"),
    ],
)
def test_a_refusal_keeps_the_services_explanation_under_its_code(status: int, code: str) -> None:
    error = problem_to_error("kommunen", *problem(status, title="Refused", detail="Dortmund is registered already."))
    assert (error.message, error.code) == ("Dortmund is registered already.", code)


def test_a_problem_code_from_the_service_wins_over_the_status() -> None:
    error = problem_to_error("prozess", *problem(422, code="CONFLICT", detail="Kick-Off is completed already."))
    assert error.code == "CONFLICT"


def test_an_unknown_code_from_a_service_is_not_passed_on() -> None:
    assert problem_to_error("prozess", *problem(400, code="DB_CONSTRAINT_X", detail="nope")).code == "BAD_USER_INPUT"


def test_a_failing_service_says_which_part_failed_and_nothing_of_how() -> None:
    error = problem_to_error(
        "austausch", *problem(500, title="Internal error", detail="relation practices does not exist at 10.0.0.7")
    )
    assert error.message == "The exchange forum service could not answer; try again shortly."
    assert error.code == "SERVICE_UNAVAILABLE"
    assert "10.0.0.7" not in str(error.formatted)


def test_invalid_fields_are_named_as_the_caller_named_them() -> None:
    error = problem_to_error(
        "kommunen",
        *problem(422, detail="member_keys.0: too long", errors=[{"field": "member_keys.0", "message": "too long"}]),
    )
    assert error.extensions == {"code": "BAD_USER_INPUT", "fields": [{"field": "memberKeys.0", "message": "too long"}]}


def test_a_body_that_is_no_problem_still_gives_the_status_its_meaning() -> None:
    assert problem_to_error("kommunen", 404, b"<html>Not Found</html>").code == "NOT_FOUND"
    assert problem_to_error("kommunen", 502, b"").code == "SERVICE_UNAVAILABLE"


def test_a_query_repeats_a_list_says_booleans_as_services_read_them_and_leaves_out_none() -> None:
    query = query_string({"ids": ["a b", "c&d"], "first": 100, "unread": True, "after": None, "q": "Straße"})
    assert query == "ids=a+b&ids=c%26d&first=100&unread=true&q=Stra%C3%9Fe"
    assert query_string({}) == query_string(None) == ""


@pytest.mark.parametrize(
    "value",
    ["4a0e3b4e-0000-4000-8000-000000000000", "a b", "c&d=e", "50%", "x+y", "~._-", "Straße", "ä/ö?ü#", "", "eyJh="],
)
def test_a_query_is_written_as_urlencode_writes_it(value: str) -> None:
    # Ids are taken as they are, everything else quoted: either way, what the standard library writes.
    params = {"municipality_id": [value, "4a0e3b4e-0000-4000-8000-000000000000"], "q": value}
    assert query_string(params) == urlencode(
        [("municipality_id", value), ("municipality_id", params["municipality_id"][1]), ("q", value)]
    )


@pytest.mark.parametrize(
    "service_after", [None, "eyJuIjoiQWFjaCJ9", "svc-3", "a_b=", 'with "quotes"', "back\\slash", "Straße"]
)
def test_an_edge_cursor_is_the_json_of_the_services_cursor_and_offset(service_after: str | None) -> None:
    cursor = encode_cursor(service_after, 7)
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
    assert json.loads(raw) == [service_after, 7]
    assert raw == json.dumps([service_after, 7], separators=(",", ":")).encode()
    assert page_request(3, cursor).params() == (
        {"first": 10, "after": service_after} if service_after else {"first": 10}
    )


def page(items: list[str], next_cursor: str | None, total: int) -> dict[str, object]:
    return {"items": [{"name": n} for n in items], "next_cursor": next_cursor, "total_count": total}


def test_the_last_edge_of_a_page_carries_the_services_own_cursor() -> None:
    request = page_request(3, None)
    shown = slice_page(page(["Arnsberg", "Bocholt", "Coesfeld"], "svc-3", 7), request)
    assert shown.end_cursor == encode_cursor("svc-3", 0)
    assert page_request(3, shown.end_cursor).params() == {"first": 3, "after": "svc-3"}
    assert shown.has_next_page and shown.total_count == 7


def test_resuming_from_a_middle_edge_fetches_that_page_again_and_skips_what_was_seen() -> None:
    shown = slice_page(page(["Arnsberg", "Bocholt", "Coesfeld"], "svc-3", 7), page_request(3, None))
    resumed = page_request(3, shown.items[0][0])
    assert resumed.params() == {"first": 4}
    again = slice_page(page(["Arnsberg", "Bocholt", "Coesfeld", "Dorsten"], "svc-4", 7), resumed)
    assert [item["name"] for _, item in again.items] == ["Bocholt", "Coesfeld", "Dorsten"]
    assert again.end_cursor == encode_cursor("svc-4", 0)


@pytest.mark.parametrize("after", ["", "x", encode_cursor("svc", 101), "W10", "WyJhIiwiYiJd"])
def test_a_cursor_not_given_out_here_is_bad_input(after: str) -> None:
    with pytest.raises(GatewayError) as refused:
        page_request(10, after)
    assert refused.value.code == "BAD_USER_INPUT"


def test_a_service_that_does_not_count_gives_a_lower_bound_until_the_last_page() -> None:
    assert slice_page({"items": [{"n": 1}], "next_cursor": "c"}, page_request(1, None)).total_count == 2
    assert slice_page({"items": [{"n": 1}], "next_cursor": None}, page_request(1, None)).total_count == 1


def cost(query: str, variables: dict[str, object] | None = None) -> int:
    schema = build_schema(Settings())._schema
    document = parse(query)
    operation = document.definitions[0]
    fragments = {d.name.value: d for d in document.definitions[1:]}  # type: ignore[attr-defined]
    return CostEstimate(schema, fragments, variables or {}).of_operation(operation)  # type: ignore[arg-type]


def test_the_cost_of_a_query_multiplies_page_sizes_down_the_tree() -> None:
    assert cost('{ municipality(ags: "05913000") { name } }') == 1
    assert cost("{ municipalities(first: 10) { edges { node { name } } } }") == 10
    assert cost("{ municipalities { edges { node { stages { stage } } } } }") == 50 + 50 * 5
    assert cost("query($n: Int) { practices(first: $n) { edges { node { title } } } }", {"n": 7}) == 7
    nested = "{ municipalities(first: 10) { edges { node { practices(first: 10) { edges { node { title } } } } } } }"
    assert cost(nested) == 10 + 100


def test_scalars_and_page_info_cost_nothing() -> None:
    assert cost("{ municipalities(first: 5) { totalCount pageInfo { hasNextPage } } }") == 0


@pytest.mark.parametrize(
    ("accept", "wanted"),
    [
        ("application/graphql-response+json", True),
        ("application/graphql-response+json, application/json;q=0.9", True),
        ("application/json, application/graphql-response+json;q=0.5", False),
        ("application/json", False),
        ("*/*", False),
        ("", False),
        ("application/graphql-response+json;q=0", False),
    ],
)
def test_the_graphql_response_media_type_is_chosen_by_preference(accept: str, wanted: bool) -> None:
    request = Request({"type": "http", "headers": [(b"accept", accept.encode())] if accept else []})
    assert wants_graphql_response(request) is wanted
