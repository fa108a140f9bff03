"""Who a caller is to the platform; its own module so that the `zwk` command need not import FastAPI for it."""

from enum import StrEnum


class Role(StrEnum):
    OFFICE = "office"
    MUNICIPALITY = "municipality"
    ADVISER = "adviser"
    READER = "reader"
