from pydantic import AliasChoices, Field

from zwk_common.settings import ServiceSettings, service_config


def _service_url(name: str, port: int) -> str:
    return Field(
        f"http://127.0.0.1:{port}",
        validation_alias=AliasChoices(f"{name}_url", f"GATEWAY_{name.upper()}_URL", f"ZWK_URL_{name.upper()}"),
    )


class Settings(ServiceSettings):
    model_config = service_config("GATEWAY_")

    kommunen_url: str = _service_url("kommunen", 8101)
    prozess_url: str = _service_url("prozess", 8102)
    austausch_url: str = _service_url("austausch", 8103)
    benachrichtigung_url: str = _service_url("benachrichtigung", 8104)
    service_timeout_seconds: float = 5.0
    graphiql: bool = True
