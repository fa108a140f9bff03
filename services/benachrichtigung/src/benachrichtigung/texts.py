"""The words a person reads: German labels, and a rule's templates filled from its event."""

from __future__ import annotations

from dataclasses import dataclass
from string import Template
from typing import Any

from benachrichtigung.rules import KINDS, Rule
from zwk_common.events import EventPayload

STAGE_LABELS = {
    "KICK_OFF": "Kick-Off",
    "KOMMUNALPROFIL": "Kommunalprofil",
    "ZUKUNFTSWERKSTATT": "Zukunftswerkstatt",
    "WERKSTATTPLAN": "Werkstattplan",
    "ZWISCHENBILANZ": "Zwischenbilanz",
}
MEASURE_STATUS_LABELS = {
    "PLANNED": "geplant",
    "IN_PROGRESS": "in Umsetzung",
    "DONE": "umgesetzt",
    "COMPLETED": "umgesetzt",
    "PAUSED": "pausiert",
    "ON_HOLD": "pausiert",
    "CANCELLED": "verworfen",
    "DROPPED": "verworfen",
}
CONTENT_LABELS = {
    "practice": "Praxisbeispiel",
    "question": "Frage",
    "answer": "Antwort",
    "comment": "Kommentar",
}
TOPIC_LABELS = {
    "oeffentlichkeitsarbeit": "Öffentlichkeitsarbeit",
    "wohnen": "Wohnen",
    "kooperation": "Intra- und interkommunale Kooperationen",
    "digitalisierung": "Digitalisierung",
    "demokratiefoerderung": "Demokratieförderung",
    "buergerbeteiligung": "Bürgerbeteiligung",
    "engagement": "Bürgerschaftliches Engagement",
    "begegnung": "Begegnung, Beratung, Selbsthilfe",
    "foerdermittel": "Fördermittel",
    "gesundheit-pflege": "Gesundheit und Pflege",
    "arbeit-wirtschaft": "Arbeit und Wirtschaft",
    "demografiestrategie": "Demografiestrategie",
    "integration": "Integration",
    "mobilitaet": "Mobilität",
    "nahversorgung": "Nahversorgung",
    "wohnumfeld": "Wohnumfeld und Ortsmitte",
    "sicherheit": "Sicherheit",
    "leben-im-alter": "Leben im Alter",
    "kinder-jugend-familie": "Kinder, Jugend und Familie",
    "bildung": "Bildung",
    "kultur-freizeit": "Kultur und Freizeit",
    "fachkraefte": "Fachkräftesicherung",
    "leerstand": "Leerstand und Innenentwicklung",
}


def facts(event: EventPayload) -> dict[str, str]:
    """The event's fields as text, with the German labels the templates use."""
    values: dict[str, Any] = event.model_dump(mode="json")
    text = {key: "" if value is None else str(value) for key, value in values.items() if not isinstance(value, list)}
    stage = str(values.get("stage") or "")
    text["stage_label"] = STAGE_LABELS.get(stage, stage)
    for key in ("status", "previous_status"):
        raw = str(values.get(key) or "")
        text[f"{key}_label"] = MEASURE_STATUS_LABELS.get(raw, raw.lower().replace("_", " ") or "neu")
    due = getattr(event, "due_date", None)
    text["due_date_label"] = due.strftime("%d.%m.%Y") if due else "zum geplanten Termin"
    reason = values.get("reason")
    text["reason_sentence"] = f" Grund: {reason.strip().rstrip('.')}." if reason and reason.strip() else ""
    topics = values.get("topics") or []
    text["topics_label"] = ", ".join(TOPIC_LABELS.get(t, t) for t in topics) or "ohne Handlungsfeld"
    text["summary_text"] = values.get("summary") or ""
    text["author_label"] = values.get("author_name") or "Jemand"
    excerpt = values.get("body_excerpt") or ""
    text["excerpt"] = excerpt if len(excerpt) <= 280 else excerpt[:279] + "…"
    target_kind = str(values.get("target_kind") or "")
    text["target_kind_label"] = CONTENT_LABELS.get(target_kind, target_kind or "Beitrag")
    kind_of_hidden = event.event_type.split(".")[2] if event.event_type.endswith(".hidden") else ""
    text["kind_label"] = CONTENT_LABELS.get(kind_of_hidden, "Beitrag")
    return text


@dataclass(frozen=True)
class Message:
    """A rule applied to one event: the text every recipient of that rule reads."""

    rule: Rule
    kind: str
    title: str
    body: str
    link: str
    item_kind: str
    item_id: str
    item_title: str
    municipality_id: str | None


def _clip(value: str, limit: int) -> str:
    return value if len(value) <= limit else value[: limit - 1] + "…"


def render(rule: Rule, event: EventPayload) -> Message:
    words = facts(event)
    municipality = words.get(rule.municipality_field or "", "") or None
    return Message(
        rule=rule,
        kind=rule.kind,
        title=_clip(Template(rule.title).substitute(words), 300),
        body=Template(rule.body).substitute(words).strip(),
        link=_clip(Template(rule.link).substitute(words), 500),
        item_kind=rule.item.kind,
        item_id=_clip(words.get(rule.item.id_field, ""), 200),
        item_title=_clip(words.get(rule.item.title_field, ""), 300),
        municipality_id=municipality,
    )


def digest_line(kind: str, count: int, item_title: str) -> str:
    known = KINDS.get(kind)
    if known is None:
        return f"{count} × {item_title}"
    template = known.digest_one if count == 1 else known.digest_many
    return Template(template).substitute(count=count, item_title=item_title)
