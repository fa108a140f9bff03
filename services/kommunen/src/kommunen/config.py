from functools import lru_cache

from zwk_common.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("KOMMUNEN_")


@lru_cache
def get_settings() -> Settings:
    return Settings()
