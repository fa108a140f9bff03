"""Official keys of German territorial units: Land prefixes and what a key's length says."""

BUNDESLAENDER = ("SH", "HH", "NI", "HB", "NW", "HE", "RP", "BW", "BY", "SL", "BE", "BB", "MV", "SN", "ST", "TH")
LAND_BY_PREFIX = {f"{number:02d}": code for number, code in enumerate(BUNDESLAENDER, start=1)}

# The length of a key names its level: Land 2, Regierungsbezirk 3, Kreis 5,
# Gemeinde (AGS) 8, Gemeindeverband 9. The lengths never collide, so a key alone
# identifies a unit of the register.
LEVEL_BY_LENGTH = {2: "LAND", 3: "REGIERUNGSBEZIRK", 5: "KREIS", 8: "GEMEINDE", 9: "GEMEINDEVERBAND"}


def bundesland_of(key: str) -> str | None:
    """The two-letter Land of a key, None when it does not begin with 01–16."""
    return LAND_BY_PREFIX.get(key[:2])
