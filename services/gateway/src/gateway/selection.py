"""What a query asks of a field: to fetch only what will be shown."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from graphql import FieldNode, FragmentSpreadNode, InlineFragmentNode, SelectionNode
from strawberry.types import Info


def selects(info: Info[Any, Any], *names: str) -> bool:
    """Whether the field being resolved asks for any of its sub-fields `names`, directly or through a fragment.

    Read off the query's syntax tree as graphql-core parsed it: strawberry's `selected_fields`
    converts the whole subtree first, which for a page of 100 municipalities was done 200 times.
    """
    raw = info._raw_info
    return any(
        node.selection_set is not None and _asks(node.selection_set.selections, names, raw.fragments)
        for node in raw.field_nodes
    )


def _asks(selections: Iterable[SelectionNode], names: tuple[str, ...], fragments: dict[str, Any]) -> bool:
    for selection in selections:
        if isinstance(selection, FieldNode):
            if selection.name.value in names:
                return True
        elif isinstance(selection, InlineFragmentNode):
            if _asks(selection.selection_set.selections, names, fragments):
                return True
        elif isinstance(selection, FragmentSpreadNode):
            fragment = fragments.get(selection.name.value)
            if fragment is not None and _asks(fragment.selection_set.selections, names, fragments):
                return True
    return False
