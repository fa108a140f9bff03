"""Migration 0002 moves the search texts beside the index rows, and back, without losing a word."""

import asyncio
import uuid
from typing import Any

import asyncpg

from austausch.spec import MIGRATIONS
from zwk_common.migrations import downgrade, upgrade
from zwk_common.testing import fetch

MUNICIPALITY = uuid.UUID("2d0f1a52-4a8e-4c1e-9d55-2c6a4c1b7e01")
PRACTICE = uuid.UUID("7b6c1f0e-3d2a-4b59-8e44-5f1d2a9c3e02")


def run(database_url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    return asyncio.run(fetch(database_url, query, *args))


def _matches(database_url: str, words: str) -> bool:
    rows = run(
        database_url,
        "SELECT count(*) AS n FROM austausch.search_documents WHERE document @@ plainto_tsquery('german', $1)",
        words,
    )
    return rows[0]["n"] == 1


def test_a_practice_indexed_at_0002_keeps_its_texts_and_words_down_to_0001_and_up_again(
    zwk_empty_database: str,
) -> None:
    url = zwk_empty_database
    upgrade(MIGRATIONS, url)
    run(
        url,
        "INSERT INTO austausch.municipalities (id, name, kind, bundesland, updated_at) "
        "VALUES ($1, 'Riesa', 'STADT', 'SN', now())",
        MUNICIPALITY,
    )
    run(
        url,
        "INSERT INTO austausch.search_documents "
        "(entry_kind, entry_id, municipality_id, topics, published_at, document) "
        "VALUES ('practice', $1, $2, '{ehrenamt}', now(), "
        "austausch.search_document('Dorfladen in Bürgerhand', 'Genossenschaft', 'Ehrenamt', 'Die Nahversorgung'))",
        PRACTICE,
        MUNICIPALITY,
    )
    run(
        url,
        "INSERT INTO austausch.search_texts (entry_kind, entry_id, title, summary, body, topic_labels) "
        "VALUES ('practice', $1, 'Dorfladen in Bürgerhand', 'Genossenschaft', 'Die Nahversorgung', 'Ehrenamt')",
        PRACTICE,
    )

    downgrade(MIGRATIONS, url, "0001")
    (row,) = run(url, "SELECT title, summary, body, topic_labels FROM austausch.search_documents")
    assert dict(row) == {
        "title": "Dorfladen in Bürgerhand",
        "summary": "Genossenschaft",
        "body": "Die Nahversorgung",
        "topic_labels": "Ehrenamt",
    }
    assert _matches(url, "Dorfläden Nahversorgung")  # the generated vector of 0001, made from the texts

    upgrade(MIGRATIONS, url)
    (row,) = run(url, "SELECT entry_id, title, summary, body, topic_labels FROM austausch.search_texts")
    assert dict(row) == {
        "entry_id": PRACTICE,
        "title": "Dorfladen in Bürgerhand",
        "summary": "Genossenschaft",
        "body": "Die Nahversorgung",
        "topic_labels": "Ehrenamt",
    }
    assert _matches(url, "Dorfläden Nahversorgung")
    assert not _matches(url, "Feuerwehr")
