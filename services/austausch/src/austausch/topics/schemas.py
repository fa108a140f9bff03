"""Request and response bodies of topics."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

TopicKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9][a-z0-9-]{0,63}$")]


class Topic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    key: str
    label: str
    parent: str | None
