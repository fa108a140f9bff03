from functools import lru_cache
from typing import Annotated

from fastapi import Depends, Request
from pydantic import Field

from zwk_common.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("AUSTAUSCH_")

    # Matches ranked per search, the most recent first; more are counted but not ranked.
    search_candidate_limit: int = Field(1000, ge=10, le=100_000)
    # Share of trigrams a known word must have in common with a misspelt one (0..1).
    search_correction_threshold: float = Field(0.45, gt=0, le=1)
    # How many of the most comparable municipalities lend their practices to the recommendations.
    comparable_practice_sources: int = Field(20, ge=1, le=200)


@lru_cache
def get_settings() -> Settings:
    return Settings()


async def _settings(request: Request) -> Settings:
    # async, though it never waits: FastAPI would hand a plain function to its thread pool on every request.
    settings = request.app.state.runtime.settings
    return settings if isinstance(settings, Settings) else get_settings()


SettingsDep = Annotated[Settings, Depends(_settings)]
