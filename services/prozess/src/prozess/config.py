from datetime import timedelta
from functools import lru_cache

from pydantic import Field

from zwk_common.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("PROZESS_")

    # How often stages past their due date are looked for (PROZESS_OVERDUE_CHECK_SECONDS).
    overdue_check_seconds: float = Field(900.0, gt=0)

    @property
    def overdue_check_interval(self) -> timedelta:
        return timedelta(seconds=self.overdue_check_seconds)


@lru_cache
def get_settings() -> Settings:
    return Settings()
