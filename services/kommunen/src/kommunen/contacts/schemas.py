"""Request and response bodies of a municipality's contacts."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, StringConstraints, model_validator

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Function = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Phone = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=40, pattern=r"^\+?[0-9 ()/\-]+$")
]
Subject = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class ContactCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    function: Function | None = None
    email: Email | None = None
    phone: Phone | None = None
    subject: Subject | None = None


class ContactUpdate(BaseModel):
    """A partial change; null clears a field, a field left out stays."""

    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
    function: Function | None = None
    email: Email | None = None
    phone: Phone | None = None
    subject: Subject | None = None

    @model_validator(mode="before")
    @classmethod
    def _name_is_never_null(cls, data: Any) -> Any:
        if isinstance(data, dict) and "name" in data and data["name"] is None:
            raise ValueError("name cannot be null; leave it out to keep it")
        return data


class Contact(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    municipality_id: UUID
    name: str
    function: str | None
    email: str | None
    phone: str | None
    subject: str | None
    created_at: datetime
    updated_at: datetime
