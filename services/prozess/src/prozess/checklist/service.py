"""The rules of checklists: ticking items with evidence, and items that follow from the data. Never commits."""

from collections.abc import Mapping
from datetime import date
from uuid import UUID

from pydantic import ValidationError
from sqlalchemy import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from prozess.access import writable_process
from prozess.checklist.definitions import (
    CHECKLISTS,
    MEASURE_REQUIRED_FIELDS,
    ChecklistItemDefinition,
    EvidenceKind,
    ProcessFacts,
    definition,
)
from prozess.checklist.schemas import (
    ChecklistItem,
    ChecklistItemGuidance,
    ChecklistItemUpdate,
    Evidence,
    StageGuidance,
    Term,
    Vocabulary,
)
from prozess.events import ChecklistItemChecked
from prozess.models import outbox
from prozess.process.repository import ProcessRepository
from prozess.stages import STAGES_IN_ORDER, Stage, StageStatus
from prozess.vocabulary import KNOWN_INDICATORS, LABELS, Programme
from zwk_common.auth import Caller
from zwk_common.errors import BadInput, Conflict, NotFound


def checklist_item(item: ChecklistItemDefinition, entry: RowMapping | None, facts: ProcessFacts) -> ChecklistItem:
    """One item as a person sees it: ticked by hand (`entry`), or following from the data (`facts`)."""
    if item.derived is not None:
        done, count = item.derived(facts)
        evidence: Evidence | None = Evidence(number=count)
        updated_at, updated_by = None, None
    else:
        done = bool(entry and entry["done"])
        evidence = _evidence_of(entry)
        updated_at = entry["updated_at"] if entry else None
        updated_by = entry["updated_by"] if entry else None
    return ChecklistItem(
        key=item.key,
        label=item.label,
        required=item.required,
        derived=item.is_derived,
        evidence_kind=item.evidence,
        done=done,
        evidence=evidence,
        evidence_display=_display(evidence, item.evidence),
        updated_at=updated_at,
        updated_by=updated_by,
    )


def _evidence_of(entry: RowMapping | None) -> Evidence | None:
    if entry is None:
        return None
    evidence = Evidence(
        text=entry["evidence_text"],
        link=entry["evidence_link"],
        date=entry["evidence_date"],
        number=entry["evidence_number"],
    )
    return evidence if evidence.model_dump(exclude_none=True) else None


def _display(evidence: Evidence | None, kind: EvidenceKind) -> str | None:
    """The evidence as one German string, the item's own kind first."""
    if evidence is None:
        return None
    shown = {
        EvidenceKind.DATE: evidence.date.strftime("%d.%m.%Y") if evidence.date else None,
        EvidenceKind.NUMBER: _german_number(evidence.number) if evidence.number is not None else None,
        EvidenceKind.LINK: evidence.link,
        EvidenceKind.TEXT: evidence.text,
    }
    ordered = [shown[kind]] + [value for k, value in shown.items() if k != kind]
    parts = [part for part in ordered if part]
    return " · ".join(parts) if parts else None


def _german_number(value: float) -> str:
    if value == int(value):
        return f"{int(value):,}".replace(",", ".")
    return f"{value:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")


async def set_checklist_item(
    session: AsyncSession,
    caller: Caller,
    municipality_id: UUID,
    programme: Programme,
    stage: Stage,
    key: str,
    data: ChecklistItemUpdate,
) -> ChecklistItem:
    """Tick or untick a checklist item with its evidence; a completed stage's items stay as they were."""
    process = await writable_process(session, caller, municipality_id, programme)
    item = definition(stage, key)
    if item is None:
        raise NotFound(f"{stage.label} has no checklist item {key!r}.")
    if item.is_derived:
        raise Conflict(f"{item.label!r} follows from the recorded data; record that data instead.")
    repository = ProcessRepository(session)
    row = await repository.stage(process.id, stage.value)
    if row["status"] == StageStatus.COMPLETED:
        raise Conflict(f"{stage.label} is completed; the office reopens it before its checklist changes.")
    evidence = read_evidence(data.evidence, item.evidence)
    before = await repository.checklist_entry(process.id, stage.value, key)
    saved = await repository.save_checklist_entry(
        {
            "process_id": process.id,
            "stage": stage.value,
            "key": key,
            "done": data.done,
            "evidence_text": evidence.text if evidence else None,
            "evidence_link": evidence.link if evidence else None,
            "evidence_date": evidence.date if evidence else None,
            "evidence_number": evidence.number if evidence else None,
            "updated_by": caller.subject,
        }
    )
    if data.done != bool(before and before["done"]):
        await outbox.record(
            session,
            ChecklistItemChecked(
                municipality_id=process.municipality_id,
                programme=process.programme,
                stage=stage,
                key=key,
                done=data.done,
                actor=caller.subject,
            ),
        )
    return checklist_item(item, saved, ProcessFacts())


def read_evidence(given: Evidence | str | None, kind: EvidenceKind) -> Evidence | None:
    """Evidence as given, or a plain string read as the item's kind ("14.10.2021", "3,5", a link)."""
    if given is None or isinstance(given, Evidence):
        return given
    if not given:
        return None
    try:
        if kind is EvidenceKind.DATE:
            return Evidence(date=_parse_date(given))
        if kind is EvidenceKind.NUMBER:
            return Evidence(number=float(given.replace(".", "").replace(",", ".") if "," in given else given))
        if kind is EvidenceKind.LINK:
            return Evidence(link=given)
    except (ValueError, ValidationError) as exc:
        raise BadInput(f"The evidence {given!r} is not a {kind.value.lower()} as this item needs.") from exc
    return Evidence(text=given)


def _parse_date(value: str) -> date:
    if "." in value:
        day, month, year = value.split(".")
        return date(int(year), int(month), int(day))
    return date.fromisoformat(value)


def vocabulary() -> Vocabulary:
    def terms(labels: Mapping[str, str]) -> list[Term]:
        return [Term(key=str(key), label=label) for key, label in labels.items()]

    return Vocabulary(
        stages=[
            StageGuidance(
                stage=stage,
                label=stage.label,
                checklist=[
                    ChecklistItemGuidance(
                        key=item.key,
                        label=item.label,
                        required=item.required,
                        derived=item.is_derived,
                        evidence_kind=item.evidence,
                    )
                    for item in CHECKLISTS[stage]
                ],
            )
            for stage in STAGES_IN_ORDER
        ],
        target_groups=terms(LABELS["target_group"]),
        participation_formats=terms(LABELS["participation_format"]),
        swot_kinds=terms(LABELS["swot_kind"]),
        measure_statuses=terms(LABELS["measure_status"]),
        measure_required_fields=terms(MEASURE_REQUIRED_FIELDS),
        indicators=terms(KNOWN_INDICATORS),
    )
