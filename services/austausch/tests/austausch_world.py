"""The world of austausch's tests: municipalities, a practice, and the forum as different people see it."""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import select

from austausch.events import MunicipalityRegistered
from austausch.models import outbox
from austausch.municipalities.service import keep_municipality
from zwk_common.db import transaction
from zwk_common.testing.plugin import bearer

DORTMUND = uuid.UUID("0591300f-0000-4000-8000-000000000001")
RIESA = uuid.UUID("1462723a-0000-4000-8000-000000000002")
GROSSENHAIN = uuid.UUID("14627140-0000-4000-8000-000000000003")
BOCHUM = uuid.UUID("0591100b-0000-4000-8000-000000000004")
GOERLITZ = uuid.UUID("14626000-0000-4000-8000-000000000005")

MUNICIPALITIES: dict[uuid.UUID, dict[str, Any]] = {
    DORTMUND: {
        "ags": "05913000",
        "name": "Dortmund",
        "kind": "KREISFREIE_STADT",
        "bundesland": "NW",
        "population": 586_852,
        "urbanisation": 1,
        "kreis_key": "05913",
        "latitude": 51.514,
        "longitude": 7.465,
        "topics": ["integration", "arbeit-wirtschaft", "wohnen"],
        "programmes": ["DWK", "ZWK"],
    },
    RIESA: {
        "ags": "14627230",
        "name": "Riesa",
        "kind": "STADT",
        "bundesland": "SN",
        "population": 29_620,
        "urbanisation": 2,
        "kreis_key": "14627",
        "latitude": 51.308,
        "longitude": 13.293,
        "topics": ["gesundheit-pflege", "engagement", "wohnen"],
        "programmes": ["DWK", "ZWK"],
    },
    GROSSENHAIN: {
        "ags": "14627140",
        "name": "Großenhain",
        "kind": "STADT",
        "bundesland": "SN",
        "population": 18_248,
        "urbanisation": 2,
        "kreis_key": "14627",
        "latitude": 51.289,
        "longitude": 13.533,
        "topics": ["gesundheit-pflege", "engagement", "wohnen"],
        "programmes": ["ZWK"],
    },
    BOCHUM: {
        "ags": "05911000",
        "name": "Bochum",
        "kind": "KREISFREIE_STADT",
        "bundesland": "NW",
        "population": 364_454,
        "urbanisation": 1,
        "kreis_key": "05911",
        "latitude": 51.481,
        "longitude": 7.216,
        "topics": ["integration", "digitalisierung"],
        "programmes": ["ZWK"],
    },
    GOERLITZ: {
        "ags": "14626000",
        "name": "Landkreis Görlitz",
        "kind": "LANDKREIS",
        "bundesland": "SN",
        "population": 246_603,
        "urbanisation": 3,
        "kreis_key": "14626",
        "latitude": 51.152,
        "longitude": 14.968,
        "topics": ["leben-im-alter", "mobilitaet"],
        "programmes": ["ZWK"],
    },
}

NACHBARSCHAFTSBOERSE: dict[str, Any] = {
    "municipality_id": str(RIESA),
    "title": "Nachbarschaftsbörse Riesa",
    "summary": "Nachbarn helfen Nachbarn: eine Börse für kleine Hilfen im Alltag, vom Einkauf bis zur Gartenarbeit.",
    "body": "## Wie es begann\n\nIm Quartier Weida fehlte es an Hilfe für ältere Menschen. Die Börse vermittelt "
    "Ehrenamtliche an Senioren, die Unterstützung suchen.",
    "topics": ["engagement"],
    "target_groups": ["senioren", "ehrenamtliche"],
    "tool_kind": "PRAXISBEISPIEL",
    "effort": "MITTEL",
    "cost": "GERING",
    "contact": {"name": "Quartiersmanagement Weida", "email": "quartier@riesa.example"},
}


@dataclass
class Forum:
    """The running austausch app and ways to act in it as different people."""

    client: httpx.AsyncClient
    app: Any
    mint: Callable[..., str]

    @property
    def sessions(self) -> Any:
        return self.app.state.runtime.sessions

    def office(self) -> dict[str, str]:
        return bearer(self.mint("office", subject="geschaeftsstelle-1", name="Geschäftsstelle"))

    def member(self, municipality_id: uuid.UUID, person: str = "staff", **claims: Any) -> dict[str, str]:
        """A member of staff of one municipality."""
        subject = f"{person}@{municipality_id}"
        return bearer(
            self.mint(
                "municipality",
                municipality_id=str(municipality_id),
                subject=subject,
                name=claims.pop("name", f"{person.title()} {MUNICIPALITIES.get(municipality_id, {}).get('name', '')}"),
                **claims,
            )
        )

    def reader(self) -> dict[str, str]:
        return bearer(self.mint("reader", subject="dashboard"))

    def adviser(self, *municipality_ids: uuid.UUID) -> dict[str, str]:
        return bearer(
            self.mint(
                "adviser",
                subject=f"beratung-{len(municipality_ids)}-{municipality_ids[0]}",
                municipality_ids=[str(i) for i in municipality_ids],
            )
        )

    async def know(self, *ids: uuid.UUID, **overrides: Any) -> None:
        """Let the forum know municipalities, as kommunen's events would."""
        async with transaction(self.sessions) as session:
            for municipality_id in ids:
                values = {**MUNICIPALITIES[municipality_id], **overrides}
                await keep_municipality(session, MunicipalityRegistered(municipality_id=municipality_id, **values))

    async def register(self, municipality_id: uuid.UUID, **values: Any) -> None:
        """Let the forum know a municipality of the test's own making."""
        async with transaction(self.sessions) as session:
            await keep_municipality(session, MunicipalityRegistered(municipality_id=municipality_id, **values))

    async def events(self, event_type: str | None = None) -> list[dict[str, Any]]:
        """The events written to the outbox, oldest first: type and data."""
        async with self.sessions() as session:
            rows = (await session.execute(select(outbox.table.c.envelope).order_by(outbox.table.c.id))).scalars()
            found = [{"type": e["type"], **e["data"]} for e in rows]
        return [e for e in found if event_type is None or e["type"] == event_type]

    async def practice(
        self, headers: dict[str, str] | None = None, publish: bool = True, **changes: Any
    ) -> dict[str, Any]:
        """A practice of Riesa (or as changed), published unless asked otherwise."""
        body = {**NACHBARSCHAFTSBOERSE, **changes}
        owner = uuid.UUID(body["municipality_id"])
        headers = headers or self.member(owner)
        response = await self.client.post("/practices", json=body, headers=headers)
        assert response.status_code == 201, response.text
        practice = response.json()
        if publish:
            response = await self.client.post(f"/practices/{practice['id']}/publish", headers=headers)
            assert response.status_code == 200, response.text
            practice = response.json()
        return practice  # type: ignore[no-any-return]

    async def question(self, municipality_id: uuid.UUID = RIESA, **changes: Any) -> dict[str, Any]:
        body = {
            "municipality_id": str(municipality_id),
            "title": "Wer hat Erfahrung mit einer Nachbarschaftsbörse?",
            "body": "Wir wollen im Quartier eine Börse für Nachbarschaftshilfe aufbauen. Wie fängt man an?",
            "topics": ["engagement"],
            **changes,
        }
        response = await self.client.post("/questions", json=body, headers=self.member(municipality_id))
        assert response.status_code == 201, response.text
        return response.json()  # type: ignore[no-any-return]
