"""Response bodies of the register lookup."""

from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, computed_field

from kommunen.register.parsing import short_name


class UnitLevel(StrEnum):
    LAND = "LAND"
    REGIERUNGSBEZIRK = "REGIERUNGSBEZIRK"
    KREIS = "KREIS"
    GEMEINDEVERBAND = "GEMEINDEVERBAND"
    GEMEINDE = "GEMEINDE"


class RegisterUnit(BaseModel):
    """One territorial unit of the official register."""

    model_config = ConfigDict(from_attributes=True)

    key: str
    level: UnitLevel
    type_code: int | None
    type_label: str
    name: str
    parent_key: str | None
    land_key: str
    bundesland: str
    kreis_key: str | None
    verband_key: str | None
    ags: str | None
    ars: str | None
    area_km2: Decimal | None
    population_2019: int | None
    population_2022: int | None
    postcode: str | None
    latitude: float | None
    longitude: float | None
    urbanisation: int | None

    @computed_field  # type: ignore[prop-decorator]
    @property
    def short_name(self) -> str:
        return short_name(self.name)

    @property
    def population(self) -> int | None:
        """The latest count: Zensus 2022 where there is one, else 31.12.2019."""
        return self.population_2022 if self.population_2022 is not None else self.population_2019


class RegisterUnitList(BaseModel):
    items: list[RegisterUnit]
