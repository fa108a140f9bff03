"""The reasons given for a comparable municipality, in German."""

from austausch.municipalities.similarity import WEIGHTS, Likeness, kindred_kinds, reasons

LABELS = {"wohnen": "Wohnen", "mobilitaet": "Mobilität", "integration": "Integration"}


def likeness(**changes: object) -> Likeness:
    values: dict[str, object] = {
        "kind": "GEMEINDE",
        "same_kind": False,
        "size": 0.0,
        "urbanisation": None,
        "urbanisation_score": 0.0,
        "same_kreis": False,
        "same_land": False,
        "distance_km": None,
        "shared_topics": [],
        "topic_score": 0.0,
    }
    values.update(changes)
    return Likeness(**values)  # type: ignore[arg-type]


def test_the_programmes_own_example() -> None:
    said = reasons(
        likeness(size=0.9, urbanisation=3, urbanisation_score=1.0, shared_topics=["wohnen"], topic_score=1.0), LABELS
    )
    assert said == ["ähnliche Größe", "ebenfalls ländlich", "gleiche Handlungsfelder"]


def test_shared_topics_are_named_when_not_all_are_shared() -> None:
    said = reasons(likeness(shared_topics=["wohnen", "mobilitaet"], topic_score=0.5), LABELS)
    assert said == ["gemeinsame Handlungsfelder: Mobilität, Wohnen"]


def test_a_size_within_a_factor_of_two_is_similar_and_beyond_it_is_not() -> None:
    assert reasons(likeness(size=0.71), LABELS) == ["ähnliche Größe"]
    assert reasons(likeness(size=0.69), LABELS) == []


def test_only_a_like_degree_of_urbanisation_is_named() -> None:
    assert reasons(likeness(urbanisation=1, urbanisation_score=1.0), LABELS) == ["ebenfalls städtisch"]
    assert reasons(likeness(urbanisation=2, urbanisation_score=0.5), LABELS) == []


def test_the_region_is_named_by_the_closest_tie() -> None:
    assert reasons(likeness(same_kreis=True, same_land=True, distance_km=12.0), LABELS) == ["im selben Kreis"]
    assert reasons(likeness(same_land=True, distance_km=23.4), LABELS) == ["in der Nähe (23 km)"]
    assert reasons(likeness(same_land=True, distance_km=180.0), LABELS) == ["im selben Bundesland"]


def test_the_same_kind_is_named_with_its_article() -> None:
    assert reasons(likeness(kind="LANDKREIS", same_kind=True), LABELS) == ["ebenfalls ein Landkreis"]


def test_kindred_kinds_count_half_and_the_weights_add_up_to_one() -> None:
    assert kindred_kinds("STADT") == ["KREISFREIE_STADT", "QUARTIER"]
    assert kindred_kinds("LANDKREIS") == ["REGIONALVERBAND", "VERBUND"]
    assert abs(sum(WEIGHTS.values()) - 1.0) < 1e-9
