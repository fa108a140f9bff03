"""What a search string means: its words, and nothing of the tsquery syntax."""

import re

# Runs of letters and digits; everything else (&|!():*<>'" …) only separates words.
WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 12
MAX_WORD_LENGTH = 64


def words_of(search: str | None) -> list[str]:
    """The distinct words of a search string, in order; overlong words cannot match and are dropped."""
    if not search:
        return []
    seen: dict[str, str] = {}
    for word in WORD.findall(search):
        if len(word) <= MAX_WORD_LENGTH and word.casefold() not in seen:
            seen[word.casefold()] = word
        if len(seen) == MAX_WORDS:
            break
    return list(seen.values())
