"""What a query asks of a field: to fetch only what will be shown."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.types import Info
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField, Selection


def selects(info: Info[Any, Any], *names: str) -> bool:
    """Whether the field being resolved asks for any of its sub-fields `names`, directly or through a fragment."""
    return any(_asks(field.selections, names) for field in info.selected_fields)


def _asks(selections: Iterable[Selection], names: tuple[str, ...]) -> bool:
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name in names:
                return True
        elif isinstance(selection, FragmentSpread | InlineFragment) and _asks(selection.selections, names):
            return True
    return False
