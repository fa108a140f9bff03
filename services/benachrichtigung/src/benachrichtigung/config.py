from functools import lru_cache

from zwk_common.settings import ServiceSettings, service_config


class Settings(ServiceSettings):
    model_config = service_config("BENACHRICHTIGUNG_")

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 25
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_use_tls: bool = False
    # None: upgrade when the server offers STARTTLS.
    smtp_start_tls: bool | None = None
    mail_sender: str = "ZWK Geschäftsstelle <benachrichtigung@zwk.example>"
    # Where people open what a notification is about, and where this service is reachable
    # from outside (for the unsubscribe link in every e-mail).
    app_url: str = "https://zwk.example"
    public_url: str = "http://127.0.0.1:8104"

    delivery_poll_seconds: float = 1.0
    delivery_concurrency: int = 20
    attempt_timeout_seconds: float = 10.0
    retry_base_seconds: float = 30.0
    retry_max_delay_seconds: float = 4 * 3600.0
    retry_window_hours: float = 24.0

    digest_poll_seconds: float = 300.0
    digest_hour: int = 7
    timezone: str = "Europe/Berlin"

    webhook_url_max_length: int = 2048


@lru_cache
def get_settings() -> Settings:
    return Settings()
