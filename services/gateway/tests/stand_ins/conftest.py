"""Stand-ins for the service endpoints the gateway calls that are not yet on this branch.

They answer in the shapes the services' own branches define (paths, parameters,
fields), from memory, so that the gateway's mapping, batching and paging can be
tested now. They know nothing of permissions: every real service enforces its
own, and the tests over the real kommunen and prozess show those errors pass
through. At integration the same queries run against the real services.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any

import pytest
import pytest_asyncio
from fastapi import Body, FastAPI, HTTPException, Query, Request
from fastapi.responses import JSONResponse

from gateway.testing import Gateway, Stack, running_gateway, serving

LAND = "NW"
STAGES = ["KICK_OFF", "KOMMUNALPROFIL", "ZUKUNFTSWERKSTATT", "WERKSTATTPLAN", "ZWISCHENBILANZ"]
TOPICS = [
    {"key": "wohnen", "label": "Wohnen", "parent": None},
    {"key": "engagement", "label": "Bürgerschaftliches Engagement", "parent": None},
    {"key": "begegnung", "label": "Begegnung, Beratung, Selbsthilfe", "parent": None},
    {"key": "mobilitaet", "label": "Mobilität", "parent": "wohnen"},
    {"key": "leben-im-alter", "label": "Leben im Alter", "parent": "begegnung"},
]
EPOCH = datetime(2024, 1, 1, tzinfo=UTC)


def cursor(position: int) -> str:
    return base64.urlsafe_b64encode(json.dumps([position]).encode()).decode()


def position(after: str | None) -> int:
    return int(json.loads(base64.urlsafe_b64decode(after))[0]) if after else 0


def page_of(items: list[Any], first: int, after: str | None) -> dict[str, Any]:
    start = position(after)
    shown = items[start : start + first]
    more = start + first < len(items)
    return {"items": shown, "next_cursor": cursor(start + first) if more else None, "total_count": len(items)}


@dataclass
class World:
    """What the stand-ins know; tests add to it and read what was asked of them."""

    municipalities: dict[str, dict[str, Any]] = field(default_factory=dict)
    processes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    practices: dict[str, dict[str, Any]] = field(default_factory=dict)
    comments: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    inbox: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    follows: list[tuple[str, str, str]] = field(default_factory=list)
    records: dict[tuple[str, str, str], list[dict[str, Any]]] = field(default_factory=dict)
    comparable: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    preferences: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    questions: dict[str, dict[str, Any]] = field(default_factory=dict)
    answers: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reports: list[dict[str, Any]] = field(default_factory=list)
    hidden: list[tuple[str, str, str]] = field(default_factory=list)
    requests: list[tuple[str, str, str]] = field(default_factory=list)

    def municipality(self, name: str, *, topics: list[str] | None = None, current: int = 0) -> dict[str, Any]:
        """A municipality with a ZWK process whose first `current` stages have begun (the last in progress)."""
        record = {
            "id": str(uuid.uuid4()),
            "ags": None,
            "member_keys": [],
            "name": name,
            "kind": "GEMEINDE",
            "bundesland": LAND,
            "population": 1000 + len(self.municipalities),
            "programmes": ["ZWK"],
            "topics": topics or [],
        }
        self.municipalities[record["id"]] = record
        stages = []
        for index, stage in enumerate(STAGES):
            status = "NOT_STARTED" if index >= current else "IN_PROGRESS" if index == current - 1 else "COMPLETED"
            stages.append(
                {
                    "stage": stage,
                    "label": stage.title(),
                    "status": status,
                    "due_date": "2024-02-01" if status == "IN_PROGRESS" else None,
                    "started_at": (EPOCH + timedelta(days=index)).isoformat() if status != "NOT_STARTED" else None,
                    "completed_at": (EPOCH + timedelta(days=index + 1)).isoformat() if status == "COMPLETED" else None,
                    "overdue": status == "IN_PROGRESS",
                    "checklist": [
                        {
                            "key": "agreed-goals",
                            "label": "Ziele vereinbart",
                            "required": True,
                            "derived": False,
                            "evidence_kind": "text",
                            "done": status == "COMPLETED",
                            "evidence": {"text": "Protokoll"} if status == "COMPLETED" else None,
                            "evidence_display": "Protokoll" if status == "COMPLETED" else None,
                        }
                    ],
                    "open_required_items": [],
                }
            )
        self.processes[record["id"]] = [
            {
                "municipality_id": record["id"],
                "municipality_name": name,
                "programme": "ZWK",
                "active": True,
                "current_stage": STAGES[current - 1] if current else None,
                "overdue": current > 0,
                "stages": stages,
            }
        ]
        return record

    def practice(
        self, municipality: dict[str, Any], title: str, topics: list[str], comments: int = 0
    ) -> dict[str, Any]:
        number = len(self.practices)
        record = {
            "id": str(uuid.uuid4()),
            "municipality_id": municipality["id"],
            "municipality_name": municipality["name"],
            "status": "PUBLISHED",
            "title": title,
            "summary": f"{title} in {municipality['name']}",
            "body": f"# {title}\n\nSo haben wir es gemacht.",
            "topics": topics,
            "comment_count": comments,
            "published_at": (EPOCH + timedelta(hours=number)).isoformat(),
        }
        self.practices[record["id"]] = record
        self.comments[record["id"]] = [
            {
                "id": str(uuid.uuid4()),
                "practice_id": record["id"],
                "parent_comment_id": None,
                "author_name": f"Person {n}",
                "body": f"Kommentar {n}",
                "created_at": (EPOCH + timedelta(minutes=n)).isoformat(),
            }
            for n in range(comments)
        ]
        return record

    def question(self, municipality: dict[str, Any], title: str, answers: int = 0) -> dict[str, Any]:
        record = {
            "id": str(uuid.uuid4()),
            "municipality_id": municipality["id"],
            "municipality_name": municipality["name"],
            "author_name": None,
            "title": title,
            "body": "Wir möchten eine aufbauen und suchen Erfahrungen.",
            "topics": ["engagement"],
            "accepted_answer_id": None,
            "answer_count": answers,
            "created_at": (EPOCH + timedelta(days=len(self.questions))).isoformat(),
        }
        self.questions[record["id"]] = record
        self.answers[record["id"]] = [
            {
                "id": str(uuid.uuid4()),
                "question_id": record["id"],
                "municipality_name": "Dortmund",
                "author_name": f"Person {n}",
                "body": f"Antwort {n}",
                "accepted": False,
                "created_at": (EPOCH + timedelta(minutes=n)).isoformat(),
            }
            for n in range(answers)
        ]
        return record

    def newest_practices(self, municipality_id: str | None = None) -> list[dict[str, Any]]:
        found = [p for p in self.practices.values() if municipality_id in (None, p["municipality_id"])]
        return sorted(found, key=lambda p: p["published_at"], reverse=True)


def _services(world: World) -> dict[str, FastAPI]:
    kommunen, prozess, austausch, benachrichtigung = FastAPI(), FastAPI(), FastAPI(), FastAPI()
    for name, app in (
        ("kommunen", kommunen),
        ("prozess", prozess),
        ("austausch", austausch),
        ("benachrichtigung", benachrichtigung),
    ):

        @app.middleware("http")
        async def record(request: Request, call_next: Any, name: str = name) -> Any:
            world.requests.append((name, request.method, str(request.url.path)))
            if not request.headers.get("authorization", "").startswith("Bearer "):
                return JSONResponse({"status": 401, "code": "UNAUTHENTICATED"}, status_code=401)
            return await call_next(request)

    @kommunen.get("/municipalities")
    async def municipalities(
        ids: Annotated[list[str] | None, Query()] = None,
        first: int = 20,
        after: str | None = None,
        programme: str | None = None,
        bundesland: str | None = None,
        kind: str | None = None,
        topic: str | None = None,
        name: str | None = None,
    ) -> dict[str, Any]:
        found = sorted(world.municipalities.values(), key=lambda m: m["name"])
        if ids is not None:
            found = [m for m in found if m["id"] in ids]
            first = max(first, len(ids))
        found = [
            m
            for m in found
            if (programme is None or programme in m["programmes"])
            and (bundesland is None or m["bundesland"] == bundesland)
            and (kind is None or m["kind"] == kind)
            and (topic is None or topic in m["topics"])
            and (name is None or name.lower() in m["name"].lower())
        ]
        return page_of(found, first, after)

    @kommunen.get("/municipalities/{municipality_id}/contacts")
    async def contacts(municipality_id: str, first: int = 20, after: str | None = None) -> dict[str, Any]:
        found = [
            {
                "id": "55555555-5555-4555-8555-555555555555",
                "municipality_id": municipality_id,
                "name": "Kerstin Berger",
                "function": "Demografiebeauftragte",
                "email": "k.berger@riesa.example",
                "phone": None,
                "subject": None,
            }
        ]
        return page_of(found, first, after)

    @kommunen.get("/topics")
    async def topics(first: int = 20, after: str | None = None) -> dict[str, Any]:
        return page_of(TOPICS, first, after)

    @prozess.get("/processes")
    async def processes(municipality_id: Annotated[list[str], Query()]) -> list[dict[str, Any]]:
        return [p for i in municipality_id for p in world.processes.get(i, [])]

    @prozess.get("/processes/municipality-ids")
    async def municipality_ids(
        first: int = 20,
        after: str | None = None,
        programme: str | None = None,
        stage: str | None = None,
        overdue: bool | None = None,
    ) -> dict[str, Any]:
        ids = [
            i
            for i, found in sorted(world.processes.items())
            for p in found
            if (programme is None or p["programme"] == programme)
            and (stage is None or p["current_stage"] == stage)
            and (overdue is None or p["overdue"] == overdue)
        ]
        return page_of(ids, first, after)

    @prozess.get("/overview")
    async def overview(programme: str = "ZWK") -> dict[str, Any]:
        mine = [p for found in world.processes.values() for p in found if p["programme"] == programme]
        return {
            "programme": programme,
            "municipalities": len(mine),
            "stages": [
                {
                    "stage": stage,
                    "label": stage.title(),
                    "in_progress": sum(
                        1 for p in mine for s in p["stages"] if (s["stage"], s["status"]) == (stage, "IN_PROGRESS")
                    ),
                    "completed": sum(
                        1 for p in mine for s in p["stages"] if (s["stage"], s["status"]) == (stage, "COMPLETED")
                    ),
                }
                for stage in STAGES
            ],
            "overdue_count": sum(1 for p in mine if p["overdue"]),
            "overdue_municipality_ids": [p["municipality_id"] for p in mine if p["overdue"]],
        }

    def stage_of(municipality_id: str, programme: str, stage: str) -> dict[str, Any]:
        process = next((p for p in world.processes.get(municipality_id, []) if p["programme"] == programme), None)
        if process is None:
            raise HTTPException(404, "No such process.")
        return next(s for s in process["stages"] if s["stage"] == stage)

    @prozess.post("/processes/{municipality_id}/{programme}/stages/{stage}/start")
    async def start(
        municipality_id: str, programme: str, stage: str, data: Annotated[dict[str, Any] | None, Body()] = None
    ) -> dict[str, Any]:
        progress = stage_of(municipality_id, programme, stage)
        progress.update(status="IN_PROGRESS", started_at=EPOCH.isoformat(), due_date=(data or {}).get("due_date"))
        return progress

    @prozess.post("/processes/{municipality_id}/{programme}/stages/{stage}/complete")
    async def complete(municipality_id: str, programme: str, stage: str) -> dict[str, Any]:
        progress = stage_of(municipality_id, programme, stage)
        progress.update(status="COMPLETED", completed_at=EPOCH.isoformat(), overdue=False)
        return progress

    @prozess.put("/processes/{municipality_id}/{programme}/stages/{stage}/checklist/{key}")
    async def check(
        municipality_id: str, programme: str, stage: str, key: str, data: Annotated[dict[str, Any], Body()]
    ) -> dict[str, Any]:
        item = next(i for i in stage_of(municipality_id, programme, stage)["checklist"] if i["key"] == key)
        item.update(done=data["done"], evidence={"text": data.get("evidence")}, evidence_display=data.get("evidence"))
        return item

    @austausch.get("/practices")
    async def practices(
        ids: Annotated[list[str] | None, Query()] = None,
        municipality_id: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> dict[str, Any]:
        if ids:
            return {"items": [world.practices[i] for i in ids if i in world.practices], "next_cursor": None}
        return page_of(world.newest_practices(municipality_id), first, after)

    @austausch.get("/practices/by-municipality")
    async def practices_by_municipality(
        municipality_id: Annotated[list[str], Query()], first: int = 20
    ) -> list[dict[str, Any]]:
        return [{"municipality_id": i, **page_of(world.newest_practices(i), first, None)} for i in municipality_id]

    @austausch.get("/search")
    async def search(
        q: str | None = None,
        topic: Annotated[list[str] | None, Query()] = None,
        kind: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> dict[str, Any]:
        stem = (q or "").lower().rstrip("n")
        found = [
            p
            for p in world.newest_practices()
            if stem in p["title"].lower() and (not topic or set(topic) & set(p["topics"]))
        ]
        hits = [
            {
                "kind": "practice",
                "id": p["id"],
                "title": p["title"],
                "snippet": p["summary"],
                "topics": p["topics"],
                "municipality": {"id": p["municipality_id"], "name": p["municipality_name"], "bundesland": LAND},
                "published_at": p["published_at"],
                "score": 0.5 if q else None,
            }
            for p in found
        ]
        facets = [
            {"topic": t["key"], "label": t["label"], "count": sum(1 for p in found if t["key"] in p["topics"])}
            for t in TOPICS
        ]
        return {**page_of(hits, first, after), "facets": [f for f in facets if f["count"]], "corrections": []}

    @austausch.get("/comments")
    async def comments(practice_id: Annotated[list[str], Query()], per_practice: int = 20) -> list[dict[str, Any]]:
        return [c for i in practice_id for c in world.comments.get(i, [])[:per_practice]]

    @austausch.get("/municipalities/{municipality_id}/comparable/practices")
    async def comparable(municipality_id: str, first: int = 20) -> dict[str, Any]:
        others = [p for p in world.newest_practices() if p["municipality_id"] != municipality_id]
        page = page_of(others, first, None)
        return {
            **page,
            "items": [{"practice": p, "relevance": 0.8, "reasons": ["ähnliche Größe"]} for p in page["items"]],
        }

    @austausch.get("/municipalities/{municipality_id}/comparable")
    async def comparable_municipalities(municipality_id: str, first: int = 10) -> list[dict[str, Any]]:
        return world.comparable.get(municipality_id, [])[:first]

    @prozess.get("/processes/{municipality_id}/{programme}/{resource:path}")
    async def process_records(
        municipality_id: str,
        programme: str,
        resource: str,
        first: int = 20,
        after: str | None = None,
        status: str | None = None,
    ) -> dict[str, Any]:
        if resource == "zwischenbilanz":
            return {"programme": programme, "measures": {"total": 2, "by_status": [{"status": "DONE", "count": 1}]}}
        found = world.records.get((municipality_id, programme, resource), [])
        return page_of([r for r in found if status in (None, r.get("status"))], first, after)

    @austausch.get("/questions")
    async def questions(
        ids: Annotated[list[str] | None, Query()] = None,
        topic: Annotated[list[str] | None, Query()] = None,
        answered: bool | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> dict[str, Any]:
        found = sorted(world.questions.values(), key=lambda q: q["created_at"], reverse=True)
        if ids:
            return {"items": [q for q in found if q["id"] in ids], "next_cursor": None}
        found = [
            q
            for q in found
            if (not topic or set(topic) & set(q["topics"]))
            and (answered is None or (q["accepted_answer_id"] is not None) == answered)
        ]
        return page_of(found, first, after)

    @austausch.get("/answers")
    async def answers(question_id: Annotated[list[str], Query()], per_question: int = 20) -> list[dict[str, Any]]:
        return [a for i in question_id for a in world.answers.get(i, [])[:per_question]]

    @austausch.post("/questions", status_code=201)
    async def ask(data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        record = world.question(world.municipalities[data["municipality_id"]], data["title"])
        record.update(body=data["body"], topics=data["topics"])
        return record

    @austausch.post("/questions/{question_id}/answers", status_code=201)
    async def answer(question_id: str, data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        entry = {
            "id": str(uuid.uuid4()),
            "question_id": question_id,
            "author_name": "Kerstin Berger",
            "body": data["body"],
            "accepted": False,
            "created_at": EPOCH.isoformat(),
        }
        world.answers.setdefault(question_id, []).append(entry)
        world.questions[question_id]["answer_count"] += 1
        return entry

    @austausch.post("/questions/{question_id}/answers/{answer_id}/accept")
    async def accept(question_id: str, answer_id: str) -> dict[str, Any]:
        for entry in world.answers[question_id]:
            entry["accepted"] = entry["id"] == answer_id
        world.questions[question_id]["accepted_answer_id"] = answer_id
        return world.questions[question_id]

    @austausch.get("/moderation/reports")
    async def moderation_queue(
        request: Request,
        status: str = "OPEN",
        target_kind: str | None = None,
        first: int = 20,
        after: str | None = None,
    ) -> Any:
        return page_of(
            [r for r in world.reports if r["status"] == status and target_kind in (None, r["target_kind"])],
            first,
            after,
        )

    @austausch.post("/moderation/{target_kind}/{target_id}/hide")
    async def hide(target_kind: str, target_id: str, data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        world.hidden.append((target_kind, target_id, data["reason"]))
        return {"target_kind": target_kind, "target_id": target_id, "hidden": True}

    @austausch.post("/practices", status_code=201)
    async def create_practice(data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        if not data["title"].strip():
            raise HTTPException(422, "title: String should have at least 3 characters")
        municipality = world.municipalities[data["municipality_id"]]
        record = world.practice(municipality, data["title"], data["topics"])
        record.update(status="DRAFT", published_at=None, summary=data["summary"], body=data["body"])
        return record

    @austausch.post("/practices/{practice_id}/publish")
    async def publish(practice_id: str) -> dict[str, Any]:
        record = world.practices[practice_id]
        record.update(status="PUBLISHED", published_at=datetime(2024, 6, 1, tzinfo=UTC).isoformat())
        return record

    @austausch.post("/practices/{practice_id}/comments", status_code=201)
    async def add_comment(practice_id: str, data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        if practice_id not in world.practices:
            raise HTTPException(404, "No practice with this id.")
        comment = {
            "id": str(uuid.uuid4()),
            "practice_id": practice_id,
            "author_name": "Anna Schmidt",
            "body": data["body"],
            "created_at": datetime(2024, 6, 2, tzinfo=UTC).isoformat(),
        }
        world.comments.setdefault(practice_id, []).append(comment)
        return comment

    @austausch.put("/follows/{target_kind}/{target_id}")
    async def follow(target_kind: str, target_id: str, request: Request) -> dict[str, Any]:
        world.follows.append((request.headers["authorization"], target_kind, target_id))
        return {"target_kind": target_kind, "target_id": target_id}

    @benachrichtigung.get("/inbox")
    async def inbox(
        request: Request, unread: bool = False, first: int = 20, after: str | None = None
    ) -> dict[str, Any]:
        mine = world.inbox.get(request.headers["authorization"], [])
        return page_of([n for n in mine if not (unread and n["read"])], first, after)

    @benachrichtigung.get("/inbox/unread-count")
    async def unread_count(request: Request) -> dict[str, Any]:
        return {"unread": sum(1 for n in world.inbox.get(request.headers["authorization"], []) if not n["read"])}

    @benachrichtigung.post("/inbox/read-all")
    async def read_all(request: Request) -> dict[str, Any]:
        unread = [n for n in world.inbox.get(request.headers["authorization"], []) if not n["read"]]
        for notification in unread:
            notification["read"] = True
        return {"marked": len(unread)}

    @benachrichtigung.get("/preferences")
    async def preferences(request: Request) -> list[dict[str, Any]]:
        chosen = world.preferences.get(request.headers["authorization"], {})
        default = {"kind": "forum.comment", "label": "Kommentare", "channel": "email", "frequency": "daily"}
        return [chosen.get("forum.comment", {**default, "is_default": True})]

    @benachrichtigung.put("/preferences/{kind}")
    async def set_preference(kind: str, request: Request, data: Annotated[dict[str, Any], Body()]) -> dict[str, Any]:
        if data["frequency"] not in ("immediately", "daily", "weekly", "never"):
            return JSONResponse(
                {
                    "status": 422,
                    "code": "BAD_USER_INPUT",
                    "detail": "frequency: Input should be 'immediately', 'daily', 'weekly' or 'never'",
                    "errors": [{"field": "frequency", "message": "not a frequency"}],
                },
                status_code=422,
            )
        chosen = {"kind": kind, "label": "Kommentare", **data, "is_default": False}
        world.preferences.setdefault(request.headers["authorization"], {})[kind] = chosen
        return chosen

    @benachrichtigung.post("/inbox/{notification_id}/read")
    async def mark_read(notification_id: str, request: Request) -> dict[str, Any]:
        for notification in world.inbox.get(request.headers["authorization"], []):
            if notification["id"] == notification_id:
                notification.update(read=True, read_at=EPOCH.isoformat())
                return notification
        raise HTTPException(404, "No notification with this id in your inbox.")

    return {"kommunen": kommunen, "prozess": prozess, "austausch": austausch, "benachrichtigung": benachrichtigung}


@pytest.fixture(scope="module")
def shared_world() -> World:
    return World()


@pytest.fixture
def world(shared_world: World) -> Iterator[World]:
    """An empty world for each test; the servers answering from it run for the whole module."""
    shared_world.__init__()  # type: ignore[misc]
    yield shared_world


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def gateway(shared_world: World, quiet_stack: Stack) -> AsyncIterator[Gateway]:
    apps = _services(shared_world)
    async with (
        serving(apps["kommunen"]) as kommunen,
        serving(apps["prozess"]) as prozess,
        serving(apps["austausch"]) as austausch,
        serving(apps["benachrichtigung"]) as benachrichtigung,
    ):
        urls = {
            "kommunen_url": kommunen,
            "prozess_url": prozess,
            "austausch_url": austausch,
            "benachrichtigung_url": benachrichtigung,
        }
        async with running_gateway(quiet_stack.settings(**urls)) as running:
            yield running
