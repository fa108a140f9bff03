"""prozess: each municipality's process through the five stages."""

from __future__ import annotations

from contextlib import suppress
from functools import cached_property
from typing import Any

from strawberry.dataloader import DataLoader

from gateway.pagination import PageRequest
from gateway.sources import BATCH, Call, NotLoaded, items_of, loaded, seg

SERVICE = "prozess"
# In a process's path in place of its programme: the municipality's main process, as prozess chooses it.
MAIN_PROCESS = "main"
# Asks prozess for a changed stage without its checklist (RFC 7240), when the mutation does not want it.
MINIMAL = {"Prefer": "return=minimal"}


def main_process(processes: list[dict[str, Any]], programme: str | None = None) -> dict[str, Any] | None:
    """The process a question about "the" process of a municipality means: the one of `programme`,
    else the one prozess marks as its main process."""
    if programme is not None:
        return next((p for p in processes if p["programme"] == programme), None)
    return next((p for p in processes if p.get("main")), None)


class Prozess:
    def __init__(self, call: Call) -> None:
        self._call = call

    def _by_municipality(self, path: str) -> DataLoader[str, list[dict[str, Any]]]:
        async def load(ids: list[str]) -> list[list[dict[str, Any]]]:
            found = items_of(await self._call(SERVICE, "GET", path, params={"municipality_id": ids}))
            by_municipality: dict[str, list[dict[str, Any]]] = {}
            for process in found:
                by_municipality.setdefault(str(process["municipality_id"]), []).append(process)
            return [by_municipality.get(str(i), []) for i in ids]

        return DataLoader(load_fn=load, max_batch_size=BATCH)

    @cached_property
    def processes(self) -> DataLoader[str, list[dict[str, Any]]]:
        """Every process of a municipality (one per programme) with its checklists, for up to 100 per call."""
        return self._by_municipality("/processes")

    @cached_property
    def summaries(self) -> DataLoader[str, list[dict[str, Any]]]:
        """The same without checklists: a tenth of the size, for lists that show only where each one stands."""
        return self._by_municipality("/processes/summaries")

    async def process(
        self, municipality_id: str, programme: str | None = None, *, checklists: bool = False
    ) -> dict[str, Any] | None:
        loader = self.processes if checklists else self.summaries
        return main_process(await loader.load(municipality_id), programme)

    def loaded_process(self, municipality_id: str, *, checklists: bool = False) -> dict[str, Any] | None | NotLoaded:
        """`process` if its processes are loaded already (a page loads them ahead), else NOT_LOADED."""
        found = loaded(self.processes if checklists else self.summaries, municipality_id)
        return found if isinstance(found, NotLoaded) else main_process(found)

    async def municipality_ids(
        self, programme: str | None, stage: str | None, overdue: bool | None, page: PageRequest
    ) -> dict[str, Any]:
        """A page of the ids of municipalities whose current stage is `stage`, or which are overdue."""
        params: dict[str, Any] = {**page.params()}
        if programme is not None:
            params["programme"] = programme
        if stage is not None:
            params["stage"] = stage
        if overdue is not None:
            params["overdue"] = str(overdue).lower()
        answer: dict[str, Any] = await self._call(SERVICE, "GET", "/processes/municipality-ids", params=params)
        return answer

    async def overview(self, programme: str) -> dict[str, Any]:
        answer: dict[str, Any] = await self._call(SERVICE, "GET", "/overview", params={"programme": programme})
        return answer

    def _forget(self, municipality_id: str) -> None:
        # A change makes this request's cached processes stale; a mutation that
        # named its programme never loaded them, and then there is nothing to forget.
        for loader in (self.processes, self.summaries):
            with suppress(KeyError):
                loader.clear(municipality_id)

    def _stage_path(self, municipality_id: str, programme: str, stage: str) -> str:
        return f"/processes/{seg(municipality_id)}/{seg(programme)}/stages/{seg(stage)}"

    async def start_stage(
        self, municipality_id: str, programme: str, stage: str, due_date: str | None, *, checklist: bool = True
    ) -> dict[str, Any]:
        """The started stage; with its checklist only if `checklist`."""
        body = {"due_date": due_date} if due_date is not None else {}
        answer: dict[str, Any] = await self._call(
            SERVICE,
            "POST",
            self._stage_path(municipality_id, programme, stage) + "/start",
            json=body,
            headers=None if checklist else MINIMAL,
        )
        self._forget(municipality_id)
        return answer

    async def complete_stage(
        self, municipality_id: str, programme: str, stage: str, *, checklist: bool = True
    ) -> dict[str, Any]:
        """The completed stage; with its checklist only if `checklist`."""
        answer: dict[str, Any] = await self._call(
            SERVICE,
            "POST",
            self._stage_path(municipality_id, programme, stage) + "/complete",
            json={},
            headers=None if checklist else MINIMAL,
        )
        self._forget(municipality_id)
        return answer

    async def set_checklist_item(
        self, municipality_id: str, programme: str, stage: str, key: str, done: bool, evidence: str | None
    ) -> dict[str, Any]:
        answer: dict[str, Any] = await self._call(
            SERVICE,
            "PUT",
            self._stage_path(municipality_id, programme, stage) + f"/checklist/{seg(key)}",
            json={"done": done, "evidence": evidence},
        )
        self._forget(municipality_id)
        return answer

    async def records_of(
        self, municipality_id: str, programme: str, resource: str, page: PageRequest, **filters: Any
    ) -> dict[str, Any]:
        """A page of one part of a process: `measures`, `kommunalprofil/swot-items`, `participation-events`."""
        params = {**{k: v for k, v in filters.items() if v is not None}, **page.params()}
        answer: dict[str, Any] = await self._call(
            SERVICE, "GET", f"/processes/{seg(municipality_id)}/{seg(programme)}/{resource}", params=params
        )
        return answer

    async def zwischenbilanz(self, municipality_id: str, programme: str) -> dict[str, Any]:
        """The review report generated from the process's data (measures, budget, stages, overdue history)."""
        answer: dict[str, Any] = await self._call(
            SERVICE, "GET", f"/processes/{seg(municipality_id)}/{seg(programme)}/zwischenbilanz"
        )
        return answer
