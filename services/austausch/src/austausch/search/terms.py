"""What a search string means: its words, and nothing of the tsquery syntax."""

import re
from html import escape

# Runs of letters and digits; everything else (&|!():*<>'" …) only separates words.
WORD = re.compile(r"[^\W_]+")
MAX_WORDS = 12
MAX_WORD_LENGTH = 64

MARK_START, MARK_END = "\ue000", "\ue001"


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


def highlighted(marked: str | None) -> str | None:
    """HTML of a headline: the text escaped, the matches in <mark>."""
    if marked is None:
        return None
    safe = escape(marked, quote=False)
    return safe.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")
