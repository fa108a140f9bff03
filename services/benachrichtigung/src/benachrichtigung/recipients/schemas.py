"""Request and response bodies of the office's user list."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

EmailAddress = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=320, pattern=r"^[^@\s<>,;]+@[^@\s<>,;]+\.[^@\s<>,;]+$")
]


class OfficeUserPut(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    email: EmailAddress


class OfficeUser(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    subject: str
    name: str
    email: str
    created_at: datetime
    updated_at: datetime
