"""Request and response bodies of practices and adoptions."""

from datetime import datetime
from typing import Annotated, Any
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from austausch.texts import ONE_LINE, PROSE
from austausch.topics.schemas import TopicKey
from austausch.vocabulary import Level, PracticeStatus, TargetGroup, ToolKind

Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=200), ONE_LINE]
Summary = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000), PROSE]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50_000), PROSE]
Topics = Annotated[list[TopicKey], Field(min_length=1, max_length=10)]
TargetGroups = Annotated[list[TargetGroup], Field(max_length=10)]
Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500), PROSE]


class Contact(BaseModel):
    """Whom to ask about the practice, as the municipality chose to publish it."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), ONE_LINE]
    function: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), ONE_LINE] | None = None
    email: Annotated[str, StringConstraints(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$", max_length=320)] | None = None
    phone: Annotated[str, StringConstraints(pattern=r"^[0-9 +()/-]{3,40}$")] | None = None


class PracticeCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    municipality_id: UUID
    title: Title
    summary: Summary
    body: Body = Field(description="Markdown, stored as written; clients render and sanitise it")
    topics: Topics
    target_groups: TargetGroups = []
    tool_kind: ToolKind = ToolKind.PRAXISBEISPIEL
    effort: Level | None = None
    cost: Level | None = None
    cost_note: Note | None = None
    contact: Contact | None = None
    measure_id: UUID | None = Field(default=None, description="the Werkstattplan measure the practice came from")


class PracticeImportItem(PracticeCreate):
    """A practice published before (in the programme's toolbox, on an earlier platform), brought in as it is."""

    author_subject: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = (
        Field(default=None, description="who wrote it; the importing office by default")
    )
    author_name: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), ONE_LINE] | None
    ) = None
    published_at: datetime | None = Field(default=None, description="when it was first published; now by default")


IMPORT_BATCH = 500


class PracticeImport(BaseModel):
    model_config = ConfigDict(extra="forbid")

    practices: Annotated[list[PracticeImportItem], Field(min_length=1, max_length=IMPORT_BATCH)]


class ImportedPractices(BaseModel):
    imported: int
    ids: list[UUID] = Field(description="the new practices' ids, in the order given")


# Fields an edit may set to null; the others, once given, must have a value.
CLEARABLE = frozenset({"effort", "cost", "cost_note", "contact", "measure_id"})


class PracticeUpdate(BaseModel):
    """An edit: only the fields sent change; each edit is a new revision."""

    model_config = ConfigDict(extra="forbid")

    title: Title | None = None
    summary: Summary | None = None
    body: Body | None = None
    topics: Topics | None = None
    target_groups: TargetGroups | None = None
    tool_kind: ToolKind | None = None
    effort: Level | None = None
    cost: Level | None = None
    cost_note: Note | None = None
    contact: Contact | None = None
    measure_id: UUID | None = None
    expected_revision: Annotated[int, Field(ge=1)] | None = Field(
        default=None, description="the revision the edit is based on; a newer one is a conflict"
    )

    @model_validator(mode="after")
    def _required_stay_set(self) -> "PracticeUpdate":
        for name in self.model_fields_set - CLEARABLE - {"expected_revision"}:
            if getattr(self, name) is None:
                raise ValueError(f"{name} cannot be removed")
        return self


class Practice(BaseModel):
    id: UUID
    municipality_id: UUID
    municipality_name: str
    author_subject: str
    author_name: str | None
    status: PracticeStatus
    revision: int
    title: str
    summary: str
    body: str
    topics: list[str]
    target_groups: list[str]
    tool_kind: ToolKind
    effort: Level | None
    cost: Level | None
    cost_note: str | None
    contact: Contact | None
    measure_id: UUID | None
    adoption_count: int
    comment_count: int
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None
    archived_at: datetime | None
    hidden: bool
    hidden_reason: str | None = Field(None, description="shown to the owning municipality and the office only")


class MunicipalityPractices(BaseModel):
    """The first page of one municipality's practices, as `GET /practices?municipality_id=` gives it."""

    municipality_id: UUID
    items: list[Practice]
    next_cursor: str | None
    total_count: int


class Revision(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    revision: int
    editor_subject: str
    edited_at: datetime
    content: dict[str, Any]


class PracticeCounts(BaseModel):
    municipality_id: UUID
    published: int
    adopted_by_others: int = Field(description="adoptions of this municipality's practices by others")
    adopted_from_others: int = Field(description="practices of others this municipality adopted")


class AdoptionCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    municipality_id: UUID = Field(description="the municipality that adopted the practice")
    result: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), PROSE]


class Adoption(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: UUID
    practice_id: UUID
    practice_title: str
    municipality_id: UUID
    municipality_name: str
    result: str
    recorded_by: str
    created_at: datetime
