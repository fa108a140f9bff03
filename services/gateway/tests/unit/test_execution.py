"""The gateway's short ways, for plain attributes and for resolvers, answer exactly as strawberry's own path does."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

import pytest
import strawberry
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission
from strawberry.types import Info

from gateway.config import Settings
from gateway.execution import GatewayExecution, direct_resolvers, plain_leaf
from gateway.schema import build_schema


@strawberry.enum
class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Broken(Exception):
    pass


@strawberry.type
class Item:
    name: str
    size: int
    colour: Colour
    due: date | None
    seen_at: datetime | None
    # What the short way must hand back to graphql-core: a null where none may be, a value the type
    # refuses, an attribute that raises, an exception as the value, an awaitable.
    required: str
    count: int
    failing: str
    exceptional: str | None
    later: str

    @strawberry.field
    def shout(self, loud: bool = True) -> str:
        return self.name.upper() if loud else self.name


def _item(**overrides: Any) -> Item:
    values: dict[str, Any] = {
        "name": "Kirchheim",
        "size": 3,
        "colour": Colour.BLUE,
        "due": date(2026, 12, 1),
        "seen_at": datetime(2026, 11, 21, 9, 30, tzinfo=UTC),
        "required": "x",
        "count": 1,
        "failing": "fine",
        "exceptional": None,
        "later": "soon",
    }
    values.update(overrides)
    return Item(**values)


class Failing:
    """An item whose `failing` attribute raises when read."""

    def __init__(self, item: Item) -> None:
        self._item = item

    def __getattr__(self, name: str) -> Any:
        if name == "failing":
            raise Broken("cannot read it")
        return getattr(self._item, name)


async def _later() -> str:
    return "awaited"


ITEMS: list[Any] = [
    _item(),
    _item(name="Ohne Datum", due=None, seen_at=None, colour=Colour.RED),
    _item(required=None),
    _item(count=2**40),
    Failing(_item(name="Failing")),
    _item(exceptional=Broken("given as a value")),
    # An enum's raw value where a member is expected: whatever graphql-core makes of it, so does the short way.
    _item(name="Roh", colour="red"),
]


@strawberry.type
class Query:
    @strawberry.field
    def items(self) -> list[Item | None]:
        return ITEMS

    @strawberry.field
    def waiting(self) -> Item:
        # A fresh coroutine for each execution: a plain attribute that is awaitable is awaited.
        return _item(later=_later())


QUERY = """{
  items { name size colour due seenAt required count failing exceptional shout(loud: false) again: name ...more }
  waiting { later }
}
fragment more on Item { colour size }"""


def _answer(result: Any) -> tuple[Any, list[tuple[str, Any]]]:
    errors = sorted((e.message, e.path) for e in result.errors or [])
    return result.data, errors


async def test_plain_attributes_are_answered_as_graphql_core_answers_them() -> None:
    plain = strawberry.Schema(query=Query)
    short = strawberry.Schema(query=Query, execution_context_class=GatewayExecution)

    expected = _answer(await plain.execute(QUERY))
    answered = _answer(await short.execute(QUERY))

    assert answered == expected
    data, errors = answered
    assert data is not None
    assert data["items"][0] == {
        "name": "Kirchheim",
        "size": 3,
        "colour": "BLUE",
        "due": "2026-12-01",
        "seenAt": "2026-11-21T09:30:00+00:00",
        "required": "x",
        "count": 1,
        "failing": "fine",
        "exceptional": None,
        "shout": "Kirchheim",
        "again": "Kirchheim",
    }
    assert data["items"][1]["due"] is None and data["items"][1]["colour"] == "RED"
    assert data["waiting"] == {"later": "awaited"}
    # The located errors of graphql-core's own path: the null, the refused value, the raising attribute
    # and the exception given as a value, each at its path; an item with a non-null field that failed is null.
    assert data["items"][2:5] == [None, None, None]
    assert data["items"][5]["exceptional"] is None and data["items"][5]["name"] == "Kirchheim"
    assert {tuple(path) for _, path in errors} == {
        ("items", 2, "required"),
        ("items", 3, "count"),
        ("items", 4, "failing"),
        ("items", 5, "exceptional"),
    }


class CountingResolves(SchemaExtension):
    seen: list[str] = []

    def resolve(self, _next: Any, root: Any, info: Any, *args: Any, **kwargs: Any) -> Any:
        CountingResolves.seen.append(info.field_name)
        return _next(root, info, *args, **kwargs)


async def test_an_extension_that_wraps_resolvers_still_sees_every_plain_field() -> None:
    CountingResolves.seen = []
    schema = strawberry.Schema(query=Query, extensions=[CountingResolves], execution_context_class=GatewayExecution)

    result = await schema.execute("{ items { name size } }")

    assert result.errors is None
    assert CountingResolves.seen.count("name") == len(ITEMS)
    assert CountingResolves.seen.count("size") == len(ITEMS)


@pytest.mark.parametrize(
    ("type_name", "field_name", "planned"),
    [
        ("StageProgress", "status", True),
        ("StageProgress", "dueDate", True),
        ("Municipality", "name", True),
        ("Municipality", "population", True),
        # A resolver of its own, a list, an object, arguments: graphql-core's path.
        ("Municipality", "currentStage", False),
        ("Municipality", "stages", False),
        ("Municipality", "programmes", False),
        ("MunicipalityEdge", "node", False),
        ("Municipality", "practices", False),
    ],
)
def test_the_gateway_schema_reads_only_plain_leaves_the_short_way(
    type_name: str, field_name: str, planned: bool
) -> None:
    schema = build_schema(Settings())
    field = schema._schema.type_map[type_name].fields[field_name]  # type: ignore[attr-defined]

    assert (plain_leaf(field) is not None) is planned


class Nobody(BasePermission):
    message = "nobody may"

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        return False


@strawberry.input
class Window:
    first: int = 2


@strawberry.type
class Stage:
    key: str

    @strawberry.field
    def label(self, info: Info, upper_case: bool = False, suffix: str | None = None) -> str:
        # The info is strawberry's (its context and field), the arguments by their Python names.
        text = f"{self.key}:{info.context['caller']}:{info.field_name}:{info.python_name}{suffix or ''}"
        return text.upper() if upper_case else text

    @strawberry.field
    async def later(self, times: int = 1) -> list[str]:
        return [self.key] * times

    @strawberry.field
    def failing(self) -> str | None:
        raise Broken(f"no {self.key}")

    @strawberry.field
    def colour(self, colour: Colour = Colour.RED) -> str:
        # An enum argument is converted by strawberry: the member, not its name.
        return colour.value

    @strawberry.field
    def window(self, window: Window | None = None) -> int:
        return window.first if window is not None else 0

    @strawberry.field
    def tags(self, tags: list[str] | None = None) -> list[str]:
        # A list argument is copied by strawberry: what the resolver does to it stays in this request.
        given = tags if tags is not None else []
        given.append(self.key)
        return given

    @strawberry.field(permission_classes=[Nobody])
    def secret(self) -> str | None:
        return "hidden"


@strawberry.type
class StageQuery:
    @strawberry.field
    def stages(self, info: Info) -> list[Stage]:
        return [Stage(key="kick-off"), Stage(key="profil")]

    @strawberry.field
    def hello() -> str:  # type: ignore[misc] - strawberry allows a resolver without self
        return "hallo"


STAGE_QUERY = """query ($upper: Boolean) {
  hello
  stages {
    key label plain: label(upperCase: $upper) suffixed: label(suffix: "!") later twice: later(times: 2)
    failing colour blue: colour(colour: BLUE) window sized: window(window: {first: 5}) tags more: tags(tags: ["a"])
    secret
  }
}"""


async def test_resolvers_called_directly_answer_as_strawberry_does() -> None:
    context = {"caller": "office"}
    plain = strawberry.Schema(query=StageQuery)
    direct = strawberry.Schema(query=StageQuery, execution_context_class=GatewayExecution)
    replaced = direct_resolvers(direct)

    for variables in ({"upper": True}, {"upper": False}, {}):
        expected = _answer(await plain.execute(STAGE_QUERY, variable_values=variables, context_value=context))
        answered = _answer(await direct.execute(STAGE_QUERY, variable_values=variables, context_value=context))
        assert answered == expected

    data, errors = answered
    assert data is not None
    assert data["hello"] == "hallo"
    assert data["stages"][0]["label"] == "kick-off:office:label:label"
    assert data["stages"][0]["suffixed"] == "kick-off:office:label:label!"
    assert data["stages"][0]["twice"] == ["kick-off", "kick-off"]
    assert (data["stages"][0]["colour"], data["stages"][0]["blue"]) == ("red", "blue")
    assert (data["stages"][0]["window"], data["stages"][0]["sized"]) == (0, 5)
    assert data["stages"][1]["tags"] == ["profil"]
    assert {(message, tuple(path)) for message, path in errors} == {
        ("no kick-off", ("stages", 0, "failing")),
        ("no profil", ("stages", 1, "failing")),
        ("nobody may", ("stages", 0, "secret")),
        ("nobody may", ("stages", 1, "secret")),
    }
    # Called directly: hello, stages, label, later, failing. Strawberry still converts the enum,
    # the input and the list, and runs the permission.
    fields = direct._schema.type_map["Stage"].fields  # type: ignore[attr-defined]
    direct_ones = {name for name, field in fields.items() if field.resolve.__qualname__.startswith("_direct_")}
    assert direct_ones == {"label", "later", "failing"}
    assert replaced == 5


def test_the_gateway_schema_calls_a_dashboards_resolvers_directly() -> None:
    schema = build_schema(Settings())
    types = schema._schema.type_map  # type: ignore[attr-defined]

    def direct(type_name: str, field_name: str) -> bool:
        return bool(types[type_name].fields[field_name].resolve.__qualname__.startswith("_direct_"))

    assert direct("Municipality", "currentStage")
    assert direct("Municipality", "stages")
    assert direct("Municipality", "practices")
    # Its filter is an input: strawberry converts it.
    assert not direct("Query", "municipalities")
