"""What a search string means: words only, never tsquery syntax."""

from austausch.search.terms import MAX_WORDS, words_of


def test_operators_only_separate_words() -> None:
    assert words_of("Pflege & (Senioren | !Jugend):*") == ["Pflege", "Senioren", "Jugend"]


def test_a_string_of_operators_has_no_words() -> None:
    assert words_of("&|!():*<->'\"\\") == []
    assert words_of(None) == []
    assert words_of("") == []


def test_umlauts_and_sharp_s_stay_in_the_word() -> None:
    assert words_of("Nachbarschaftsbörse Straße Übergang") == ["Nachbarschaftsbörse", "Straße", "Übergang"]


def test_a_hyphen_splits_a_compound() -> None:
    assert words_of("Mehrgenerationen-Haus") == ["Mehrgenerationen", "Haus"]


def test_repeated_words_count_once_whatever_their_case() -> None:
    assert words_of("Pflege pflege PFLEGE Heim") == ["Pflege", "Heim"]


def test_overlong_words_are_dropped_and_the_number_of_words_is_bounded() -> None:
    assert words_of("x" * 65 + " Pflege") == ["Pflege"]
    assert len(words_of(" ".join(f"wort{i}" for i in range(100)))) == MAX_WORDS
