"""Field types that several request bodies share, validated at the edge."""

import math
import re
from decimal import Decimal
from typing import Annotated

from pydantic import AfterValidator, Field, PlainSerializer, StringConstraints

KEY_PATTERN = r"^[a-z0-9]+(-[a-z0-9]+)*$"

Key = Annotated[str, StringConstraints(pattern=KEY_PATTERN, min_length=1, max_length=64)]
"""A slug such as a topic key ("leben-im-alter") or an indicator key ("population")."""

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000)]

_LINK = re.compile(r"^https?://[^\s/$.?#][^\s]*$", re.IGNORECASE)


def _check_link(value: str) -> str:
    if not _LINK.match(value):
        raise ValueError("a link must be an http(s) address")
    return value


Link = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), AfterValidator(_check_link)]


def _finite(value: float) -> float:
    if not math.isfinite(value):
        raise ValueError("the number must be finite")
    return value


Number = Annotated[float, AfterValidator(_finite)]

Euro = Annotated[
    Decimal,
    Field(ge=0, le=Decimal("999999999999.99"), decimal_places=2),
    PlainSerializer(float, return_type=float, when_used="json"),
]
"""An amount in EUR, never negative; answered as a JSON number."""

Topics = Annotated[list[Key], Field(max_length=20)]
