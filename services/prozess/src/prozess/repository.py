"""All SQL of prozess."""

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from sqlalchemy import RowMapping, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from prozess.models import municipalities, processes, stages


class ProcessRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def upsert_municipality(self, values: dict[str, Any]) -> None:
        statement = insert(municipalities).values(**values)
        await self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[municipalities.c.id],
                set_={k: statement.excluded[k] for k in values if k != "id"},
            )
        )

    async def add_process(self, process_id: UUID, municipality_id: UUID, programme: str) -> bool:
        """Create a process; False if the municipality already has one in that programme."""
        result = await self.session.execute(
            insert(processes)
            .values(id=process_id, municipality_id=municipality_id, programme=programme)
            .on_conflict_do_nothing(index_elements=[processes.c.municipality_id, processes.c.programme])
            .returning(processes.c.id)
        )
        return result.first() is not None

    async def add_stages(self, rows: Sequence[dict[str, Any]]) -> None:
        await self.session.execute(insert(stages), list(rows))

    async def stages_of(self, municipality_ids: Sequence[UUID]) -> list[RowMapping]:
        result = await self.session.execute(
            select(processes.c.municipality_id, processes.c.programme, stages)
            .join(stages, stages.c.process_id == processes.c.id)
            .where(processes.c.municipality_id.in_(municipality_ids))
            .order_by(processes.c.municipality_id, processes.c.programme, stages.c.position)
        )
        return list(result.mappings())
