"""The pure rules of the process: stage order, checklist guidance, evidence, measure completeness, lateness."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from prozess.checklist.definitions import CHECKLISTS, EvidenceKind, ProcessFacts, definition
from prozess.checklist.schemas import Evidence
from prozess.checklist.service import checklist_item, read_evidence, vocabulary
from prozess.fields import KEY_PATTERN
from prozess.process.service import is_overdue
from prozess.stages import STAGES_IN_ORDER, Stage
from prozess.werkstattplan.service import measure_of
from zwk_common.errors import BadInput


def test_the_five_stages_follow_each_other_in_the_programme_s_order() -> None:
    assert [s.label for s in STAGES_IN_ORDER] == [
        "Kick-Off",
        "Kommunalprofil",
        "Zukunftswerkstatt",
        "Werkstattplan",
        "Zwischenbilanz",
    ]
    assert Stage.KICK_OFF.previous is None
    assert Stage.WERKSTATTPLAN.previous is Stage.ZUKUNFTSWERKSTATT


@pytest.mark.parametrize("stage", list(Stage))
def test_every_stage_has_a_checklist_with_unique_keys_and_required_items(stage: Stage) -> None:
    keys = [item.key for item in CHECKLISTS[stage]]
    assert len(keys) == len(set(keys))
    assert all(re.match(KEY_PATTERN, key) for key in keys)
    assert any(item.required for item in CHECKLISTS[stage])


def test_items_that_follow_from_the_data_read_the_facts_of_the_process() -> None:
    swot = definition(Stage.KOMMUNALPROFIL, "swot-analysis")
    measures = definition(Stage.WERKSTATTPLAN, "measures-complete")
    assert swot is not None and measures is not None
    assert checklist_item(swot, None, ProcessFacts(swot_kinds=3)).done is False
    assert checklist_item(swot, None, ProcessFacts(swot_kinds=4)).done is True
    assert checklist_item(measures, None, ProcessFacts()).done is False, "a plan without measures is not complete"
    incomplete = checklist_item(measures, None, ProcessFacts(measures=3, incomplete_measures=1))
    assert (incomplete.done, incomplete.evidence_display) == (False, "2")
    assert checklist_item(measures, None, ProcessFacts(measures=3)).done is True


@pytest.mark.parametrize(
    ("given", "kind", "expected"),
    [
        ("14.10.2021", EvidenceKind.DATE, Evidence(date=date(2021, 10, 14))),
        ("2021-10-14", EvidenceKind.DATE, Evidence(date=date(2021, 10, 14))),
        ("3,5", EvidenceKind.NUMBER, Evidence(number=3.5)),
        ("1.234,5", EvidenceKind.NUMBER, Evidence(number=1234.5)),
        ("14", EvidenceKind.NUMBER, Evidence(number=14)),
        ("https://www.riesa.de/profil", EvidenceKind.LINK, Evidence(link="https://www.riesa.de/profil")),
        ("Bürgermeister", EvidenceKind.TEXT, Evidence(text="Bürgermeister")),
        ("", EvidenceKind.TEXT, None),
    ],
)
def test_a_plain_string_is_read_as_evidence_of_the_item_s_kind(
    given: str, kind: EvidenceKind, expected: Evidence | None
) -> None:
    assert read_evidence(given, kind) == expected


@pytest.mark.parametrize(
    ("given", "kind"),
    [
        ("im Herbst", EvidenceKind.DATE),
        ("31.02.2021", EvidenceKind.DATE),
        ("nan", EvidenceKind.NUMBER),
        ("www", EvidenceKind.LINK),
    ],
)
def test_evidence_that_is_not_of_the_item_s_kind_is_bad_input(given: str, kind: EvidenceKind) -> None:
    with pytest.raises(BadInput):
        read_evidence(given, kind)


def test_a_measure_is_complete_when_the_plan_names_everything_and_zero_euro_is_a_budget() -> None:
    now = datetime.now(UTC)
    row = {
        "id": "5a1b0c4e-0000-4000-8000-000000000009",
        "title": "Nachbarschaftsbörse",
        "topic": "begegnung",
        "goal": "Nachbarn helfen einander",
        "responsible": "Seniorenbüro",
        "period_start": date(2022, 1, 1),
        "period_end": date(2022, 12, 31),
        "budget_eur": Decimal("0.00"),
        "budget_used_eur": None,
        "funding_source": "ehrenamtlich",
        "target_groups": ["seniorinnen"],
        "status": "PLANNED",
        "milestones": [],
        "origin_swot_item_id": None,
        "origin_idea_id": None,
        "created_at": now,
        "created_by": None,
        "updated_at": now,
        "updated_by": None,
    }
    assert measure_of(row).complete is True
    assert measure_of({**row, "target_groups": [], "goal": None}).missing == ["Ziel", "Zielgruppen"]


def test_only_a_stage_in_progress_past_its_due_date_is_overdue() -> None:
    due = date(2022, 3, 31)
    assert is_overdue({"status": "IN_PROGRESS", "due_date": due}, date(2022, 4, 1)) is True
    assert is_overdue({"status": "IN_PROGRESS", "due_date": due}, due) is False
    assert is_overdue({"status": "COMPLETED", "due_date": due}, date(2023, 1, 1)) is False
    assert is_overdue({"status": "NOT_STARTED", "due_date": due}, date(2023, 1, 1)) is False
    assert is_overdue({"status": "IN_PROGRESS", "due_date": None}, date(2023, 1, 1)) is False


def test_the_vocabulary_names_every_stage_with_its_german_checklist() -> None:
    words = vocabulary()
    assert [s.label for s in words.stages] == [s.label for s in STAGES_IN_ORDER]
    assert {t.label for t in words.target_groups} >= {
        "Jugendliche",
        "Senior:innen",
        "Menschen mit Migrationsgeschichte",
    }
    assert next(i for i in words.stages[0].checklist if i.key == "agreed-goals").label == "Vereinbarte Ziele"
