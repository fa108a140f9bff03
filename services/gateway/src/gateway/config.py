from pydantic import AliasChoices, Field

from zwk_common.settings import Environment, ServiceSettings, service_config


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
    # A slow service costs the caller at most this long; the rest of the answer still arrives.
    service_timeout_seconds: float = Field(5.0, gt=0, le=60)
    service_connect_timeout_seconds: float = Field(2.0, gt=0, le=30)
    # GraphiQL is served only in development, and only where introspection is on (it needs it).
    graphiql: bool = True
    introspection: bool = True
    # Limits on what one request may ask for; each is refused before anything runs.
    max_depth: int = Field(12, ge=2)
    max_aliases: int = Field(30, ge=0)
    max_tokens: int = Field(2000, ge=50)
    # Objects a query may touch at most, estimated from its shape and page sizes (see protection.py).
    max_cost: int = Field(25_000, ge=1)
    max_body_bytes: int = Field(100_000, ge=1_000)
    # Distinct query texts whose parsed and validated form is kept (dashboards repeat theirs).
    parsed_queries_kept: int = Field(256, ge=0)
    # A subscriber that does not keep up loses the oldest events rather than holding the others up.
    subscription_buffer: int = Field(100, ge=1)

    @property
    def serves_graphiql(self) -> bool:
        return self.graphiql and self.introspection and self.environment is Environment.DEVELOPMENT
