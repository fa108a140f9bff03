"""Request and response bodies of topics (Handlungsfelder)."""

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

TopicKey = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$"),
]
Label = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=120)]


class TopicCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: TopicKey = Field(description='lower-case words joined by "-", e.g. "nachbarschaft"')
    label: Label = Field(description="German, for people")
    parent: TopicKey | None = None


class TopicUpdate(BaseModel):
    """A new label, or a new parent (null: a first-level topic); a field left out stays."""

    model_config = ConfigDict(extra="forbid")

    label: Label | None = None
    parent: TopicKey | None = None

    @model_validator(mode="before")
    @classmethod
    def _label_is_never_null(cls, data: Any) -> Any:
        if isinstance(data, dict) and "label" in data and data["label"] is None:
            raise ValueError("label cannot be null; leave it out to keep it")
        return data


class Topic(BaseModel):
    key: str
    label: str
    parent: str | None
