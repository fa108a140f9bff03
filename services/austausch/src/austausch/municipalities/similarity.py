"""What makes two municipalities comparable ("Strukturzwillinge"), and how that is said in German."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# How much each likeness counts; together 1.0. Size matters most: a Landkreis of 300,000
# learns little from a village of 800, whatever else they share.
WEIGHTS: Mapping[str, float] = {"size": 0.30, "urbanisation": 0.20, "topics": 0.20, "kind": 0.15, "region": 0.15}

# Kinds that face similar tasks; the same kind counts fully, a kindred one half.
KIND_FAMILIES: Mapping[str, str] = {
    "GEMEINDE": "gemeinde",
    "GEMEINDEVERBAND": "gemeinde",
    "STADT": "stadt",
    "KREISFREIE_STADT": "stadt",
    "QUARTIER": "stadt",
    "LANDKREIS": "region",
    "REGIONALVERBAND": "region",
    "VERBUND": "region",
}

KIND_NAMES: Mapping[str, str] = {
    "GEMEINDE": "eine Gemeinde",
    "GEMEINDEVERBAND": "ein Gemeindeverband",
    "STADT": "eine Stadt",
    "KREISFREIE_STADT": "eine kreisfreie Stadt",
    "QUARTIER": "ein Quartier",
    "LANDKREIS": "ein Landkreis",
    "REGIONALVERBAND": "ein Regionalverband",
    "VERBUND": "ein Verbund",
}

URBANISATION_NAMES: Mapping[int, str] = {1: "städtisch", 2: "halbstädtisch", 3: "ländlich"}

# A population within a factor of 10 still counts a little; within a factor of 2 is "ähnliche Größe".
SIMILAR_SIZE = 0.7
NEARBY_KM = 50.0


def kindred_kinds(kind: str) -> list[str]:
    family = KIND_FAMILIES.get(kind)
    return sorted(k for k, f in KIND_FAMILIES.items() if f == family and k != kind)


@dataclass(frozen=True)
class Likeness:
    """The parts of one comparison, each 0..1, as the repository computed them."""

    kind: str
    same_kind: bool
    size: float
    urbanisation: int | None
    urbanisation_score: float
    same_kreis: bool
    same_land: bool
    distance_km: float | None
    shared_topics: Sequence[str]
    topic_score: float


def reasons(likeness: Likeness, topic_labels: Mapping[str, str]) -> list[str]:
    """Why a municipality is shown as comparable, in the words of the programme office."""
    said: list[str] = []
    if likeness.size >= SIMILAR_SIZE:
        said.append("ähnliche Größe")
    urbanisation = URBANISATION_NAMES.get(likeness.urbanisation or 0)
    if likeness.urbanisation_score >= 1.0 and urbanisation is not None:
        said.append(f"ebenfalls {urbanisation}")
    if likeness.shared_topics:
        if likeness.topic_score >= 1.0:
            said.append("gleiche Handlungsfelder")
        else:
            labels = [topic_labels.get(key, key) for key in sorted(likeness.shared_topics)[:3]]
            said.append(f"gemeinsame Handlungsfelder: {', '.join(labels)}")
    if likeness.same_kreis:
        said.append("im selben Kreis")
    elif likeness.distance_km is not None and likeness.distance_km <= NEARBY_KM:
        said.append(f"in der Nähe ({round(likeness.distance_km)} km)")
    elif likeness.same_land:
        said.append("im selben Bundesland")
    if likeness.same_kind and likeness.kind in KIND_NAMES:
        said.append(f"ebenfalls {KIND_NAMES[likeness.kind]}")
    return said
