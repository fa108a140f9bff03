"""What keeps one request from costing everyone: a cost limit, page sizes, read-only readers, body size.

The depth, alias and token limits are Strawberry's own extensions (see schema.py).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import (
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    value_from_ast,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from gateway.context import Context
from gateway.errors import BAD_USER_INPUT
from gateway.pagination import MAX_PAGE_SIZE
from zwk_common.errors import problem_body, problem_response

# How many items a list without a `first` argument holds, as far as the estimate is concerned.
LIST_SIZES: dict[str, int] = {
    "Municipality.stages": 5,
    "Municipality.topics": 10,
    "StageProgress.checklist": 12,
    "Practice.topics": 5,
    "ProgrammeOverview.stages": 5,
    "ProgrammeOverview.overdue": 100,
    "Query.topics": 100,
}
DEFAULT_LIST_SIZE = 20
# Wrappers that add no objects of their own: their nodes are counted.
FREE_TYPES = ("PageInfo",)
FREE_SUFFIXES = ("Connection", "Edge")


class QueryTooCostly(GraphQLError):
    def __init__(self, cost: int, limit: int) -> None:
        super().__init__(
            f"This query could touch about {cost} objects; the limit is {limit}. "
            "Ask for smaller pages (`first`) or fewer nested lists, and page through the rest.",
            extensions={"code": BAD_USER_INPUT, "cost": cost, "maxCost": limit},
        )


class CostEstimate:
    """Objects a query may touch: each page size multiplies what is selected beneath it."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: dict[str, FragmentDefinitionNode],
        variables: dict[str, Any],
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def of_operation(self, operation: OperationDefinitionNode) -> int:
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return 0
        return self._selection(operation.selection_set, root, 1, set())

    def _fields(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, seen: set[str]
    ) -> Iterator[tuple[FieldNode, GraphQLNamedType]]:
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection, parent
            elif isinstance(selection, InlineFragmentNode):
                target = self._type(selection.type_condition.name.value) if selection.type_condition else parent
                yield from self._fields(selection.selection_set, target or parent, seen)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in seen:
                    continue  # validation reports unknown or cyclic fragments
                target = self._type(fragment.type_condition.name.value) or parent
                yield from self._fields(fragment.selection_set, target, seen | {name})

    def _type(self, name: str) -> GraphQLNamedType | None:
        return self.schema.get_type(name)

    def _selection(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, multiplier: int, seen: set[str]
    ) -> int:
        total = 0
        for node, owner in self._fields(selection_set, parent, seen):
            if not isinstance(owner, GraphQLObjectType | GraphQLInterfaceType):
                continue
            definition = owner.fields.get(node.name.value)
            if definition is None or node.selection_set is None:
                continue  # scalars cost nothing; unknown fields are validation's business
            named = get_named_type(definition.type)
            count = multiplier * self._size(owner.name, node, definition)
            if named.name not in FREE_TYPES and not named.name.endswith(FREE_SUFFIXES):
                total += count
            total += self._selection(node.selection_set, named, count, seen)
        return total

    def _size(self, owner: str, node: FieldNode, definition: GraphQLField) -> int:
        if "first" in definition.args:
            return _page_size(self._argument(node, definition, "first"))
        if owner.endswith("Connection") and node.name.value == "edges":
            return 1  # the page size was counted on the connection's field
        if is_list_type(get_nullable_type(definition.type)):  # type: ignore[arg-type]
            return LIST_SIZES.get(f"{owner}.{node.name.value}", DEFAULT_LIST_SIZE)
        return 1

    def _argument(self, node: FieldNode, definition: GraphQLField, name: str) -> Any:
        argument = definition.args[name]
        for given in node.arguments or ():
            if given.name.value != name:
                continue
            if isinstance(given.value, VariableNode):
                value = self.variables.get(given.value.name.value)
            else:
                value = value_from_ast(given.value, argument.type, self.variables)
            return argument.default_value if value is None else value
        return argument.default_value


def _page_size(value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        return MAX_PAGE_SIZE
    if value < 0 or value > MAX_PAGE_SIZE:
        raise GraphQLError(
            f"`first` must be between 0 and {MAX_PAGE_SIZE}; page through longer lists with `after`.",
            extensions={"code": BAD_USER_INPUT, "argument": "first", "maximum": MAX_PAGE_SIZE},
        )
    return value


class OperationGuard(SchemaExtension):
    """Refuses, before anything runs, a mutation by a reader and a query over the cost limit."""

    def __init__(self, max_cost: int) -> None:
        self.max_cost = max_cost

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        refusal = self._refusal()
        if refusal is not None:
            context.result = ExecutionResult(data=None, errors=[refusal])
        yield

    def _refusal(self) -> GraphQLError | None:
        context = self.execution_context
        document = context.graphql_document
        if document is None:
            return None
        try:
            operation_type = context.operation_type
        except RuntimeError:
            return None
        if operation_type is OperationType.MUTATION:
            app_context = context.context
            if isinstance(app_context, Context):
                try:
                    app_context.require_writer()
                except GraphQLError as error:
                    return error
        operation = next(
            (
                d
                for d in document.definitions
                if isinstance(d, OperationDefinitionNode)
                and (context.operation_name is None or (d.name and d.name.value == context.operation_name))
            ),
            None,
        )
        if operation is None:
            return None
        fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        estimate = CostEstimate(context.schema._schema, fragments, context.variables or {})
        try:
            cost = estimate.of_operation(operation)
        except GraphQLError as error:
            return error
        if cost > self.max_cost:
            return QueryTooCostly(cost, self.max_cost)
        return None


class BodySizeLimit:
    """Refuses a request body over the limit with a 413 problem, before it is read whole."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
            await self._refuse(scope, receive, send)
            return
        received = 0
        exceeded = False
        started = False

        async def limited_receive() -> Message:
            nonlocal received, exceeded
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    exceeded = True
                    if message.get("more_body", False):
                        await self._discard_rest(receive)
                    raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except Exception:
            # Middlewares in between may wrap the signal (task groups); what counts is that the body was too large.
            if not exceeded:
                raise
            if not started:
                await self._refuse(scope, receive, send)

    async def _discard_rest(self, receive: Receive) -> None:
        # A client still sending never reads the answer; what it sends is dropped, up to a bound, unread.
        discarded = 0
        while discarded < 10 * self.max_bytes:
            message = await receive()
            discarded += len(message.get("body", b""))
            if message["type"] != "http.request" or not message.get("more_body", False):
                return

    @property
    def _detail(self) -> str:
        return f"The request body may hold at most {self.max_bytes} bytes."

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = problem_body(
            413,
            "Request too large",
            self._detail,
            slug="request-too-large",
            instance=scope.get("path"),
        )
        await problem_response(body)(scope, receive, send)


class _BodyTooLarge(Exception):
    """Stops the app reading a body past the limit."""
