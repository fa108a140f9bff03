"""What a query asks of a field: to fetch only what will be shown."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection


def selects(info: Info[Any, Any], name: str) -> bool:
    """Whether the field being resolved asks for its sub-field `name`, directly or through a fragment."""
    return any(_asks(field.selections, name) for field in info.selected_fields)


def _asks(selections: Iterable[Selection], name: str) -> bool:
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                return True
        elif isinstance(selection, FragmentSpread | InlineFragment) and _asks(selection.selections, name):
            return True
    return False
