"""Thin HTTP routes of search."""

from typing import Annotated

from fastapi import APIRouter, Query, Response

from austausch.config import SettingsDep
from austausch.search import service
from austausch.search.schemas import SearchQuery, SearchResults
from zwk_common.auth import CallerDep
from zwk_common.db import SessionDep
from zwk_common.pagination import PageDep

router = APIRouter(tags=["search"])


@router.get("/search", response_model=SearchResults)
async def search(
    query: Annotated[SearchQuery, Query()],
    page: PageDep,
    session: SessionDep,
    caller: CallerDep,
    settings: SettingsDep,
) -> Response:
    """Practices and questions in one German full-text search: best match first, with facets and snippets."""
    # PostgreSQL writes the hits; the response model documents them.
    return Response(await service.search(session, caller, query, page, settings), media_type="application/json")
