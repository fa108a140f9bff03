"""Which upstreams' events a service handles side by side, entity by entity."""

import pytest

from zwk_common.service import ServiceDefinition
from zwk_common.settings import ServiceSettings


@pytest.mark.parametrize(
    ("parallel", "expected"),
    [
        (False, {"prozess": False, "austausch": False}),
        (True, {"prozess": True, "austausch": True}),
        (frozenset({"prozess"}), {"prozess": True, "austausch": False}),
        (frozenset(), {"prozess": False, "austausch": False}),
    ],
)
def test_only_the_upstreams_named_are_handled_side_by_side(
    parallel: bool | frozenset[str], expected: dict[str, bool]
) -> None:
    definition = ServiceDefinition(name="benachrichtigung", settings=ServiceSettings(), parallel_by_entity=parallel)
    assert {upstream: definition.parallel_for(upstream) for upstream in expected} == expected
