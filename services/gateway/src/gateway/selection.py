"""What a query asks of a field: to fetch only what will be shown."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionNode
from strawberry.types import Info


def selects(info: Info[Any, Any], *names: str, within: tuple[str, ...] = ()) -> bool:
    """Whether the field being resolved asks for any of its sub-fields `names`, directly or through a fragment;
    with `within`, whether the sub-fields along that path do (`within=("edges", "node")` for a connection's nodes).

    Read off the query's syntax tree as graphql-core parsed it: strawberry's `selected_fields`
    converts the whole subtree first, which for a page of 100 municipalities was done 200 times.
    """
    raw = info._raw_info
    level: list[SelectionNode] = [
        selection for node in raw.field_nodes if node.selection_set for selection in node.selection_set.selections
    ]
    for step in within:
        level = [
            selection
            for field in _fields(level, raw.fragments)
            if field.name.value == step and field.selection_set is not None
            for selection in field.selection_set.selections
        ]
    return any(field.name.value in names for field in _fields(level, raw.fragments))


def _fields(selections: Iterable[SelectionNode], fragments: dict[str, Any]) -> Iterator[FieldNode]:
    """The fields of a selection set, those of its fragments included (validation rules out cycles)."""
    for selection in selections:
        if isinstance(selection, FieldNode):
            yield selection
        elif isinstance(selection, InlineFragmentNode):
            yield from _fields(selection.selection_set.selections, fragments)
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None:
                yield from _fields(fragment.selection_set.selections, fragments)
