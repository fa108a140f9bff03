"""What people write: trimmed, bounded, and free of control characters the database refuses."""

import re

from pydantic import AfterValidator

# NUL cannot be stored at all; the other control characters have no place in prose.
_CONTROL_IN_PROSE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f]")


def _prose(value: str) -> str:
    if _CONTROL_IN_PROSE.search(value):
        raise ValueError("must not contain control characters")
    return value


def _line(value: str) -> str:
    if _CONTROL_IN_LINE.search(value):
        raise ValueError("must be one line without control characters")
    return value


# Validators to add to an `Annotated[str, StringConstraints(...), ...]`.
ONE_LINE = AfterValidator(_line)
PROSE = AfterValidator(_prose)
